"""Building the restaurants service from settings: for the composition roots only.

``build`` makes what the HTTP side needs, once per app (``serving.app.create_app``
keeps it on ``app.state.restaurants``; ``entrypoints.deps`` hands it to the routers).
``cache_invalidator`` makes the ``restaurant-cache`` consumer (``serving.consumers``).
Neither opens a connection: Redis and Kafka are reached on first use.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis

from contracts.topics import RESTAURANTS
from serving.kernel.messaging.kafka_consumer import consumer_config
from serving.kernel.settings import KernelSettings
from serving.restaurants.adapters.cache.clients import BytesRedis, redis_client
from serving.restaurants.adapters.cache.restaurant_cache import RestaurantCache
from serving.restaurants.adapters.orders_port import OrdersApi, ReviewableOrders
from serving.restaurants.entrypoints.consumers import GROUP_ID, CacheInvalidator
from serving.restaurants.settings import RestaurantSettings


@dataclass(frozen=True)
class Restaurants:
    """The restaurants service's long-lived objects in one app."""

    redis: BytesRedis  # the cache's and the popular searches' client
    cache: RestaurantCache
    reviewable_orders: ReviewableOrders

    def close(self) -> None:
        self.redis.close()


def build(settings: KernelSettings, section: RestaurantSettings) -> Restaurants:
    client = redis_client(settings)
    return Restaurants(
        redis=client,
        cache=RestaurantCache(client, section.restaurant_cache_ttl_seconds),
        reviewable_orders=OrdersApi(),
    )


def cache_invalidator(
    settings: KernelSettings, section: RestaurantSettings, *, group_id: str = GROUP_ID
) -> CacheInvalidator:
    from kafka import KafkaConsumer  # imported here: no Kafka client at import time

    # The kernel's consumer settings (manual commits, earliest, a 1 s reconnect cap, so
    # it resumes at once after a Kafka outage).
    config = consumer_config(
        settings.kafka_bootstrap,
        group_id,
        f"{settings.service_name}-cache-invalidator",
        settings.consumer_max_poll_records,
    )
    consumer = KafkaConsumer(RESTAURANTS.name, **config)
    # No short timeouts here, unlike the API's client: a worker may wait for Redis.
    client: BytesRedis = redis.Redis.from_url(settings.redis_url)
    return CacheInvalidator(consumer, RestaurantCache(client, section.restaurant_cache_ttl_seconds))
