"""Payments as contract events: the only place the payments service builds envelopes.

Every event is keyed (aggregate_id) by the order id, the key of ``payments.v1``.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from contracts.envelope import EventEnvelope
from contracts.events.payments import (
    PaymentFailed,
    PaymentOutcome,
    PaymentPending,
    PaymentRefunded,
    PaymentSucceeded,
)
from serving.payments.domain.payment import Payment, PaymentStatus, Refund

PRODUCER = "payments"


def _envelope(event: BaseModel, order_id: str, occurred_at: datetime, trace_id: str | None) -> EventEnvelope:
    fields = {
        "event_type": getattr(event, "event_type"),  # noqa: B009 - a ClassVar of each event model
        "schema_version": getattr(event, "schema_version"),  # noqa: B009
        "occurred_at": occurred_at,
        "producer": PRODUCER,
        "aggregate_id": order_id,
        "payload": event.model_dump(mode="json"),
    }
    if trace_id:
        fields["trace_id"] = trace_id
    return EventEnvelope.model_validate(fields)


def payment_outcome_envelope(payment: Payment, *, trace_id: str | None = None) -> EventEnvelope:
    """PaymentPending, PaymentSucceeded or PaymentFailed, whichever the status says."""
    common = {
        "payment_id": payment.payment_id,
        "order_id": payment.order_id,
        "customer_id": payment.customer_id,
        "method": payment.method.value,
        "amount_minor": payment.amount_minor,
        "currency": payment.currency,
    }
    event: PaymentOutcome
    if payment.status is PaymentStatus.PENDING:
        event = PaymentPending.model_validate({**common, "recorded_at": payment.updated_at})
    elif payment.status is PaymentStatus.SUCCEEDED:
        event = PaymentSucceeded.model_validate({**common, "succeeded_at": payment.updated_at})
    else:
        reason = (payment.failure_reason or "unknown")[:200]
        event = PaymentFailed.model_validate({**common, "reason": reason, "failed_at": payment.updated_at})
    return _envelope(event, str(payment.order_id), payment.updated_at, trace_id)


def payment_refunded_envelope(payment: Payment, refund: Refund, *, trace_id: str | None = None) -> EventEnvelope:
    """``payment`` as it is after the refund (its refunded_minor includes this one)."""
    event = PaymentRefunded(
        refund_id=refund.refund_id,
        payment_id=payment.payment_id,
        order_id=payment.order_id,
        customer_id=payment.customer_id,
        amount_minor=refund.amount_minor,
        refunded_total_minor=payment.refunded_minor,
        destination=refund.destination.value,
        currency=payment.currency,
        refunded_at=refund.created_at,
    )
    return _envelope(event, str(payment.order_id), refund.created_at, trace_id)
