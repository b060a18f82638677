from serving.app import create_app
from serving.payments.razorpay import RazorpayGateway
from serving.payments.runtime import build_gateway, retry_policy
from serving.payments.sandbox import SandboxGateway
from serving.settings import ServingSettings


def test_the_app_mounts_every_payments_route_without_touching_a_database() -> None:
    paths = create_app(ServingSettings()).openapi()["paths"]
    assert {
        "/api/v1/payments",
        "/api/v1/payments/transactions",
        "/api/v1/payments/{payment_id}",
        "/api/v1/payments/{payment_id}/refund",
        "/api/v1/payments/cod/{order_id}/settle",
        "/api/v1/wallet/topups",
        "/api/v1/wallet",
    } <= set(paths)


def test_settings_choose_the_gateway_and_the_retry_policy() -> None:
    assert isinstance(build_gateway(ServingSettings()), SandboxGateway)
    razorpay = build_gateway(ServingSettings(payments_gateway="razorpay", razorpay_key_id="rzp_test_x"))
    assert isinstance(razorpay, RazorpayGateway)
    razorpay.close()
    policy = retry_policy(ServingSettings(payments_gateway_max_attempts=7, payments_retry_cap_seconds=2.5))
    assert (policy.max_attempts, policy.cap_seconds) == (7, 2.5)
