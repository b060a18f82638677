"""Building the orders service from settings: for the composition roots only.

``build`` makes what the HTTP side needs, once per app (``serving.app.create_app``
keeps it on ``app.state.orders``; ``entrypoints.deps`` hands it to the routers).
``payment_events_consumer`` and ``accept_timeout_sweeper`` make the ``orders-saga``
and ``accept-timeout`` workers of ``serving.consumers``. Nothing here opens a
connection: PostgreSQL, Redis and Kafka are reached on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.engine import Engine

from contracts.topics import PAYMENTS
from serving.kernel.messaging.consumer import IdempotentConsumer, kafka_consumer
from serving.kernel.redis import LazyRedis
from serving.kernel.settings import KernelSettings
from serving.orders.adapters.pricing_catalog import CatalogPricing, RedisSurge
from serving.orders.adapters.stock import CatalogStock
from serving.orders.adapters.tables import processed_events
from serving.orders.domain.pricing import ChargeRates, DeliveryTariff
from serving.orders.entrypoints import consumers
from serving.orders.entrypoints.sweeper import AcceptTimeoutSweeper
from serving.orders.ports import MenuPricing, RestaurantOwnership, RestaurantsApiOwnership, StockKeeper
from serving.orders.settings import OrderSettings


@dataclass(frozen=True)
class Orders:
    """The orders service's long-lived objects in one app."""

    pricing: MenuPricing  # POST /orders and the cart's checkout: prices from the catalogue
    stock: StockKeeper
    ownership: RestaurantOwnership


def catalog_pricing(section: OrderSettings, redis: LazyRedis | None) -> CatalogPricing:
    """Menu prices and offers, the settings' tariff, tax and packaging, surge from ``redis``."""
    tariff = DeliveryTariff(
        base_fee_minor=section.delivery_base_fee_minor,
        included_km=section.delivery_included_km,
        per_km_minor=section.delivery_per_km_minor,
    )
    rates = ChargeRates(
        tax_bp=section.order_tax_bp,
        packaging_per_item_minor=section.order_packaging_per_item_minor,
        packaging_flat_minor=section.order_packaging_flat_minor,
    )
    return CatalogPricing(tariff, RedisSurge(redis) if redis is not None else None, rates)


def build(section: OrderSettings, redis: LazyRedis | None) -> Orders:
    return Orders(
        pricing=catalog_pricing(section, redis),
        stock=CatalogStock(),
        ownership=RestaurantsApiOwnership(),
    )


def payment_events_consumer(settings: KernelSettings, engine: Engine, group: str) -> IdempotentConsumer:
    """``orders-saga``: the consumer of payments.v1 (PaymentFailed -> CANCELLED) in ``group``."""
    return IdempotentConsumer(
        consumers.CONSUMER,
        kafka_consumer(
            settings.kafka_bootstrap,
            PAYMENTS.name,
            group,
            settings.service_name,
            max_poll_records=settings.consumer_max_poll_records,
        ),
        engine,
        processed_events,
        consumers.payment_event_handler(stock=CatalogStock()),
        handled_types=consumers.HANDLED_TYPES,
    )


def accept_timeout_sweeper(section: OrderSettings, engine: Engine) -> AcceptTimeoutSweeper:
    return AcceptTimeoutSweeper(
        engine,
        timedelta(seconds=section.order_accept_timeout_seconds),
        section.accept_timeout_sweep_interval_seconds,
    )
