"""Every consumer by name, built from settings (``python -m serving.consumers``, ``tiffin consumers``)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Protocol

from sqlalchemy.engine import Engine

from contracts.topics import ORDERS, PAYMENTS
from serving.consumers.framework import IdempotentConsumer, kafka_consumer
from serving.orders.stock import CatalogStock
from serving.orders.tables import processed_events as orders_processed
from serving.payments.runtime import build_gateway, retry_policy
from serving.payments.tables import processed_events as payments_processed
from serving.saga import orders_side, payments_side
from serving.saga.sweeper import AcceptTimeoutSweeper
from serving.settings import ServingSettings


class Runnable(Protocol):
    name: str

    def run(self, stop: threading.Event) -> None: ...

    def close(self) -> None: ...


def _group(name: str) -> str:
    return f"tiffin-{name}"


def orders_saga(settings: ServingSettings, engine: Engine) -> IdempotentConsumer:
    """The orders service's consumer of payments.v1 (PaymentFailed -> CANCELLED)."""
    return IdempotentConsumer(
        orders_side.CONSUMER,
        kafka_consumer(settings.kafka_bootstrap, PAYMENTS.name, _group(orders_side.CONSUMER), settings.service_name),
        engine,
        orders_processed,
        orders_side.payment_event_handler(stock=CatalogStock() if settings.order_pricing == "catalog" else None),
    )


def payments_saga(settings: ServingSettings, engine: Engine, group: str | None = None) -> IdempotentConsumer:
    """The payments service's consumer of orders.v1 (rejections and cancellations -> refunds).

    Its gateway is its own, built from settings like the API's: with the sandbox both
    share the provider's state in PostgreSQL, so it refunds cards the API charged.
    ``group`` replaces the deployment's consumer group (tests use private ones).
    """
    return IdempotentConsumer(
        payments_side.CONSUMER,
        kafka_consumer(
            settings.kafka_bootstrap, ORDERS.name, group or _group(payments_side.CONSUMER), settings.service_name
        ),
        engine,
        payments_processed,
        payments_side.order_event_handler(build_gateway(settings), retry_policy(settings)),
    )


def accept_timeout(settings: ServingSettings, engine: Engine) -> AcceptTimeoutSweeper:
    return AcceptTimeoutSweeper(
        engine,
        timedelta(seconds=settings.order_accept_timeout_seconds),
        settings.accept_timeout_sweep_interval_seconds,
    )


CONSUMERS: dict[str, Callable[[ServingSettings, Engine], Runnable]] = {
    orders_side.CONSUMER: orders_saga,
    payments_side.CONSUMER: payments_saga,
    AcceptTimeoutSweeper.name: accept_timeout,
}
