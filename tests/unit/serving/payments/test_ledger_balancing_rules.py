import uuid

import pytest

from serving.payments.domain import ledger
from serving.payments.domain.ledger import JournalEntry, Line, UnbalancedEntry


def test_every_entry_the_service_builds_sums_to_zero_and_touches_two_accounts() -> None:
    payment_id = uuid.uuid4()
    entries = [
        ledger.top_up("cust-1", 5000, uuid.uuid4()),
        ledger.wallet_payment("cust-1", 3000, uuid.uuid4(), payment_id),
        ledger.card_payment(3000, uuid.uuid4(), payment_id),
        ledger.cod_settlement(3000, uuid.uuid4(), payment_id),
        ledger.refund("cust-1", 1000, to_wallet=True, entry_id=uuid.uuid4(), payment_id=payment_id),
        ledger.refund("cust-1", 1000, to_wallet=False, entry_id=uuid.uuid4(), payment_id=payment_id),
    ]
    for entry in entries:
        assert sum(line.amount_minor for line in entry.lines) == 0
        assert len({line.account_id for line in entry.lines}) == 2


def test_a_top_up_credits_the_wallet_and_a_wallet_payment_debits_it() -> None:
    wallet = ledger.wallet_account("cust-1")
    top_up = {line.account_id: line.amount_minor for line in ledger.top_up("cust-1", 5000, uuid.uuid4()).lines}
    pay = {
        line.account_id: line.amount_minor
        for line in ledger.wallet_payment("cust-1", 3000, uuid.uuid4(), uuid.uuid4()).lines
    }
    assert top_up[wallet] == 5000
    assert pay[wallet] == -3000
    assert pay[ledger.ORDER_REVENUE] == 3000


def test_a_refund_to_the_wallet_credits_the_wallet_and_a_card_refund_goes_out_through_clearing() -> None:
    to_wallet = ledger.refund("c", 700, to_wallet=True, entry_id=uuid.uuid4(), payment_id=uuid.uuid4())
    to_card = ledger.refund("c", 700, to_wallet=False, entry_id=uuid.uuid4(), payment_id=uuid.uuid4())
    assert {line.account_id: line.amount_minor for line in to_wallet.lines}[ledger.wallet_account("c")] == 700
    assert {line.account_id: line.amount_minor for line in to_card.lines}[ledger.CARD_CLEARING] == 700
    assert to_wallet.kind is ledger.EntryKind.REFUND_TO_WALLET
    assert to_card.kind is ledger.EntryKind.REFUND_TO_CARD


@pytest.mark.parametrize(
    "lines",
    [
        (Line("a", 100), Line("b", -99)),  # does not sum to zero
        (Line("a", 100),),  # one leg
        (Line("a", 0), Line("b", 0)),  # moves nothing
        (Line("a", 100), Line("a", -100)),  # same account twice
        (Line("a", 1.5), Line("b", -1.5)),  # type: ignore[arg-type]  # floats are not money
    ],
)
def test_an_unbalanced_or_degenerate_entry_cannot_even_be_built(lines: tuple[Line, ...]) -> None:
    with pytest.raises(UnbalancedEntry):
        JournalEntry(entry_id=uuid.uuid4(), kind=ledger.EntryKind.WALLET_TOPUP, lines=lines)


@pytest.mark.parametrize("amount", [0, -5])
def test_a_transfer_moves_a_positive_amount(amount: int) -> None:
    with pytest.raises(UnbalancedEntry):
        ledger.top_up("cust-1", amount, uuid.uuid4())
