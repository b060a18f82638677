import uuid
from datetime import UTC, datetime

import pytest

from serving.payments.domain.payment import (
    Method,
    Payment,
    PaymentStatus,
    RefundDestination,
    derived_id,
    resolve_refund,
)
from serving.payments.entrypoints.schemas import CreatePaymentRequest
from serving.payments.errors import NotRefundable, RefundTooLarge

NOW = datetime(2026, 11, 25, tzinfo=UTC)


def _payment(
    method: Method = Method.CARD, status: PaymentStatus = PaymentStatus.SUCCEEDED, refunded: int = 0
) -> Payment:
    return Payment(uuid.uuid4(), uuid.uuid4(), "c", method, status, 1000, refunded, "INR", NOW, NOW)


def test_no_amount_refunds_everything_not_yet_refunded() -> None:
    assert resolve_refund(_payment(refunded=300), None, RefundDestination.ORIGINAL) == (700, RefundDestination.ORIGINAL)


def test_a_refund_above_what_is_left_names_amount_minor() -> None:
    with pytest.raises(RefundTooLarge) as rejected:
        resolve_refund(_payment(refunded=300), 701, RefundDestination.ORIGINAL)
    assert [e.field for e in rejected.value.errors] == ["amount_minor"]


def test_a_fully_refunded_or_unsettled_payment_cannot_be_refunded() -> None:
    for payment in (
        _payment(refunded=1000),
        _payment(status=PaymentStatus.PENDING),
        _payment(status=PaymentStatus.FAILED),
    ):
        with pytest.raises(NotRefundable):
            resolve_refund(payment, 1, RefundDestination.WALLET)


def test_cash_and_wallet_payments_are_refunded_to_the_wallet_even_when_original_is_asked() -> None:
    for method in (Method.COD, Method.WALLET):
        assert resolve_refund(_payment(method), 10, RefundDestination.ORIGINAL)[1] is RefundDestination.WALLET


def test_derived_ids_are_stable_per_caller_operation_and_key() -> None:
    assert derived_id("c", "payment", "k") == derived_id("c", "payment", "k")
    assert derived_id("c", "payment", "k") != derived_id("d", "payment", "k")
    assert derived_id("c", "payment", "k") != derived_id("c", "topup", "k")


def test_the_fingerprint_changes_with_the_body_but_never_contains_the_card_number() -> None:
    body = {
        "order_id": str(uuid.uuid4()),
        "method": "card",
        "amount_minor": 100,
        "currency": "INR",
        "card": {"number": "4242424242424242", "expiry_month": 1, "expiry_year": 2030, "cvc": "123"},
    }
    first = CreatePaymentRequest.model_validate(body)
    assert first.fingerprint() == CreatePaymentRequest.model_validate(body).fingerprint()
    assert first.fingerprint() != CreatePaymentRequest.model_validate({**body, "amount_minor": 101}).fingerprint()
    assert "4242424242424242" not in first.fingerprint()
    assert "4242424242424242" not in repr(first)


def test_a_card_belongs_to_card_payments_only() -> None:
    wallet = CreatePaymentRequest.model_validate(
        {"order_id": str(uuid.uuid4()), "method": "card", "amount_minor": 1, "currency": "INR"}
    )
    assert [e.field for e in wallet.card_errors()] == ["card"]
