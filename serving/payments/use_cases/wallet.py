"""The wallet: topping it up from a card, and its balance."""

from __future__ import annotations

import uuid

from serving.kernel.field_errors import FieldError
from serving.payments.adapters import idempotency_keys, ledger_store
from serving.payments.adapters.retry import call_with_retries
from serving.payments.domain import ledger
from serving.payments.domain.gateway import Charge, ChargeRequest, GatewayDeclined, GatewayUnavailable
from serving.payments.domain.payment import derived_id
from serving.payments.entrypoints.schemas import TopUpOut, TopUpRequest
from serving.payments.errors import CardDeclined, GatewayStillUnavailable
from serving.payments.use_cases.dependencies import GATEWAY_UNAVAILABLE, Dependencies, Outcome, claim_key


def top_up(deps: Dependencies, customer_id: str, request: TopUpRequest, idempotency_key: str) -> Outcome:
    """Charge the card and credit the wallet, both or neither.

    Refusals: CardDeclined, GatewayStillUnavailable, IdempotencyConflict.
    """
    topup_id = derived_id(customer_id, "topup", idempotency_key)
    with deps.engine.begin() as connection:
        replayed = claim_key(deps, connection, customer_id, idempotency_key, request.fingerprint())
        if replayed is not None:
            return replayed
        charge = _charge_for_top_up(deps, topup_id, request)
        now = deps.now()
        ledger_store.ensure_wallet(connection, customer_id, request.currency, now)
        balances = ledger_store.post_entry(connection, ledger.top_up(customer_id, request.amount_minor, topup_id), now)
        body = TopUpOut(
            topup_id=topup_id,
            amount_minor=request.amount_minor,
            balance_minor=balances[ledger.wallet_account(customer_id)],
            currency=request.currency,
            card_last4=charge.card_last4,
            card_brand=charge.card_brand,
            created_at=now,
        ).model_dump(mode="json")
        idempotency_keys.store_response(connection, customer_id, idempotency_key, body)
    return Outcome(body)


def _charge_for_top_up(deps: Dependencies, topup_id: uuid.UUID, request: TopUpRequest) -> Charge:
    charge_request = ChargeRequest(
        idempotency_key=f"topup:{topup_id}",
        amount_minor=request.amount_minor,
        currency=request.currency,
        card=request.card.details(),
        description="Tiffin wallet top-up",
    )
    try:
        return call_with_retries(lambda: deps.gateway.charge(charge_request), deps.retry_policy)
    except GatewayDeclined as declined:
        raise CardDeclined(
            "The card was declined.", [FieldError("card.number", f"The card was declined ({declined.reason}).")]
        ) from None
    except GatewayUnavailable:
        raise GatewayStillUnavailable(GATEWAY_UNAVAILABLE) from None


def wallet_balance(deps: Dependencies, customer_id: str) -> int:
    """The wallet's balance in minor units (0 before the first top-up)."""
    with deps.engine.connect() as connection:
        return ledger_store.balance_of(connection, ledger.wallet_account(customer_id)) or 0
