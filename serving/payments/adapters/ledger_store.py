"""The double-entry ledger in PostgreSQL: wallets, balanced entries and an account's
history, on a connection the caller controls (the rules are ``domain/ledger.py``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection

from serving.payments.adapters.tables import accounts, journal_entries, journal_lines
from serving.payments.domain import ledger


class WalletOverdrawn(Exception):
    """A wallet would go below zero (or does not exist); the use case says what that means."""

    def __init__(self, account_id: str) -> None:
        super().__init__(account_id)
        self.account_id = account_id


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
