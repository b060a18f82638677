"""The payments service's consumer of ``orders.v1`` (the saga's payments side): refunds
rejected and cancelled orders, and settles cash on delivery when an order is delivered.

What each event asks of payments is decided in ``domain/order_events.py``. The
order's payment is found by ``order_id`` in the payments schema (the orders service
keeps no link to it). The refund goes through ``Payments.refund`` with the key
``refund:{event_id}``, inside the consumer's transaction (``ConnectionAsEngine``):
refund, ledger entry, ``PaymentRefunded`` and ``processed_events`` commit together.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import cast

from sqlalchemy.engine import Connection, Engine

from contracts.envelope import EventEnvelope
from serving.payments.adapters import repository
from serving.payments.adapters.in_transaction import ConnectionAsEngine
from serving.payments.adapters.retry import RetryPolicy
from serving.payments.domain import order_events
from serving.payments.domain.gateway import PaymentGateway
from serving.payments.entrypoints.schemas import RefundRequest
from serving.payments.errors import GatewayStillUnavailable, PaymentError
from serving.payments.service import Payments

log = logging.getLogger(__name__)

CONSUMER = "payments-saga"
# The event types the handler acts on; the consumer stores the others as ignored unseen.
HANDLED_TYPES = order_events.ACTED_ON
# The caller its refunds' idempotency keys are scoped to.
CALLER = "system:saga"


def order_event_handler(
    gateway: PaymentGateway, retry_policy: RetryPolicy = RetryPolicy()
) -> Callable[[Connection, EventEnvelope], str]:
    def handle(connection: Connection, envelope: EventEnvelope) -> str:
        delivered = order_events.cod_to_settle(envelope.event_type, envelope.payload)
        if delivered is not None:
            service = Payments(cast(Engine, ConnectionAsEngine(connection)), gateway, retry_policy)
            # settle_cod is idempotent: a redelivered OrderDelivered changes nothing more.
            settled = service.settle_cod(delivered, trace_id=envelope.trace_id)
            return "cod_settled" if settled is not None else "no_cod_payment"
        plan = order_events.refund_plan(envelope.event_type, envelope.payload)
        if plan is None:
            return "ignored"
        payment = repository.find_succeeded_payment(connection, plan.order_id)
        if payment is None:
            # Failed, still-pending COD, or never paid: no money of the customer's is held.
            return "no_payment"
        amount = order_events.refund_amount(plan, payment.amount_minor, payment.refunded_minor)
        if amount == 0:
            return "nothing_left"
        service = Payments(cast(Engine, ConnectionAsEngine(connection)), gateway, retry_policy)
        request = RefundRequest(amount_minor=amount, destination=order_events.refund_destination(payment.method))
        try:
            service.refund(
                CALLER,
                payment.payment_id,
                request,
                order_events.refund_idempotency_key(envelope.event_id),
                trace_id=envelope.trace_id,
            )
        except GatewayStillUnavailable:
            raise  # the gateway is down: roll back and let the consumer retry this event
        except PaymentError as refused:
            # Refused for good (e.g. the gateway declined the refund): recorded, and an
            # operator refunds by hand; retrying would be refused the same way.
            log.error("refund for order %s refused (%s): %s", plan.order_id, refused.code, refused)
            return f"refund_refused_{refused.code}"
        return "refunded"

    return handle
