"""The server's price of an order, itemised, in integer minor units: pure, no I/O.

Every amount is an ``int`` of paise. Fractions appear only in rates (tax, surge),
which are integer basis points (500 = 5 %, 15000 = x1.5), and every rounding is
half-up, once, at the documented step, so the same cart always costs the same.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from serving.orders.domain.order import MAX_DELIVERY_FEE_MINOR, LineItem, OrderTotals, price_order

BASIS_POINTS = 10_000
EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG), the one search uses too


def round_half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half-up, in integers (no float ever touches money)."""
    if denominator <= 0 or numerator < 0:
        raise ValueError("round_half_up takes a non-negative numerator and a positive denominator")
    return (2 * numerator + denominator) // (2 * denominator)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance; the courier's road distance is longer, the rate absorbs that."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class DeliveryTariff:
    """base + per_km beyond ``included_km``, times the zone's surge, capped."""

    base_fee_minor: int = 2_000  # Rs 20
    included_km: float = 2.0
    per_km_minor: int = 800  # Rs 8 per km
    max_fee_minor: int = MAX_DELIVERY_FEE_MINOR

    def __post_init__(self) -> None:
        if self.base_fee_minor < 0 or self.per_km_minor < 0 or self.included_km < 0:
            raise ValueError("tariff amounts must not be negative")


def delivery_fee_minor(tariff: DeliveryTariff, distance_km: float, surge_bp: int = BASIS_POINTS) -> int:
    """The distance fee, rounded half-up to a paisa, then surged (half-up) and capped.

    Distance is charged per metre (not per started km): a customer 10 m further away
    pays 8 paise more, not Rs 8.
    """
    if distance_km < 0 or not math.isfinite(distance_km):
        raise ValueError("distance_km must be a finite non-negative number")
    if surge_bp < BASIS_POINTS:
        raise ValueError("a surge never lowers the fee (at least 10000 basis points)")
    extra_metres = max(0, math.floor((distance_km - tariff.included_km) * 1000 + 0.5))  # half-up to a metre
    fee = tariff.base_fee_minor + round_half_up(extra_metres * tariff.per_km_minor, 1000)
    return min(round_half_up(fee * surge_bp, BASIS_POINTS), tariff.max_fee_minor)


@dataclass(frozen=True)
class ChargeRates:
    """Tax and packaging rules; the defaults are GST 5 % on restaurant food."""

    tax_bp: int = 500
    packaging_per_item_minor: int = 0  # per portion (a box each) ...
    packaging_flat_minor: int = 0  # ... and/or once per order (a bag)


def breakdown(
    lines: Sequence[LineItem],
    *,
    rates: ChargeRates,
    delivery_fee_minor: int,
    discount_minor: int = 0,
) -> OrderTotals:
    """Items, discount, tax, packaging and delivery of one order: its price (``OrderTotals``).

    Tax is on the food after the discount (what the customer actually pays for it),
    rounded half-up once per order rather than per line, so splitting a cart into
    lines never changes the tax. Packaging and delivery are not taxed here (their
    GST is the platform's invoice, not the restaurant's).
    """
    subtotal = sum(line.line_total_minor for line in lines)
    if not 0 <= discount_minor <= subtotal:
        raise ValueError("the discount must be between 0 and the items subtotal")
    portions = sum(line.quantity for line in lines)
    return price_order(
        lines,
        delivery_fee_minor,
        discount_minor=discount_minor,
        tax_minor=round_half_up((subtotal - discount_minor) * rates.tax_bp, BASIS_POINTS),
        packaging_minor=portions * rates.packaging_per_item_minor + (rates.packaging_flat_minor if lines else 0),
    )
