"""Building the payments service from settings: which gateway, which retry policy, the
service object and its consumer of ``orders.v1``.

``PaymentsWiring`` is built once per app by ``create_app``; the service and its gateway
are created on first use (building an app opens nothing) and the gateway is closed on
shutdown. Tests hand the router another service with
``app.dependency_overrides[payments.entrypoints.deps.payments_service]``. The sandbox
built here keeps its state in PostgreSQL (schema ``sandbox_gateway``), so the API, the
saga consumers and a restarted API all see the same charges, as a real provider's.
"""

from __future__ import annotations

import threading
from typing import Protocol

from sqlalchemy.engine import Engine

from contracts.topics import ORDERS
from serving.kernel.db import LazyEngine
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
    def consumer_max_poll_records(self) -> int: ...

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
        kafka_consumer(
            settings.kafka_bootstrap,
            ORDERS.name,
            group,
            settings.service_name,
            max_poll_records=settings.consumer_max_poll_records,
        ),
        engine,
        tables.processed_events,
        consumers.order_event_handler(build_gateway(settings), retry_policy(settings)),
        handled_types=consumers.HANDLED_TYPES,
    )


class PaymentsWiring:
    """The payments service of one app, built on first use and closed with the app."""

    def __init__(self, settings: Settings, database: LazyEngine) -> None:
        self._settings = settings
        self._database = database
        self._service: Payments | None = None
        self._lock = threading.Lock()

    @property
    def service(self) -> Payments:
        with self._lock:
            if self._service is None:
                self._service = payments_service(self._settings, self._database.engine)
            return self._service

    def close(self) -> None:
        with self._lock:
            service, self._service = self._service, None
        close = getattr(service.gateway if service is not None else None, "close", None)
        if callable(close):
            close()
