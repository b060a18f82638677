"""The double-entry ledger, pure: accounts and journal entries whose lines sum to zero.

Sign convention: a line's ``amount_minor`` is added to its account's balance. A
customer's wallet balance is what we owe them, so a top-up is +X on the wallet and
−X on the account the money came from; paying an order from the wallet is −X on the
wallet and +X on order revenue. Every entry's lines sum to zero, so money is only
ever moved, never created or lost, and the sum of all balances is always zero.

Only wallet accounts must stay ≥ 0 (a customer cannot spend money they do not
have); system accounts are counterparties and may go negative (e.g. the card
clearing account is "owed" by the card network).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class AccountKind(StrEnum):
    WALLET = "WALLET"
    SYSTEM = "SYSTEM"


class EntryKind(StrEnum):
    WALLET_TOPUP = "WALLET_TOPUP"
    WALLET_PAYMENT = "WALLET_PAYMENT"
    CARD_PAYMENT = "CARD_PAYMENT"
    COD_SETTLEMENT = "COD_SETTLEMENT"
    REFUND_TO_WALLET = "REFUND_TO_WALLET"
    REFUND_TO_CARD = "REFUND_TO_CARD"


# System accounts, created by the migration.
CARD_CLEARING = "system:card_clearing"  # money on its way from / to the card gateway
CASH_COLLECTED = "system:cash_collected"  # COD cash the couriers brought in
ORDER_REVENUE = "system:order_revenue"  # what customers paid for orders (before splits)
SYSTEM_ACCOUNTS = (CARD_CLEARING, CASH_COLLECTED, ORDER_REVENUE)


def wallet_account(customer_id: str) -> str:
    return f"wallet:{customer_id}"


@dataclass(frozen=True)
class Line:
    account_id: str
    amount_minor: int  # added to the account's balance; never 0


@dataclass(frozen=True)
class JournalEntry:
    entry_id: uuid.UUID
    kind: EntryKind
    lines: tuple[Line, ...]
    payment_id: uuid.UUID | None = None

    def __post_init__(self) -> None:
        check_balanced(self.lines)


class UnbalancedEntry(ValueError):
    """A bug, never user input: entries are built here from validated amounts."""


def check_balanced(lines: Sequence[Line]) -> None:
    if len(lines) < 2:
        raise UnbalancedEntry("an entry moves money between at least two accounts")
    for line in lines:
        if not isinstance(line.amount_minor, int) or isinstance(line.amount_minor, bool):
            raise UnbalancedEntry("amounts are integer minor units")
        if line.amount_minor == 0:
            raise UnbalancedEntry("a line moves a non-zero amount")
    if len({line.account_id for line in lines}) != len(lines):
        raise UnbalancedEntry("an account appears once per entry")
    total = sum(line.amount_minor for line in lines)
    if total != 0:
        raise UnbalancedEntry(f"lines sum to {total}, not 0")


def transfer(
    kind: EntryKind,
    *,
    source: str,
    destination: str,
    amount_minor: int,
    entry_id: uuid.UUID,
    payment_id: uuid.UUID | None = None,
) -> JournalEntry:
    """Move ``amount_minor`` (> 0) from ``source`` to ``destination``."""
    if amount_minor <= 0:
        raise UnbalancedEntry("a transfer moves a positive amount")
    return JournalEntry(
        entry_id=entry_id,
        kind=kind,
        lines=(Line(source, -amount_minor), Line(destination, amount_minor)),
        payment_id=payment_id,
    )


def top_up(customer_id: str, amount_minor: int, entry_id: uuid.UUID) -> JournalEntry:
    """Card money into the wallet."""
    return transfer(
        EntryKind.WALLET_TOPUP,
        source=CARD_CLEARING,
        destination=wallet_account(customer_id),
        amount_minor=amount_minor,
        entry_id=entry_id,
    )


def wallet_payment(customer_id: str, amount_minor: int, entry_id: uuid.UUID, payment_id: uuid.UUID) -> JournalEntry:
    return transfer(
        EntryKind.WALLET_PAYMENT,
        source=wallet_account(customer_id),
        destination=ORDER_REVENUE,
        amount_minor=amount_minor,
        entry_id=entry_id,
        payment_id=payment_id,
    )


def card_payment(amount_minor: int, entry_id: uuid.UUID, payment_id: uuid.UUID) -> JournalEntry:
    return transfer(
        EntryKind.CARD_PAYMENT,
        source=CARD_CLEARING,
        destination=ORDER_REVENUE,
        amount_minor=amount_minor,
        entry_id=entry_id,
        payment_id=payment_id,
    )


def cod_settlement(amount_minor: int, entry_id: uuid.UUID, payment_id: uuid.UUID) -> JournalEntry:
    return transfer(
        EntryKind.COD_SETTLEMENT,
        source=CASH_COLLECTED,
        destination=ORDER_REVENUE,
        amount_minor=amount_minor,
        entry_id=entry_id,
        payment_id=payment_id,
    )


def refund(
    customer_id: str, amount_minor: int, *, to_wallet: bool, entry_id: uuid.UUID, payment_id: uuid.UUID
) -> JournalEntry:
    """Revenue back to the customer: into their wallet, or out through the card gateway."""
    return transfer(
        EntryKind.REFUND_TO_WALLET if to_wallet else EntryKind.REFUND_TO_CARD,
        source=ORDER_REVENUE,
        destination=wallet_account(customer_id) if to_wallet else CARD_CLEARING,
        amount_minor=amount_minor,
        entry_id=entry_id,
        payment_id=payment_id,
    )
