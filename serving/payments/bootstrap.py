"""Building the payments service from settings: which gateway, which retry policy.

The gateway is built once per app (on first use) and kept on ``app.state``; tests
may put their own gateway (e.g. an in-memory ``SandboxGateway()``) at
``app.state.payment_gateway`` before the first request. The sandbox built here keeps
its state in PostgreSQL (schema ``sandbox_gateway``), so the API, the saga consumers
and a restarted API all see the same charges, as they would a real provider's.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request

from serving.payments.adapters.razorpay import RazorpayCredentials, RazorpayGateway
from serving.payments.adapters.retry import RetryPolicy
from serving.payments.adapters.sandbox import SandboxGateway
from serving.payments.adapters.sandbox_postgres import PostgresSandboxStore
from serving.payments.domain.gateway import PaymentGateway
from serving.payments.service import Payments
from serving.settings import ServingSettings

_build_lock = threading.Lock()


def build_gateway(settings: ServingSettings) -> PaymentGateway:
    if settings.payments.payments_gateway == "razorpay":
        credentials = RazorpayCredentials(
            key_id=settings.payments.razorpay_key_id,
            key_secret=settings.payments.razorpay_key_secret.get_secret_value(),
            base_url=settings.payments.razorpay_base_url,
        )
        return RazorpayGateway(credentials, timeout_seconds=settings.payments.payments_gateway_timeout_seconds)
    # Connects on first use, not here: building an app or a consumer opens nothing.
    store = PostgresSandboxStore(settings.database_url)
    return SandboxGateway(transient_failures=settings.payments.payments_sandbox_transient_failures, store=store)


def retry_policy(settings: ServingSettings) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=settings.payments.payments_gateway_max_attempts,
        initial_seconds=settings.payments.payments_retry_initial_seconds,
        cap_seconds=settings.payments.payments_retry_cap_seconds,
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
            state.payment_gateway_built = True
    return Payments(engine=state.database.engine, gateway=gateway, retry_policy=retry_policy(settings))


@asynccontextmanager
async def gateway_lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Closes the gateway the app built (the sandbox's engine, Razorpay's HTTP client) on
    shutdown; one a test put on ``app.state`` is the test's to close."""
    yield
    state = app.state
    with _build_lock:
        gateway = getattr(state, "payment_gateway", None) if getattr(state, "payment_gateway_built", False) else None
    close = getattr(gateway, "close", None)
    if callable(close):
        close()
