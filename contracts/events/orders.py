"""Events of the order aggregate, keyed by order_id on the orders topic."""

from __future__ import annotations

import uuid
from typing import ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.money import CurrencyCode, MinorUnits


class OrderLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    item_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    quantity: int = Field(ge=1, le=100)
    unit_price_minor: MinorUnits


class OrderPlaced(BaseModel):
    """A customer placed an order; it is PENDING until the restaurant answers.

    ``total_minor`` = subtotal - discount + tax + packaging + delivery fee: what the
    customer pays (GMV downstream). The breakdown fields were added to version 1 with
    defaults, so events written before them still validate (as no discount, tax or
    packaging, which is how those orders were priced).
    """

    event_type: ClassVar[str] = "OrderPlaced"
    schema_version: ClassVar[int] = 1

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: uuid.UUID
    customer_id: str
    restaurant_id: str
    city: str
    lines: list[OrderLine]
    subtotal_minor: MinorUnits
    delivery_fee_minor: MinorUnits
    total_minor: MinorUnits
    currency: CurrencyCode
    placed_at: AwareDatetime
    discount_minor: MinorUnits = 0
    tax_minor: MinorUnits = 0
    packaging_minor: MinorUnits = 0
    offer_code: str | None = Field(default=None, min_length=1, max_length=32)


# --- Lifecycle: one event per status change, all keyed by order_id on orders.v1 ---


class OrderStatusChange(BaseModel):
    """Fields every lifecycle event carries (not an event type itself)."""

    event_type: ClassVar[str]
    schema_version: ClassVar[int]

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: uuid.UUID
    customer_id: str
    restaurant_id: str
    city: str
    from_status: str
    to_status: str
    # Who made the move: customer, restaurant, courier, admin or system.
    actor: str
    changed_at: AwareDatetime


class OrderAccepted(OrderStatusChange):
    """The restaurant accepted the order and estimated when it will be ready."""

    event_type: ClassVar[str] = "OrderAccepted"
    schema_version: ClassVar[int] = 1

    prep_time_minutes: int = Field(ge=1, le=180)
    estimated_ready_at: AwareDatetime


class OrderRejected(OrderStatusChange):
    """The restaurant turned the order down; it is CANCELLED (reason restaurant_rejected)."""

    event_type: ClassVar[str] = "OrderRejected"
    schema_version: ClassVar[int] = 1

    rejection_reason: str


class OrderPreparing(OrderStatusChange):
    event_type: ClassVar[str] = "OrderPreparing"
    schema_version: ClassVar[int] = 1


class OrderReady(OrderStatusChange):
    event_type: ClassVar[str] = "OrderReady"
    schema_version: ClassVar[int] = 1


class OrderAssigned(OrderStatusChange):
    event_type: ClassVar[str] = "OrderAssigned"
    schema_version: ClassVar[int] = 1


class OrderPickedUp(OrderStatusChange):
    event_type: ClassVar[str] = "OrderPickedUp"
    schema_version: ClassVar[int] = 1


class OrderDispatched(OrderStatusChange):
    """The courier is on the way to the customer (status OUT_FOR_DELIVERY)."""

    event_type: ClassVar[str] = "OrderDispatched"
    schema_version: ClassVar[int] = 1


class OrderDelivered(OrderStatusChange):
    event_type: ClassVar[str] = "OrderDelivered"
    schema_version: ClassVar[int] = 1


class OrderCompleted(OrderStatusChange):
    event_type: ClassVar[str] = "OrderCompleted"
    schema_version: ClassVar[int] = 1


class OrderCancelled(OrderStatusChange):
    """Cancelled for ``reason``; payments refunds ``refund_due_minor`` (compensation)."""

    event_type: ClassVar[str] = "OrderCancelled"
    schema_version: ClassVar[int] = 1

    reason: str
    cancellation_fee_minor: MinorUnits
    refund_due_minor: MinorUnits
    currency: CurrencyCode


ORDER_LIFECYCLE_EVENTS: tuple[type[OrderStatusChange], ...] = (
    OrderAccepted,
    OrderRejected,
    OrderPreparing,
    OrderReady,
    OrderAssigned,
    OrderPickedUp,
    OrderDispatched,
    OrderDelivered,
    OrderCompleted,
    OrderCancelled,
)
