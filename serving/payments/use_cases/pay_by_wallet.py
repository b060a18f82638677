"""Paying for an order from the wallet: one balanced ledger entry, never an overdraft."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime

from sqlalchemy.engine import Connection

from serving.kernel.field_errors import FieldError
from serving.payments.adapters import ledger_store
from serving.payments.domain import ledger
from serving.payments.domain.payment import Payment, PaymentStatus
from serving.payments.errors import InsufficientFunds


def debit_wallet(connection: Connection, payment: Payment, now: datetime) -> Payment:
    """The payment, SUCCEEDED, its amount moved from the wallet to order revenue; or
    InsufficientFunds (the balance is checked by the write itself, so concurrent debits
    can never spend the same money)."""
    entry = ledger.wallet_payment(payment.customer_id, payment.amount_minor, uuid.uuid4(), payment.payment_id)
    try:
        ledger_store.post_entry(connection, entry, now)
    except ledger_store.WalletOverdrawn:
        raise InsufficientFunds(
            "The wallet balance is lower than the amount.",
            [FieldError("amount_minor", "The wallet balance is lower than the amount.")],
        ) from None
    return replace(payment, status=PaymentStatus.SUCCEEDED)
