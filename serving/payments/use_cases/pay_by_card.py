"""Paying for an order by card: one charge through the gateway, retried with the same key.

A declined card, or a gateway that stays down, is a FAILED payment (recorded and
announced, so the saga can cancel the order), not a refusal of the request.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from sqlalchemy.engine import Connection

from serving.payments.adapters import ledger_store
from serving.payments.adapters.retry import call_with_retries
from serving.payments.domain import ledger
from serving.payments.domain.gateway import (
    CardDetails,
    ChargeRequest,
    GatewayDeclined,
    GatewayTimeout,
    GatewayUnavailable,
    card_brand,
)
from serving.payments.domain.payment import Payment, PaymentStatus
from serving.payments.use_cases.dependencies import Dependencies


def charge_card(
    deps: Dependencies, connection: Connection, payment: Payment, card: CardDetails, now: datetime
) -> Payment:
    """The payment, SUCCEEDED with its ledger entry if the card was charged, else FAILED."""
    charge_request = ChargeRequest(
        idempotency_key=f"payment:{payment.payment_id}",
        amount_minor=payment.amount_minor,
        currency=payment.currency,
        card=card,
        description=f"Tiffin order {payment.order_id}",
    )
    try:
        charge = call_with_retries(lambda: deps.gateway.charge(charge_request), deps.retry_policy)
    except GatewayDeclined as declined:
        return _failed(payment, declined.reason, card)
    except GatewayTimeout:
        return _failed(payment, "gateway_timeout", card)
    except GatewayUnavailable:
        return _failed(payment, "gateway_unavailable", card)
    ledger_store.post_entry(
        connection, ledger.card_payment(payment.amount_minor, uuid.uuid4(), payment.payment_id), now
    )
    return replace(
        payment,
        status=PaymentStatus.SUCCEEDED,
        card_last4=charge.card_last4,
        card_brand=charge.card_brand,
        card_token=charge.card_token,
        gateway_reference=charge.reference,
    )


def _failed(payment: Payment, reason: str, card: CardDetails) -> Payment:
    # Last four digits and brand only, so the customer recognises which card failed.
    return replace(
        payment,
        status=PaymentStatus.FAILED,
        failure_reason=reason,
        card_last4=card.last4,
        card_brand=card_brand(card.number),
    )
