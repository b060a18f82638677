"""Refunding part or all of a succeeded payment: to the wallet, or back to the card."""

from __future__ import annotations

import uuid
from dataclasses import replace

from serving.payments.adapters import idempotency_keys, ledger_store, repository
from serving.payments.adapters.events import payment_refunded_envelope
from serving.payments.adapters.retry import call_with_retries
from serving.payments.domain import ledger
from serving.payments.domain.gateway import GatewayDeclined, GatewayUnavailable, RefundRequest
from serving.payments.domain.payment import Payment, Refund, RefundDestination, derived_id, resolve_refund
from serving.payments.entrypoints.schemas import RefundOut
from serving.payments.entrypoints.schemas import RefundRequest as RefundBody
from serving.payments.errors import GatewayStillUnavailable, RefundDeclined
from serving.payments.use_cases.dependencies import GATEWAY_UNAVAILABLE, Dependencies, Outcome, claim_key


def refund(
    deps: Dependencies,
    caller: str,
    payment_id: uuid.UUID,
    request: RefundBody,
    idempotency_key: str,
    *,
    trace_id: str | None = None,
) -> Outcome | None:
    """Refund part or all of a succeeded payment; None if there is no such payment.

    Refusals: NotRefundable, RefundTooLarge, IdempotencyConflict, RefundDeclined and
    GatewayStillUnavailable (the only one worth retrying). The payment row is locked
    first, so concurrent refunds of one payment queue up and each sees what the others
    refunded: together they never exceed the amount.
    """
    with deps.engine.begin() as connection:
        replayed = claim_key(deps, connection, caller, idempotency_key, request.fingerprint(payment_id))
        if replayed is not None:
            return replayed
        payment = repository.find_payment(connection, payment_id, for_update=True)
        if payment is None:
            return None
        amount, destination = resolve_refund(payment, request.amount_minor, request.destination)
        refund_id = derived_id(caller, f"refund:{payment_id}", idempotency_key)
        gateway_reference = None
        if destination is RefundDestination.ORIGINAL:
            gateway_reference = _refund_card(deps, payment, refund_id, amount)
        now = deps.now()
        refund = Refund(refund_id, payment_id, amount, destination, gateway_reference, now)
        payment = replace(payment, refunded_minor=payment.refunded_minor + amount, updated_at=now)
        to_wallet = destination is RefundDestination.WALLET
        if to_wallet:
            ledger_store.ensure_wallet(connection, payment.customer_id, payment.currency, now)
        entry = ledger.refund(
            payment.customer_id, amount, to_wallet=to_wallet, entry_id=refund_id, payment_id=payment_id
        )
        ledger_store.post_entry(connection, entry, now)
        repository.insert_refund(connection, refund)
        repository.update_payment(connection, payment)
        repository.append_event(connection, payment_refunded_envelope(payment, refund, trace_id=trace_id))
        body = RefundOut(
            refund_id=refund_id,
            payment_id=payment_id,
            amount_minor=amount,
            destination=destination,
            refunded_total_minor=payment.refunded_minor,
            created_at=now,
        ).model_dump(mode="json")
        idempotency_keys.store_response(connection, caller, idempotency_key, body)
    return Outcome(body)


def _refund_card(deps: Dependencies, payment: Payment, refund_id: uuid.UUID, amount: int) -> str:
    if payment.gateway_reference is None:
        raise AssertionError(f"card payment {payment.payment_id} succeeded without a gateway reference")
    request = RefundRequest(
        idempotency_key=f"refund:{refund_id}",
        charge_reference=payment.gateway_reference,
        amount_minor=amount,
        currency=payment.currency,
    )
    try:
        return call_with_retries(lambda: deps.gateway.refund(request), deps.retry_policy).reference
    except GatewayDeclined as declined:
        raise RefundDeclined(f"The card gateway refused the refund: {declined.reason}.") from None
    except GatewayUnavailable:
        raise GatewayStillUnavailable(GATEWAY_UNAVAILABLE) from None
