"""What the saga does about an event: pure, no I/O, no clock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from contracts.events.orders import OrderCancelled, OrderDelivered, OrderRejected
from contracts.events.payments import PaymentFailed
from serving.orders.domain import OrderStatus
from serving.orders.lifecycle import Actor, CancelReason, IllegalTransition, decide
from serving.payments.domain.payment import Method, RefundDestination


def cancels_for_failed_payment(event_type: str, status: OrderStatus) -> bool:
    """A failed payment cancels the order while the lifecycle still allows it.

    Later statuses (or an order already cancelled) are left alone: redelivery or a
    late failure event must not fight the lifecycle.
    """
    if event_type != PaymentFailed.event_type:
        return False
    try:
        decide(status, OrderStatus.CANCELLED, Actor.SYSTEM, CancelReason.PAYMENT_FAILED)
    except IllegalTransition:
        return False
    return True


@dataclass(frozen=True)
class RefundPlan:
    """Refund ``amount_minor`` of the order's payment (None: everything not yet refunded)."""

    order_id: uuid.UUID
    amount_minor: int | None
    why: str


def cod_to_settle(event_type: str, payload: dict[str, Any]) -> uuid.UUID | None:
    """The order whose cash the courier has just collected, if this event says so.

    Delivery is when cash changes hands; the payment service settles a pending COD
    payment then (a no-op for any other payment method, or none).
    """
    if event_type != OrderDelivered.event_type:
        return None
    return OrderDelivered.model_validate(payload).order_id


def refund_plan(event_type: str, payload: dict[str, Any]) -> RefundPlan | None:
    """The compensation an order event asks of payments, or None.

    - rejected by the restaurant, or nobody accepted in time: everything back;
    - cancelled by the customer: ``refund_due_minor`` (total minus the fee), if any;
    - cancelled because the payment failed: there is nothing to give back.
    """
    if event_type == OrderRejected.event_type:
        rejected = OrderRejected.model_validate(payload)
        return RefundPlan(rejected.order_id, None, CancelReason.RESTAURANT_REJECTED.value)
    if event_type != OrderCancelled.event_type:
        return None
    cancelled = OrderCancelled.model_validate(payload)
    if cancelled.reason == CancelReason.ACCEPT_TIMEOUT.value:
        return RefundPlan(cancelled.order_id, None, cancelled.reason)
    if cancelled.reason == CancelReason.CUSTOMER_CANCELLED.value and cancelled.refund_due_minor > 0:
        return RefundPlan(cancelled.order_id, cancelled.refund_due_minor, cancelled.reason)
    return None


def refund_amount(plan: RefundPlan, paid_minor: int, refunded_minor: int) -> int:
    """How much to refund now: the plan's amount, never more than is left (0: nothing)."""
    left = paid_minor - refunded_minor
    wanted = left if plan.amount_minor is None else plan.amount_minor
    return max(0, min(wanted, left))


def refund_destination(method: Method) -> RefundDestination:
    """Back the way it came: a card through the gateway, wallet (and COD cash) to the wallet."""
    return RefundDestination.ORIGINAL if method is Method.CARD else RefundDestination.WALLET


def accept_deadline(now: datetime, timeout: timedelta) -> datetime:
    """Orders placed before this and still PENDING have waited too long for the restaurant."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now - timeout


def refund_idempotency_key(event_id: uuid.UUID) -> str:
    """Derived from the triggering event, so a redelivered event refunds once."""
    return f"refund:{event_id}"
