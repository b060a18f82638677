"""Reading what happened: one payment (to those who may see it) and the wallet's ledger."""

from __future__ import annotations

import uuid

from serving.kernel.auth import Principal, Role
from serving.payments.adapters import ledger_store, repository
from serving.payments.domain import ledger
from serving.payments.domain.payment import Payment
from serving.payments.entrypoints.schemas import TransactionOut, TransactionPage
from serving.payments.use_cases.dependencies import Dependencies


def get_payment(deps: Dependencies, payment_id: uuid.UUID, principal: Principal) -> Payment | None:
    """The payment if it exists and the principal may see it; otherwise None (alike, so
    existence does not leak)."""
    with deps.engine.connect() as connection:
        payment = repository.find_payment(connection, payment_id)
    if payment is None or not payment_visible_to(payment, principal):
        return None
    return payment


def payment_visible_to(payment: Payment, principal: Principal) -> bool:
    """Customers see their own payments; admins see every payment."""
    return principal.role is Role.ADMIN or (
        principal.role is Role.CUSTOMER and payment.customer_id == principal.subject
    )


def transactions(deps: Dependencies, customer_id: str, cursor: int | None, limit: int) -> TransactionPage:
    """The customer's wallet lines, newest first, strictly before ``cursor`` (a line id)."""
    with deps.engine.connect() as connection:
        lines = ledger_store.account_history(connection, ledger.wallet_account(customer_id), cursor, limit + 1)
    page = lines[:limit]
    return TransactionPage(
        items=[
            TransactionOut(
                entry_id=line.entry_id,
                kind=line.kind,
                payment_id=line.payment_id,
                amount_minor=line.amount_minor,
                balance_after_minor=line.balance_after_minor,
                created_at=line.created_at,
            )
            for line in page
        ],
        next_cursor=str(page[-1].line_id) if len(lines) > limit else None,
    )
