"""Building the payments service from settings: which gateway, which retry policy.

The gateway is built once per app (on first use) and kept on ``app.state``, so the
sandbox's memory of charges lives as long as the app; tests may put their own
gateway at ``app.state.payment_gateway`` before the first request.
"""

from __future__ import annotations

import threading

from fastapi import Request

from serving.payments.gateway import PaymentGateway
from serving.payments.razorpay import RazorpayCredentials, RazorpayGateway
from serving.payments.retry import RetryPolicy
from serving.payments.sandbox import SandboxGateway
from serving.payments.service import Payments
from serving.settings import ServingSettings

_build_lock = threading.Lock()


def build_gateway(settings: ServingSettings) -> PaymentGateway:
    if settings.payments_gateway == "razorpay":
        credentials = RazorpayCredentials(
            key_id=settings.razorpay_key_id,
            key_secret=settings.razorpay_key_secret.get_secret_value(),
            base_url=settings.razorpay_base_url,
        )
        return RazorpayGateway(credentials, timeout_seconds=settings.payments_gateway_timeout_seconds)
    return SandboxGateway(transient_failures=settings.payments_sandbox_transient_failures)


def retry_policy(settings: ServingSettings) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=settings.payments_gateway_max_attempts,
        initial_seconds=settings.payments_retry_initial_seconds,
        cap_seconds=settings.payments_retry_cap_seconds,
    )


def payments_for(request: Request) -> Payments:
    """FastAPI dependency: the service wired to this app's engine and gateway."""
    state = request.app.state
    settings: ServingSettings = state.settings
    with _build_lock:
        gateway = getattr(state, "payment_gateway", None)
        if gateway is None:
            gateway = build_gateway(settings)
            state.payment_gateway = gateway
    return Payments(engine=state.database.engine, gateway=gateway, retry_policy=retry_policy(settings))
