"""Orders as contract events: the only place the orders service builds envelopes."""

from __future__ import annotations

from contracts.envelope import EventEnvelope
from contracts.events.orders import OrderLine, OrderPlaced
from serving.orders.domain import Order

PRODUCER = "orders"


def order_placed(order: Order) -> OrderPlaced:
    return OrderPlaced(
        order_id=order.order_id,
        customer_id=order.customer_id,
        restaurant_id=order.restaurant_id,
        city=order.city,
        lines=[
            OrderLine(
                item_id=line.item_id,
                name=line.name,
                quantity=line.quantity,
                unit_price_minor=line.unit_price_minor,
            )
            for line in order.lines
        ],
        subtotal_minor=order.totals.subtotal_minor,
        delivery_fee_minor=order.totals.delivery_fee_minor,
        total_minor=order.totals.total_minor,
        currency=order.currency,
        placed_at=order.placed_at,
    )


def order_placed_envelope(order: Order, *, trace_id: str | None = None) -> EventEnvelope:
    """The OrderPlaced envelope, keyed (aggregate_id) by the order id."""
    event = order_placed(order)
    fields = {
        "event_type": OrderPlaced.event_type,
        "schema_version": OrderPlaced.schema_version,
        "occurred_at": order.placed_at,
        "producer": PRODUCER,
        "aggregate_id": str(order.order_id),
        "payload": event.model_dump(mode="json"),
    }
    if trace_id:
        fields["trace_id"] = trace_id
    return EventEnvelope.model_validate(fields)
