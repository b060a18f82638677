"""Reading and writing payments, the ledger and idempotency keys, on a connection the
caller controls (one transaction per use case, see ``service``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection

from contracts.envelope import EventEnvelope
from serving.kernel.messaging.outbox_writer import append_to_outbox
from serving.payments.adapters.tables import (
    accounts,
    idempotency_keys,
    journal_entries,
    journal_lines,
    outbox,
    payments,
    refunds,
)
from serving.payments.domain import ledger
from serving.payments.domain.payment import Method, Payment, PaymentStatus, Refund


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: dict[str, Any]


class IdempotencyKeyReused(Exception):
    """The key was used before for a different request."""


class WalletOverdrawn(Exception):
    """A wallet would go below zero (or does not exist); the use case says what that means."""

    def __init__(self, account_id: str) -> None:
        super().__init__(account_id)
        self.account_id = account_id


# --- idempotency keys -------------------------------------------------------------


def claim_idempotency_key(
    connection: Connection, caller: str, key: str, fingerprint: str, now: datetime
) -> StoredResponse | None:
    """None if this transaction now owns the key; else the first request's stored answer.

    The insert waits while another transaction holds the same key uncommitted, so
    concurrent duplicates run one after the other: the second sees the first's
    committed answer (or, if the first rolled back, takes the key itself).
    """
    claimed = connection.execute(
        pg_insert(idempotency_keys)
        .values(
            caller=caller,
            idempotency_key=key,
            request_fingerprint=fingerprint,
            # Placeholders, replaced by store_response before this transaction commits.
            response_status=0,
            response_body={},
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(idempotency_keys.c.caller)
    ).first()
    if claimed is not None:
        return None
    row = connection.execute(
        sa.select(idempotency_keys).where(
            idempotency_keys.c.caller == caller, idempotency_keys.c.idempotency_key == key
        )
    ).one()
    if row.request_fingerprint != fingerprint:
        raise IdempotencyKeyReused(key)
    return StoredResponse(row.response_status, dict(row.response_body))


def store_response(connection: Connection, caller: str, key: str, response: StoredResponse) -> None:
    connection.execute(
        sa.update(idempotency_keys)
        .where(idempotency_keys.c.caller == caller, idempotency_keys.c.idempotency_key == key)
        .values(response_status=response.status_code, response_body=response.body)
    )


# --- ledger -------------------------------------------------------------------------


def ensure_wallet(connection: Connection, customer_id: str, currency: str, now: datetime) -> None:
    connection.execute(
        pg_insert(accounts)
        .values(
            account_id=ledger.wallet_account(customer_id),
            kind=ledger.AccountKind.WALLET.value,
            owner_id=customer_id,
            currency=currency,
            balance_minor=0,
            created_at=now,
        )
        .on_conflict_do_nothing()
    )


def post_entry(connection: Connection, entry: ledger.JournalEntry, now: datetime) -> dict[str, int]:
    """Apply a balanced entry; returns each account's new balance.

    Each balance changes with one conditional UPDATE: it locks the account row, and
    PostgreSQL re-checks the condition against the latest committed balance after
    waiting for a concurrent writer, so two debits can never both spend the same
    money. Rows are locked in account-id order, so two entries cannot deadlock.
    Raises WalletOverdrawn if a wallet would go negative (or does not exist).
    """
    connection.execute(
        sa.insert(journal_entries).values(
            entry_id=entry.entry_id,
            kind=entry.kind.value,
            payment_id=entry.payment_id,
            created_at=now,
        )
    )
    balances: dict[str, int] = {}
    for line in sorted(entry.lines, key=lambda line: line.account_id):
        new_balance = sa.literal(line.amount_minor, sa.BigInteger) + accounts.c.balance_minor
        balance = connection.execute(
            sa.update(accounts)
            .where(
                accounts.c.account_id == line.account_id,
                sa.or_(accounts.c.kind != ledger.AccountKind.WALLET.value, new_balance >= 0),
            )
            .values(balance_minor=new_balance)
            .returning(accounts.c.balance_minor)
        ).scalar_one_or_none()
        if balance is None:
            raise WalletOverdrawn(line.account_id)
        balances[line.account_id] = balance
        connection.execute(
            sa.insert(journal_lines).values(
                entry_id=entry.entry_id,
                account_id=line.account_id,
                amount_minor=line.amount_minor,
                balance_after_minor=balance,
            )
        )
    return balances


def balance_of(connection: Connection, account_id: str) -> int | None:
    balance: int | None = connection.execute(
        sa.select(accounts.c.balance_minor).where(accounts.c.account_id == account_id)
    ).scalar_one_or_none()
    return balance


@dataclass(frozen=True)
class LedgerLine:
    line_id: int
    entry_id: uuid.UUID
    kind: str
    payment_id: uuid.UUID | None
    amount_minor: int
    balance_after_minor: int
    created_at: datetime


def account_history(
    connection: Connection, account_id: str, before_line_id: int | None, limit: int
) -> list[LedgerLine]:
    """An account's lines, newest first, strictly before the cursor."""
    query = (
        sa.select(
            journal_lines.c.line_id,
            journal_lines.c.entry_id,
            journal_entries.c.kind,
            journal_entries.c.payment_id,
            journal_lines.c.amount_minor,
            journal_lines.c.balance_after_minor,
            journal_entries.c.created_at,
        )
        .join(journal_entries, journal_entries.c.entry_id == journal_lines.c.entry_id)
        .where(journal_lines.c.account_id == account_id)
        .order_by(journal_lines.c.line_id.desc())
        .limit(limit)
    )
    if before_line_id is not None:
        query = query.where(journal_lines.c.line_id < before_line_id)
    return [LedgerLine(**row._mapping) for row in connection.execute(query)]


# --- payments and refunds -----------------------------------------------------------


def insert_payment(connection: Connection, payment: Payment) -> None:
    """Raises sqlalchemy IntegrityError on uq_payments_live_order if the order already
    has a pending or succeeded payment (waiting first for a concurrent one to commit)."""
    connection.execute(sa.insert(payments).values(_payment_row(payment)))


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
