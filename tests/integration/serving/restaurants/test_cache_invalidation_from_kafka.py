"""A change the API process never saw (stock reserved by orders) reaches the cache through
the outbox, Kafka restaurants.v1 and the invalidator."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import redis
from sqlalchemy.engine import Engine

from contracts.topics import RESTAURANTS
from ops.stack.config import StackConfig
from ops.stack.topics import ensure_topics
from serving.kernel.messaging.kafka_producer import kafka_producer_factory
from serving.kernel.messaging.relay import OutboxRelay
from serving.restaurants.adapters.cache.restaurant_cache import menu_key
from serving.restaurants.adapters.tables import outbox
from serving.restaurants.api import reserve_stock
from serving.restaurants.bootstrap import cache_invalidator
from serving.settings import ServingSettings

pytestmark = pytest.mark.stack


def test_a_stock_reservation_reaches_the_cached_menu_through_kafka(
    new_owner: Callable[..., Any],
    engine: Engine,
    settings: ServingSettings,
    stack: StackConfig,
    redis_client: redis.Redis[bytes],
) -> None:
    ensure_topics(stack.kafka_bootstrap, [RESTAURANTS])
    owner = new_owner()
    dosa = owner.add_item(name="Dosa", stock=5)
    menu_url = f"/api/v1/restaurants/{owner.rid}/menu"
    assert owner.client.get(menu_url, headers=owner.headers).json()["uncategorised"][0]["stock"] == 5

    with engine.begin() as connection:  # the orders service's transaction; no cache call afterwards
        reserve_stock(connection, uuid.UUID(owner.rid), {uuid.UUID(dosa["item_id"]): 2})
    assert owner.client.get(menu_url, headers=owner.headers).json()["uncategorised"][0]["stock"] == 5  # stale

    relay = OutboxRelay(engine, kafka_producer_factory(settings), 500, outbox=outbox, publish_timeout_seconds=10)
    invalidator = cache_invalidator(settings, settings.restaurants, group_id=f"test-invalidator-{uuid.uuid4().hex[:8]}")
    try:
        while relay.relay_once():
            pass
        deadline = time.monotonic() + 30
        while redis_client.exists(menu_key(owner.rid)) and time.monotonic() < deadline:
            invalidator.poll_once(timeout_ms=500)
    finally:
        invalidator.close()
        relay.close()
    assert not redis_client.exists(menu_key(owner.rid))
    assert owner.client.get(menu_url, headers=owner.headers).json()["uncategorised"][0]["stock"] == 3
