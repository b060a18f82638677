"""What payments does about an order event (the saga's payments side): pure, no I/O, no clock.

- rejected by the restaurant, or nobody accepted in time: refund everything;
- cancelled by the customer: refund ``refund_due_minor`` (total minus the fee), if any;
- cancelled because the payment failed: there is nothing to give back;
- delivered: a pending cash-on-delivery payment is settled.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from contracts.events.orders import OrderCancelled, OrderDelivered, OrderRejected
from serving.payments.domain.payment import Method, RefundDestination

# The values of ``OrderCancelled.reason`` (and the reason a rejection stands for) that
# payments acts on: the orders service's cancel reasons, as they travel in the event.
RESTAURANT_REJECTED = "restaurant_rejected"
ACCEPT_TIMEOUT = "accept_timeout"
CUSTOMER_CANCELLED = "customer_cancelled"


@dataclass(frozen=True)
class RefundPlan:
    """Refund ``amount_minor`` of the order's payment (None: everything not yet refunded)."""

    order_id: uuid.UUID
    amount_minor: int | None
    why: str


# The order events anything here decides about; payments ignores every other type.
ACTED_ON: frozenset[str] = frozenset({OrderDelivered.event_type, OrderRejected.event_type, OrderCancelled.event_type})


def cod_to_settle(event_type: str, payload: dict[str, Any]) -> uuid.UUID | None:
    """The order whose cash the courier has just collected, if this event says so.

    Delivery is when cash changes hands; the payment service settles a pending COD
    payment then (a no-op for any other payment method, or none).
    """
    if event_type != OrderDelivered.event_type:
        return None
    return OrderDelivered.model_validate(payload).order_id


def refund_plan(event_type: str, payload: dict[str, Any]) -> RefundPlan | None:
    """The compensation an order event asks of payments, or None."""
    if event_type == OrderRejected.event_type:
        rejected = OrderRejected.model_validate(payload)
        return RefundPlan(rejected.order_id, None, RESTAURANT_REJECTED)
    if event_type != OrderCancelled.event_type:
        return None
    cancelled = OrderCancelled.model_validate(payload)
    if cancelled.reason == ACCEPT_TIMEOUT:
        return RefundPlan(cancelled.order_id, None, cancelled.reason)
    if cancelled.reason == CUSTOMER_CANCELLED and cancelled.refund_due_minor > 0:
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


def refund_idempotency_key(event_id: uuid.UUID) -> str:
    """Derived from the triggering event, so a redelivered event refunds once."""
    return f"refund:{event_id}"
