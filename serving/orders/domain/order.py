"""Pure order rules: pricing in integer minor units and the checks a new order passes.

No I/O here, so every rule is unit-testable; the caller supplies ids and clocks.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from contracts.money import MAX_PAYMENT_MINOR
from serving.kernel.field_errors import FieldError

SUPPORTED_CURRENCIES = frozenset({"INR"})
MAX_LINES = 50
MAX_QUANTITY = 100
# Caps keep every total far inside PostgreSQL BIGINT, so a silly amount is a 422
# instead of an overflow: 50 lines * 100 * 10^7 = 5 * 10^10.
MAX_UNIT_PRICE_MINOR = 10_000_000  # Rs 1,00,000 per item
MAX_DELIVERY_FEE_MINOR = 1_000_000  # Rs 10,000


class OrderStatus(StrEnum):
    """The order lifecycle; the allowed moves are the table in ``lifecycle.py``."""

    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    PREPARING = "PREPARING"
    READY = "READY"
    ASSIGNED = "ASSIGNED"
    PICKED = "PICKED"
    OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY"
    DELIVERED = "DELIVERED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class LineItem:
    item_id: str
    name: str
    quantity: int
    unit_price_minor: int

    @property
    def line_total_minor(self) -> int:
        return self.quantity * self.unit_price_minor


@dataclass(frozen=True)
class OrderTotals:
    """An order's price, itemised: the one type that carries it, with the one total.

    The pricing's breakdown (``pricing.breakdown``), the stored order and the API's
    ``OrderOut`` are all this; ``subtotal_minor`` is the items before any discount.
    """

    subtotal_minor: int
    delivery_fee_minor: int
    discount_minor: int = 0
    tax_minor: int = 0
    packaging_minor: int = 0

    @property
    def total_minor(self) -> int:
        """What the customer pays (the ``total`` CHECK of orders.orders says the same)."""
        return (
            self.subtotal_minor - self.discount_minor + self.tax_minor + self.packaging_minor + self.delivery_fee_minor
        )

    @property
    def food_minor(self) -> int:
        """What the customer pays for the food itself: everything but delivery."""
        return self.total_minor - self.delivery_fee_minor


@dataclass(frozen=True)
class Order:
    order_id: uuid.UUID
    customer_id: str
    restaurant_id: str
    city: str
    currency: str
    lines: tuple[LineItem, ...]
    totals: OrderTotals
    status: OrderStatus
    placed_at: datetime
    # Set by the lifecycle (``domain/lifecycle.py``) as the order moves on.
    estimated_ready_at: datetime | None = None
    cancellation_reason: str | None = None
    # The offer the discount came from (stored upper case), None without one.
    offer_code: str | None = None


class OrderRejected(Exception):
    """The order breaks a business rule; ``errors`` name the fields at fault."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = tuple(errors)


def price_order(
    lines: Sequence[LineItem],
    delivery_fee_minor: int,
    *,
    discount_minor: int = 0,
    tax_minor: int = 0,
    packaging_minor: int = 0,
) -> OrderTotals:
    """Totals are computed here, on the server: a client never tells us what it costs.

    Discount, tax and packaging come from the pricing (``domain/pricing.py``);
    impossible ones are a pricing bug, not the customer's, so they raise ValueError.
    """
    subtotal = sum(line.line_total_minor for line in lines)
    if min(discount_minor, tax_minor, packaging_minor) < 0 or discount_minor > subtotal:
        raise ValueError("discount, tax and packaging must be non-negative and the discount at most the subtotal")
    return OrderTotals(
        subtotal_minor=subtotal,
        delivery_fee_minor=delivery_fee_minor,
        discount_minor=discount_minor,
        tax_minor=tax_minor,
        packaging_minor=packaging_minor,
    )


def check_new_order(currency: str, lines: Sequence[LineItem], delivery_fee_minor: int) -> list[FieldError]:
    """Every broken rule at once, so a client fixes its request in one round trip."""
    errors: list[FieldError] = []
    if currency not in SUPPORTED_CURRENCIES:
        supported = ", ".join(sorted(SUPPORTED_CURRENCIES))
        errors.append(FieldError("currency", f"Currency must be one of: {supported}."))
    if not 0 <= delivery_fee_minor <= MAX_DELIVERY_FEE_MINOR:
        errors.append(
            FieldError(
                "delivery_fee_minor",
                f"Delivery fee must be between 0 and {MAX_DELIVERY_FEE_MINOR} minor units.",
            )
        )
    if not 1 <= len(lines) <= MAX_LINES:
        errors.append(FieldError("lines", f"An order has between 1 and {MAX_LINES} lines."))
    seen: set[str] = set()
    for index, line in enumerate(lines):
        where = f"lines[{index}]"
        if not 1 <= line.quantity <= MAX_QUANTITY:
            errors.append(FieldError(f"{where}.quantity", f"Quantity must be between 1 and {MAX_QUANTITY}."))
        if not 0 <= line.unit_price_minor <= MAX_UNIT_PRICE_MINOR:
            errors.append(
                FieldError(
                    f"{where}.unit_price_minor",
                    f"Unit price must be between 0 and {MAX_UNIT_PRICE_MINOR} minor units.",
                )
            )
        if line.item_id in seen:
            # One line per item keeps quantities unambiguous for the kitchen and refunds.
            errors.append(FieldError(f"{where}.item_id", f"Item {line.item_id!r} appears on two lines."))
        seen.add(line.item_id)
    return errors


def place_order(
    *,
    order_id: uuid.UUID,
    customer_id: str,
    restaurant_id: str,
    city: str,
    currency: str,
    lines: Sequence[LineItem],
    delivery_fee_minor: int,
    placed_at: datetime,
    discount_minor: int = 0,
    tax_minor: int = 0,
    packaging_minor: int = 0,
    offer_code: str | None = None,
) -> Order:
    """A new PENDING order with server-computed totals, or OrderRejected."""
    if placed_at.tzinfo is None:
        raise ValueError("placed_at must be timezone-aware")
    if discount_minor and offer_code is None:
        raise ValueError("a discount needs the offer_code it came from")
    errors = check_new_order(currency, lines, delivery_fee_minor)
    if errors:
        raise OrderRejected(errors)
    totals = price_order(
        lines,
        delivery_fee_minor,
        discount_minor=discount_minor,
        tax_minor=tax_minor,
        packaging_minor=packaging_minor,
    )
    if totals.total_minor > MAX_PAYMENT_MINOR:
        # No payment method takes more: such an order could never be paid. The lines
        # are what the customer can change.
        message = (
            f"The order would cost {totals.total_minor} minor units; one payment covers at most "
            f"{MAX_PAYMENT_MINOR}. Order fewer portions."
        )
        raise OrderRejected([FieldError("lines", message)])
    return Order(
        order_id=order_id,
        customer_id=customer_id,
        restaurant_id=restaurant_id,
        city=city,
        currency=currency,
        lines=tuple(lines),
        totals=totals,
        status=OrderStatus.PENDING,
        placed_at=placed_at,
        offer_code=offer_code,
    )
