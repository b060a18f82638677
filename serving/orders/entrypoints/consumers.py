"""The orders service's consumer of ``payments.v1`` (``orders-saga``): cancels unpaid orders.

A ``PaymentFailed`` moves the order to CANCELLED with reason ``payment_failed``
through the lifecycle table (system actor), with its ``OrderCancelled`` event, in
the consumer's transaction (the order row locked, like every status change).
``bootstrap.payment_events_consumer`` builds it for the ``serving.consumers`` root.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Connection

from contracts.envelope import EventEnvelope
from contracts.events.payments import PaymentFailed
from serving.kernel.clock import utc_now
from serving.orders.ports import StockKeeper
from serving.orders.use_cases.system_cancel import cancel_unpaid

CONSUMER = "orders-saga"
# The event types the handler acts on; the consumer stores the others as ignored unseen.
HANDLED_TYPES = frozenset({PaymentFailed.event_type})


def payment_event_handler(
    stock: StockKeeper, now: Callable[[], datetime] = utc_now
) -> Callable[[Connection, EventEnvelope], str]:
    """The handler of one payments event (``stock`` gives back what a cancelled order held);
    returns the outcome the consumer records."""

    def handle(connection: Connection, envelope: EventEnvelope) -> str:
        if envelope.event_type != PaymentFailed.event_type:
            return "ignored"
        failed = PaymentFailed.model_validate(envelope.payload)
        unpaid = cancel_unpaid(connection, failed.order_id, now=now(), trace_id=envelope.trace_id, stock=stock)
        if unpaid is None:
            return "unknown_order"
        return "cancelled" if unpaid.cancelled else f"left_{unpaid.order.status.value.lower()}"

    return handle
