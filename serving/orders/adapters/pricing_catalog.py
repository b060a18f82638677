"""Server-side prices from the restaurants catalogue: how every order is priced.

Everything pricing needs of the restaurant (its place and hours, the lines' items,
the offer's terms) is one ``serving.restaurants.api.quote`` on the placing
transaction's connection (the embedded deployment keeps both services in one
database): the order is stored with exactly the prices it was checked against.
A client's ``unit_price_minor`` is optional; a sent price that differs from the menu
is a 422 "price changed" (the cart shows a stale menu: re-read it).
An offer's per-customer limit is counted in ``orders.orders`` (this service's own
data) under a lock that lasts until the order commits; the discount itself is the
restaurants' pure rule (``api.offer_discount``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.engine import Connection

from serving.kernel.field_errors import FieldError
from serving.kernel.redis import LazyRedis, RedisUnavailable
from serving.orders.adapters import repository
from serving.orders.domain import LineItem, OrderRejected, pricing
from serving.orders.ports import NoSurge, PricedOrder, PriceQuery, SurgeSource
from serving.restaurants import api as restaurants_api

log = logging.getLogger(__name__)

SURGE_PREFIX = "tiffin:surge:v1:"
MAX_SURGE_BP = 50_000  # x5: a typo in an ops tool must not charge Rs 2,000 for a delivery


def surge_zone(city: str) -> str:
    """The pickup zone of a restaurant; the city until delivery zones exist."""
    return city.strip().lower()


class RedisSurge:
    """Reads ``tiffin:surge:v1:{zone}`` (a decimal multiplier, e.g. ``1.5``); x1.0 when absent.

    Surge is a nicety: Redis down, or a value that is not a sane multiplier, prices
    without surge (logged) instead of refusing orders.
    """

    def __init__(self, redis: LazyRedis) -> None:
        self._redis = redis

    def surge_bp(self, zone: str) -> int:
        try:
            raw = self._redis.call("surge read", lambda client: client.get(SURGE_PREFIX + zone))
        except RedisUnavailable:
            log.warning("surge unavailable for zone %s; pricing without surge", zone)
            return pricing.BASIS_POINTS
        if raw is None:
            return pricing.BASIS_POINTS
        try:
            bp = round(float(raw) * pricing.BASIS_POINTS)
        except (ValueError, OverflowError):  # not a number, nan, inf
            bp = -1
        if not pricing.BASIS_POINTS <= bp <= MAX_SURGE_BP:
            log.error("ignoring surge %r of zone %s", raw, zone)
            return pricing.BASIS_POINTS
        return bp


def _reject(field: str, message: str) -> OrderRejected:
    return OrderRejected([FieldError(field, message)])


class CatalogPricing:
    """The ``MenuPricing`` port backed by the restaurants service (``restaurants.api.quote``)."""

    def __init__(
        self,
        tariff: pricing.DeliveryTariff | None = None,
        surge: SurgeSource | None = None,
        rates: pricing.ChargeRates | None = None,
    ) -> None:
        self._tariff = tariff or pricing.DeliveryTariff()
        self._surge = surge or NoSurge()
        self._rates = rates or pricing.ChargeRates()

    def price(
        self,
        connection: Connection,
        query: PriceQuery,
    ) -> PricedOrder:
        asked = [
            restaurants_api.QuoteLine(line.item_id, line.quantity, line.unit_price_minor) for line in query.requested
        ]
        # One crossing for everything pricing needs of the restaurant (a hot path: every placement).
        quote = restaurants_api.quote(connection, query.restaurant_id, asked, at=query.now, offer_code=query.offer_code)
        if quote is None:
            raise _reject("restaurant_id", f"No restaurant {query.restaurant_id} exists.")
        place = quote.restaurant
        if not quote.open:
            raise _reject("restaurant_id", f"{place.name} is not taking orders right now.")
        lines, errors = _lines(quote.lines)
        # The offer is checked even when a line is refused, so one round trip reports both.
        if quote.offer_refusal is not None:
            errors.append(FieldError("offer_code", quote.offer_refusal))
        if errors:
            raise OrderRejected(errors)
        discount = 0
        if quote.offer is not None:
            discount = self._discount(
                connection, quote.offer, query.customer_id, str(place.restaurant_id), lines, query.now
            )
        # The fee is the server's: the distance to the drop point, times the zone's surge.
        distance = 0.0
        drop = query.delivery_location
        if drop is not None:
            distance = pricing.haversine_km(place.lat, place.lon, drop.lat, drop.lon)
        fee = pricing.delivery_fee_minor(self._tariff, distance, self._surge.surge_bp(surge_zone(place.city)))
        charges = pricing.breakdown(lines, rates=self._rates, delivery_fee_minor=fee, discount_minor=discount)
        return PricedOrder(
            lines,
            delivery_fee_minor=charges.delivery_fee_minor,
            city=place.city,  # the restaurant's: it keys per-city metrics and GMV
            discount_minor=charges.discount_minor,
            tax_minor=charges.tax_minor,
            packaging_minor=charges.packaging_minor,
            offer_code=quote.offer.code if quote.offer is not None else None,
            restaurant_id=str(place.restaurant_id),
        )

    @staticmethod
    def _discount(
        connection: Connection,
        offer: restaurants_api.OfferTerms,
        customer_id: str,
        restaurant_id: str,
        lines: list[LineItem],
        now: datetime,
    ) -> int:
        redemptions = 0
        if offer.per_user_limit is not None:
            repository.lock_offer_redemptions(connection, customer_id, restaurant_id, offer.code)
            redemptions = repository.count_offer_redemptions(connection, customer_id, restaurant_id, offer.code)
        try:
            return restaurants_api.offer_discount(
                offer,
                subtotal_minor=sum(line.line_total_minor for line in lines),
                at=now,
                redemptions_by_user=redemptions,
            )
        except restaurants_api.OfferNotApplicable as refused:
            raise OrderRejected([refused.error]) from None


def _lines(quoted: Sequence[restaurants_api.QuotedLine]) -> tuple[list[LineItem], list[FieldError]]:
    errors: list[FieldError] = []
    lines: list[LineItem] = []
    for index, line in enumerate(quoted):
        item, asked = line.item, line.requested
        if item is None:
            # Unknown, malformed, or another restaurant's item: the same answer.
            errors.append(FieldError(f"lines[{index}].item_id", f"This restaurant has no item {asked.item_id}."))
            continue
        if not item.available:
            errors.append(FieldError(f"lines[{index}].item_id", f"{item.name} is not available right now."))
            continue
        if line.price_changed:
            errors.append(
                FieldError(
                    f"lines[{index}].unit_price_minor",
                    f"Price changed: {item.name} now costs {item.price_minor} minor units.",
                )
            )
            continue
        lines.append(LineItem(str(item.item_id), item.name, asked.quantity, item.price_minor))
    return lines, errors
