"""The change-event handler deletes the restaurant's cache keys, idempotently."""

from __future__ import annotations

import uuid
from typing import Any

from contracts.envelope import EventEnvelope
from serving.restaurants.adapters.cache.restaurant_cache import (
    RestaurantCache,
    handle_change_event,
    info_key,
    menu_key,
    version_key,
)


class FakeRedis:
    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def incr(self, key: str) -> int:
        self.data[key] = str(int(self.data.get(key, b"0")) + 1).encode()
        return int(self.data[key])

    def delete(self, *keys: str) -> int:
        return sum(1 for key in keys if self.data.pop(key, None) is not None)


def envelope(event_type: str, restaurant_id: uuid.UUID) -> EventEnvelope:
    return EventEnvelope(event_type=event_type, schema_version=1, producer="test", aggregate_id=str(restaurant_id),
                         payload={})  # fmt: skip


def test_a_menu_change_event_drops_both_cached_views_and_a_redelivery_is_harmless() -> None:
    rid = uuid.uuid4()
    fake = FakeRedis()
    fake.data = {info_key(rid): b"{}", menu_key(rid): b"{}", info_key("other"): b"{}"}
    cache = RestaurantCache(fake, ttl_seconds=60)  # type: ignore[arg-type]
    event = envelope("MenuItemChanged", rid)
    assert handle_change_event(cache, event)
    assert handle_change_event(cache, event)  # at-least-once delivery: the second time is a no-op
    assert info_key("other") in fake.data
    assert info_key(rid) not in fake.data and menu_key(rid) not in fake.data
    assert fake.data[version_key(rid)] == b"2"  # every invalidation voids fills that started before it


def test_unrelated_events_leave_the_cache_alone() -> None:
    rid = uuid.uuid4()
    fake: Any = FakeRedis()
    fake.data = {info_key(rid): b"{}"}
    assert not handle_change_event(RestaurantCache(fake, 60), envelope("OrderPlaced", rid))
    assert info_key(rid) in fake.data


def test_a_review_drops_the_cached_restaurant_so_its_new_rating_shows() -> None:
    rid = uuid.uuid4()
    fake: Any = FakeRedis()
    fake.data = {info_key(rid): b"{}"}
    assert handle_change_event(RestaurantCache(fake, 60), envelope("RestaurantReviewed", rid))
    assert info_key(rid) not in fake.data
