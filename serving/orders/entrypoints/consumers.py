"""The orders service's saga consumer: reads ``payments.v1``, cancels unpaid orders.

A ``PaymentFailed`` moves the order to CANCELLED with reason ``payment_failed``
through the lifecycle table (system actor), with its ``OrderCancelled`` event, in
the consumer's transaction (the order row locked, like every status change).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Connection

from contracts.envelope import EventEnvelope
from contracts.events.payments import PaymentFailed
from serving.kernel.clock import utc_now
from serving.orders.adapters import repository
from serving.orders.domain import lifecycle
from serving.orders.ports import StockKeeper
from serving.orders.use_cases.system_cancel import system_cancel
from serving.saga.decisions import cancels_for_failed_payment

CONSUMER = "orders-saga"
ACTOR_ID = "saga"


def payment_event_handler(
    now: Callable[[], datetime] = utc_now, stock: StockKeeper | None = None
) -> Callable[[Connection, EventEnvelope], str]:
    def handle(connection: Connection, envelope: EventEnvelope) -> str:
        if envelope.event_type != PaymentFailed.event_type:
            return "ignored"
        failed = PaymentFailed.model_validate(envelope.payload)
        order = repository.find_order(connection, failed.order_id, for_update=True)
        if order is None:
            return "unknown_order"
        if not cancels_for_failed_payment(envelope.event_type, order.status):
            return f"left_{order.status.value.lower()}"
        system_cancel(
            connection,
            order,
            lifecycle.CancelReason.PAYMENT_FAILED,
            actor_id=ACTOR_ID,
            now=now(),
            trace_id=envelope.trace_id,
            stock=stock,
        )
        return "cancelled"

    return handle
