import pytest

from serving.payments.adapters.sandbox import (
    CARD_DECLINED,
    CARD_SUCCEEDS,
    CARD_TIMES_OUT,
    CARD_TRANSIENT,
    SANDBOX_CARDS,
    SandboxGateway,
)
from serving.payments.domain.gateway import (
    CardDetails,
    ChargeRequest,
    GatewayDeclined,
    GatewayTimeout,
    GatewayUnavailable,
    RefundRequest,
    card_brand,
    luhn_valid,
)


def _charge(number: str, key: str = "key-1", amount: int = 5000) -> ChargeRequest:
    return ChargeRequest(key, amount, "INR", CardDetails(number, 12, 2030, "123"), "test")


def test_every_sandbox_card_passes_the_luhn_check() -> None:
    assert all(luhn_valid(number) for number in SANDBOX_CARDS)
    assert not luhn_valid("4242424242424241")


def test_the_success_card_charges_once_and_keeps_only_last4_brand_and_a_token() -> None:
    gateway = SandboxGateway()
    charge = gateway.charge(_charge(CARD_SUCCEEDS))
    assert (charge.card_last4, charge.card_brand) == ("4242", "visa")
    assert CARD_SUCCEEDS not in repr(charge)
    assert CARD_SUCCEEDS not in repr(CardDetails(CARD_SUCCEEDS, 1, 2030, "999"))
    assert gateway.charges_made == 1


def test_a_repeated_idempotency_key_returns_the_first_charge_without_charging_again() -> None:
    gateway = SandboxGateway()
    first = gateway.charge(_charge(CARD_SUCCEEDS, key="k"))
    again = gateway.charge(_charge(CARD_SUCCEEDS, key="k"))
    assert first == again
    assert gateway.charges_made == 1
    assert gateway.attempts["k"] == 2


def test_the_declined_card_is_declined_every_time() -> None:
    gateway = SandboxGateway()
    for _ in range(3):
        with pytest.raises(GatewayDeclined):
            gateway.charge(_charge(CARD_DECLINED))
    assert gateway.charges_made == 0


def test_the_transient_card_fails_n_times_per_key_then_succeeds() -> None:
    gateway = SandboxGateway(transient_failures=2)
    for _ in range(2):
        with pytest.raises(GatewayUnavailable):
            gateway.charge(_charge(CARD_TRANSIENT, key="t"))
    assert gateway.charge(_charge(CARD_TRANSIENT, key="t")).card_last4 == "0119"
    assert gateway.charges_made == 1


def test_the_timeout_card_always_times_out_which_is_a_transient_failure() -> None:
    gateway = SandboxGateway()
    with pytest.raises(GatewayTimeout) as raised:
        gateway.charge(_charge(CARD_TIMES_OUT))
    assert isinstance(raised.value, GatewayUnavailable)
    assert gateway.charges_made == 0


def test_refunds_are_idempotent_and_never_exceed_the_charge() -> None:
    gateway = SandboxGateway()
    charge = gateway.charge(_charge(CARD_SUCCEEDS, amount=1000))
    gateway.refund(RefundRequest("r1", charge.reference, 600, "INR"))
    gateway.refund(RefundRequest("r1", charge.reference, 600, "INR"))
    assert gateway.refunded_minor(charge.reference) == 600
    with pytest.raises(GatewayDeclined):
        gateway.refund(RefundRequest("r2", charge.reference, 401, "INR"))
    gateway.refund(RefundRequest("r3", charge.reference, 400, "INR"))
    assert gateway.refunded_minor(charge.reference) == 1000


@pytest.mark.parametrize(
    ("number", "brand"),
    [("4242424242424242", "visa"), ("5555555555554444", "mastercard"), ("378282246310005", "amex"), ("9", "unknown")],
)
def test_the_brand_comes_from_the_number_prefix(number: str, brand: str) -> None:
    assert card_brand(number) == brand
