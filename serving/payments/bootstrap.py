"""Building the payments service from settings: which gateway, which retry policy, the
service object and its consumer of ``orders.v1``.

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
from typing import Protocol

from fastapi import FastAPI, Request
from sqlalchemy.engine import Engine

from contracts.topics import ORDERS
from serving.kernel.messaging.consumer import IdempotentConsumer, kafka_consumer
from serving.payments.adapters import tables
from serving.payments.adapters.razorpay import RazorpayCredentials, RazorpayGateway
from serving.payments.adapters.retry import RetryPolicy
from serving.payments.adapters.sandbox import SandboxGateway
from serving.payments.adapters.sandbox_postgres import PostgresSandboxStore
from serving.payments.domain.gateway import PaymentGateway
from serving.payments.entrypoints import consumers
from serving.payments.service import Payments
from serving.payments.settings import PaymentSettings

_build_lock = threading.Lock()


class Settings(Protocol):
    """What payments reads of the root settings (``serving.settings.ServingSettings`` is
    one): the kernel's connection fields and the payments section. A protocol, so this
    module needs no import of the root."""

    @property
    def database_url(self) -> str: ...

    @property
    def kafka_bootstrap(self) -> str: ...

    @property
    def service_name(self) -> str: ...

    @property
    def payments(self) -> PaymentSettings: ...


def build_gateway(settings: Settings) -> PaymentGateway:
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


def retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=settings.payments.payments_gateway_max_attempts,
        initial_seconds=settings.payments.payments_retry_initial_seconds,
        cap_seconds=settings.payments.payments_retry_cap_seconds,
    )


def payments_service(settings: Settings, engine: Engine, gateway: PaymentGateway | None = None) -> Payments:
    """The service on ``engine``, with ``gateway`` or the one the settings choose."""
    return Payments(engine=engine, gateway=gateway or build_gateway(settings), retry_policy=retry_policy(settings))


def order_events_consumer(settings: Settings, engine: Engine, group: str) -> IdempotentConsumer:
    """The consumer of ``orders.v1`` (rejections and cancellations -> refunds, deliveries ->
    COD settled) in consumer group ``group``.

    Its gateway is its own, built from settings like the API's: with the sandbox both
    share the provider's state in PostgreSQL, so it refunds cards the API charged.
    """
    return IdempotentConsumer(
        consumers.CONSUMER,
        kafka_consumer(settings.kafka_bootstrap, ORDERS.name, group, settings.service_name),
        engine,
        tables.processed_events,
        consumers.order_event_handler(build_gateway(settings), retry_policy(settings)),
    )


def payments_for(request: Request) -> Payments:
    """FastAPI dependency: the service wired to this app's engine and gateway."""
    state = request.app.state
    settings: Settings = state.settings
    with _build_lock:
        gateway = getattr(state, "payment_gateway", None)
        if gateway is None:
            gateway = build_gateway(settings)
            state.payment_gateway = gateway
            state.payment_gateway_built = True
    return payments_service(settings, state.database.engine, gateway)


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
