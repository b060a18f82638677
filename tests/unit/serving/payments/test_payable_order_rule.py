import uuid

import pytest

from serving.payments.domain.payable import OrderToPay, check_payable
from serving.payments.errors import AmountMismatch, OrderNotPayable, PaymentError, UnknownOrder

ORDER = OrderToPay(uuid.uuid4(), "cust-1", "PENDING", 27500, "INR")


def _refusal(
    order: OrderToPay | None, customer: str = "cust-1", amount: int = 27500, currency: str = "INR"
) -> tuple[type[PaymentError], list[str]]:
    with pytest.raises(PaymentError) as refused:
        check_payable(order, customer, amount, currency)
    return type(refused.value), [error.field for error in refused.value.errors]


def test_the_owner_paying_the_exact_total_of_a_pending_or_accepted_order_passes() -> None:
    check_payable(ORDER, "cust-1", 27500, "INR")
    check_payable(OrderToPay(ORDER.order_id, "cust-1", "ACCEPTED", 27500, "INR"), "cust-1", 27500, "INR")


def test_a_missing_and_a_foreign_order_are_refused_alike() -> None:
    assert _refusal(None) == _refusal(ORDER, customer="cust-2") == (UnknownOrder, ["order_id"])


def test_an_order_past_paying_for_is_a_conflict() -> None:
    for status in ("PREPARING", "READY", "DELIVERED", "CANCELLED"):
        assert _refusal(OrderToPay(ORDER.order_id, "cust-1", status, 27500, "INR")) == (OrderNotPayable, ["order_id"])


def test_every_mismatch_is_named_at_once() -> None:
    assert _refusal(ORDER, amount=100, currency="USD") == (AmountMismatch, ["currency", "amount_minor"])
