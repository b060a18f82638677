"""Cash on delivery: the payment is recorded PENDING (``pay``) and settled here when the
courier hands the cash over (on ``OrderDelivered``, or by an admin)."""

from __future__ import annotations

import uuid
from dataclasses import replace

from serving.payments.adapters import ledger_store, repository
from serving.payments.adapters.events import payment_outcome_envelope
from serving.payments.domain import ledger
from serving.payments.domain.payment import Payment, PaymentStatus
from serving.payments.use_cases.dependencies import Dependencies


def settle_cod(deps: Dependencies, order_id: uuid.UUID, *, trace_id: str | None = None) -> Payment | None:
    """The courier handed over the cash: the order's COD payment succeeds.

    Idempotent: settling a settled payment changes nothing and returns it. None if
    the order has no pending or settled COD payment.
    """
    with deps.engine.begin() as connection:
        payment = repository.find_live_cod_payment(connection, order_id)
        if payment is None or payment.status is PaymentStatus.SUCCEEDED:
            return payment
        now = deps.now()
        payment = replace(payment, status=PaymentStatus.SUCCEEDED, updated_at=now)
        ledger_store.post_entry(
            connection, ledger.cod_settlement(payment.amount_minor, uuid.uuid4(), payment.payment_id), now
        )
        repository.update_payment(connection, payment)
        repository.append_event(connection, payment_outcome_envelope(payment, trace_id=trace_id))
    return payment
