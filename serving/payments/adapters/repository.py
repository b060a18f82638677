"""Reading and writing payments and refunds, and appending the service's events to its
outbox, on a connection the caller controls (one transaction per use case)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from contracts.envelope import EventEnvelope
from serving.kernel.messaging.outbox_writer import append_to_outbox
from serving.payments.adapters.tables import outbox, payments, refunds
from serving.payments.domain.payment import Method, Payment, PaymentStatus, Refund


class LivePaymentExists(Exception):
    """The order already has a pending or succeeded payment (uq_payments_live_order)."""


def insert_payment(connection: Connection, payment: Payment) -> None:
    """Raises LivePaymentExists if the order already has a pending or succeeded payment
    (waiting first for a concurrent one to commit); the transaction is then unusable."""
    try:
        connection.execute(sa.insert(payments).values(_payment_row(payment)))
    except IntegrityError as exc:
        if "uq_payments_live_order" not in str(exc.orig):
            raise
        raise LivePaymentExists(str(payment.order_id)) from None


def update_payment(connection: Connection, payment: Payment) -> None:
    row = _payment_row(payment)
    del row["payment_id"]
    connection.execute(sa.update(payments).where(payments.c.payment_id == payment.payment_id).values(row))


def _payment_row(payment: Payment) -> dict[str, Any]:
    return {
        "payment_id": payment.payment_id,
        "order_id": payment.order_id,
        "customer_id": payment.customer_id,
        "method": payment.method.value,
        "status": payment.status.value,
        "amount_minor": payment.amount_minor,
        "refunded_minor": payment.refunded_minor,
        "currency": payment.currency,
        "card_last4": payment.card_last4,
        "card_brand": payment.card_brand,
        "card_token": payment.card_token,
        "gateway_reference": payment.gateway_reference,
        "failure_reason": payment.failure_reason,
        "created_at": payment.created_at,
        "updated_at": payment.updated_at,
    }


def _payment(row: Any) -> Payment:
    return Payment(
        payment_id=row.payment_id,
        order_id=row.order_id,
        customer_id=row.customer_id,
        method=Method(row.method),
        status=PaymentStatus(row.status),
        amount_minor=row.amount_minor,
        refunded_minor=row.refunded_minor,
        currency=row.currency,
        created_at=row.created_at,
        updated_at=row.updated_at,
        card_last4=row.card_last4,
        card_brand=row.card_brand,
        card_token=row.card_token,
        gateway_reference=row.gateway_reference,
        failure_reason=row.failure_reason,
    )


def find_payment(connection: Connection, payment_id: uuid.UUID, *, for_update: bool = False) -> Payment | None:
    query = sa.select(payments).where(payments.c.payment_id == payment_id)
    if for_update:
        query = query.with_for_update()
    row = connection.execute(query).first()
    return _payment(row) if row is not None else None


def find_live_cod_payment(connection: Connection, order_id: uuid.UUID) -> Payment | None:
    """The order's COD payment that is pending or settled, locked for the settlement."""
    row = connection.execute(
        sa.select(payments)
        .where(
            payments.c.order_id == order_id,
            payments.c.method == Method.COD.value,
            payments.c.status.in_([PaymentStatus.PENDING.value, PaymentStatus.SUCCEEDED.value]),
        )
        .with_for_update()
    ).first()
    return _payment(row) if row is not None else None


def find_succeeded_payment(connection: Connection, order_id: uuid.UUID) -> Payment | None:
    """The order's captured payment (at most one: uq_payments_live_order); no lock."""
    row = connection.execute(
        sa.select(payments).where(payments.c.order_id == order_id, payments.c.status == PaymentStatus.SUCCEEDED.value)
    ).first()
    return _payment(row) if row is not None else None


def insert_refund(connection: Connection, refund: Refund) -> None:
    connection.execute(
        sa.insert(refunds).values(
            refund_id=refund.refund_id,
            payment_id=refund.payment_id,
            amount_minor=refund.amount_minor,
            destination=refund.destination.value,
            gateway_reference=refund.gateway_reference,
            created_at=refund.created_at,
        )
    )


def append_event(connection: Connection, event: EventEnvelope) -> None:
    append_to_outbox(connection, outbox, event)
