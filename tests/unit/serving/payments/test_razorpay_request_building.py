import base64
import json

import httpx
import pytest

from serving.payments.adapters import razorpay_requests as rz
from serving.payments.adapters.razorpay import RazorpayGateway
from serving.payments.domain.gateway import (
    CardDetails,
    ChargeRequest,
    GatewayDeclined,
    GatewayTimeout,
    GatewayUnavailable,
    RefundRequest,
)

CREDENTIALS = rz.RazorpayCredentials(key_id="rzp_test_abc", key_secret="s3cr3t")


def _basic(credentials: rz.RazorpayCredentials) -> str:
    return "Basic " + base64.b64encode(f"{credentials.key_id}:{credentials.key_secret}".encode()).decode()


def test_an_order_is_a_post_to_v1_orders_with_basic_auth_paise_and_the_key_as_receipt() -> None:
    request = rz.create_order(
        CREDENTIALS, amount_minor=27500, currency="INR", idempotency_key="payment:abc", notes={"order": "o-1"}
    )
    assert (request.method, request.url) == ("POST", "https://api.razorpay.com/v1/orders")
    assert request.headers["Authorization"] == _basic(CREDENTIALS)
    assert request.json == {"amount": 27500, "currency": "INR", "receipt": "payment:abc", "notes": {"order": "o-1"}}
    assert isinstance(request.json["amount"], int)
    assert "s3cr3t" not in repr(request) and "s3cr3t" not in repr(CREDENTIALS)


def test_a_capture_names_the_payment_in_the_path_and_repeats_amount_and_currency() -> None:
    request = rz.capture_payment(
        CREDENTIALS, razorpay_payment_id="pay_29QQoUBi66xm2f", amount_minor=100, currency="INR", idempotency_key="k"
    )
    assert request.url == "https://api.razorpay.com/v1/payments/pay_29QQoUBi66xm2f/capture"
    assert request.json == {"amount": 100, "currency": "INR"}


def test_a_refund_is_partial_by_amount_and_deduped_by_a_receipt_of_at_most_40_characters() -> None:
    key = "refund:" + "x" * 60
    request = rz.refund_payment(CREDENTIALS, razorpay_payment_id="pay_1", amount_minor=5000, idempotency_key=key)
    assert request.url == "https://api.razorpay.com/v1/payments/pay_1/refund"
    assert request.json["amount"] == 5000
    assert len(request.json["receipt"]) == 40
    assert request.headers["X-Idempotency-Key"] == key


@pytest.mark.parametrize("amount", [0, -1, 1.5, True])
def test_amounts_must_be_positive_integer_paise(amount: object) -> None:
    with pytest.raises(ValueError):
        rz.create_order(CREDENTIALS, amount_minor=amount, currency="INR", idempotency_key="k")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad_id", ["", "pay_1/../../orders", "pay 1", "pay_1?x=1"])
def test_a_payment_id_cannot_reshape_the_url(bad_id: str) -> None:
    with pytest.raises(ValueError):
        rz.refund_payment(CREDENTIALS, razorpay_payment_id=bad_id, amount_minor=1, idempotency_key="k")


def test_a_custom_base_url_is_honoured() -> None:
    credentials = rz.RazorpayCredentials("id", "secret", base_url="http://127.0.0.1:9/")
    assert rz.create_order(credentials, amount_minor=1, currency="INR", idempotency_key="k").url == (
        "http://127.0.0.1:9/v1/orders"
    )


def _gateway(handler: httpx.MockTransport) -> RazorpayGateway:
    return RazorpayGateway(CREDENTIALS, transport=handler)


def _charge_request() -> ChargeRequest:
    return ChargeRequest("payment:1", 27500, "INR", CardDetails("pay_abc", 1, 2030, "000"), "order")


def test_the_adapter_sends_the_built_request_and_maps_a_capture_to_a_charge() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, json={"id": "pay_abc", "amount": 27500, "card": {"last4": "1111", "network": "Visa"}}
        )

    charge = _gateway(httpx.MockTransport(handle)).charge(_charge_request())
    assert (charge.reference, charge.card_last4, charge.card_brand) == ("pay_abc", "1111", "visa")
    assert str(seen[0].url) == "https://api.razorpay.com/v1/payments/pay_abc/capture"
    assert json.loads(seen[0].content) == {"amount": 27500, "currency": "INR"}
    assert seen[0].headers["authorization"] == _basic(CREDENTIALS)


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (httpx.Response(400, json={"error": {"code": "BAD_REQUEST_ERROR"}}), GatewayDeclined),
        (httpx.Response(503), GatewayUnavailable),
        (httpx.Response(429), GatewayUnavailable),
    ],
)
def test_the_adapter_maps_client_errors_to_declines_and_server_errors_to_transient(
    answer: httpx.Response, error: type[Exception]
) -> None:
    gateway = _gateway(httpx.MockTransport(lambda _request: answer))
    with pytest.raises(error):
        gateway.refund(RefundRequest("refund:1", "pay_abc", 100, "INR"))


def test_a_gateway_timeout_is_reported_as_one_so_it_is_retried_with_the_same_key() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(GatewayTimeout):
        _gateway(httpx.MockTransport(handle)).charge(_charge_request())
