"""Orders as contract events: the only place the orders service builds envelopes."""

from __future__ import annotations

from typing import Any

from contracts.envelope import EventEnvelope
from contracts.events.orders import (
    OrderAccepted,
    OrderAssigned,
    OrderCancelled,
    OrderCompleted,
    OrderDelivered,
    OrderDispatched,
    OrderLine,
    OrderPickedUp,
    OrderPlaced,
    OrderPreparing,
    OrderReady,
    OrderStatusChange,
)
from contracts.events.orders import OrderRejected as OrderRejectedEvent
from serving.orders.domain.lifecycle import CancelReason, Transitioned
from serving.orders.domain.order import Order, OrderStatus

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
        discount_minor=order.totals.discount_minor,
        tax_minor=order.totals.tax_minor,
        packaging_minor=order.totals.packaging_minor,
        offer_code=order.offer_code,
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


_EVENT_BY_TARGET: dict[OrderStatus, type[OrderStatusChange]] = {
    OrderStatus.ACCEPTED: OrderAccepted,
    OrderStatus.PREPARING: OrderPreparing,
    OrderStatus.READY: OrderReady,
    OrderStatus.ASSIGNED: OrderAssigned,
    OrderStatus.PICKED: OrderPickedUp,
    OrderStatus.OUT_FOR_DELIVERY: OrderDispatched,
    OrderStatus.DELIVERED: OrderDelivered,
    OrderStatus.COMPLETED: OrderCompleted,
    OrderStatus.CANCELLED: OrderCancelled,
}


def transition_event(change: Transitioned) -> OrderStatusChange:
    """The one event of a status change (a restaurant's rejection is OrderRejected)."""
    order = change.after
    common: dict[str, Any] = {
        "order_id": order.order_id,
        "customer_id": order.customer_id,
        "restaurant_id": order.restaurant_id,
        "city": order.city,
        "from_status": change.before.status.value,
        "to_status": order.status.value,
        "actor": change.actor.value,
        "changed_at": change.changed_at,
    }
    if change.reason is CancelReason.RESTAURANT_REJECTED:
        assert change.rejection_reason is not None
        return OrderRejectedEvent(**common, rejection_reason=change.rejection_reason.value)
    if order.status is OrderStatus.ACCEPTED:
        assert change.prep_time_minutes is not None and order.estimated_ready_at is not None
        return OrderAccepted(
            **common,
            prep_time_minutes=change.prep_time_minutes,
            estimated_ready_at=order.estimated_ready_at,
        )
    if order.status is OrderStatus.CANCELLED:
        assert change.reason is not None
        return OrderCancelled(
            **common,
            reason=change.reason.value,
            cancellation_fee_minor=change.cancellation_fee_minor,
            refund_due_minor=order.totals.total_minor - change.cancellation_fee_minor,
            currency=order.currency,
        )
    return _EVENT_BY_TARGET[order.status](**common)


def transition_envelope(change: Transitioned, *, trace_id: str | None = None) -> EventEnvelope:
    """The status change's envelope, keyed by the order id like every order event."""
    event = transition_event(change)
    fields: dict[str, Any] = {
        "event_type": event.event_type,
        "schema_version": event.schema_version,
        "occurred_at": change.changed_at,
        "producer": PRODUCER,
        "aggregate_id": str(change.after.order_id),
        "payload": event.model_dump(mode="json"),
    }
    if trace_id:
        fields["trace_id"] = trace_id
    return EventEnvelope.model_validate(fields)
