"""Read-through Redis cache of restaurant details and menus, invalidated by change events.

Keys (``v1`` changes whenever the cached shape does, so a deploy never reads old JSON):

    tiffin:restaurants:v1:info:{restaurant_id}   RestaurantView JSON
    tiffin:restaurants:v1:menu:{restaurant_id}   MenuView JSON

A RestaurantChanged, MenuItemChanged or RestaurantReviewed (the rating moved) event
deletes both keys of its restaurant (``handle_change_event``: a delete is idempotent,
so a redelivered event is harmless).
The writer also calls it right after its commit, so the writer's next read is fresh
without waiting for Kafka; the TTL is only a safety net for a lost invalidation.
Redis being down never fails a request: reads fall through to PostgreSQL.

A reader that loaded a row just before a write must not put that old row back after
the writer's delete. So every invalidation also bumps ``…:version:{restaurant_id}``;
a reader takes the version *before* reading PostgreSQL and its fill is a Lua
compare-and-set that writes only if the version is still the same.
"""

from __future__ import annotations

import logging
import uuid

import redis

from contracts.envelope import EventEnvelope
from serving.restaurants.entrypoints.schemas import MenuView, RestaurantView

log = logging.getLogger(__name__)

PREFIX = "tiffin:restaurants:v1"
INVALIDATING_EVENTS = frozenset({"RestaurantChanged", "MenuItemChanged", "RestaurantReviewed"})


# Write the value only if the restaurant's version is what the reader saw before its read.
_FILL_IF_UNCHANGED = """
if (redis.call('GET', KEYS[1]) or '0') == ARGV[1] then
    return redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
end
return 0
"""


def version_key(restaurant_id: uuid.UUID | str) -> str:
    return f"{PREFIX}:version:{restaurant_id}"


def info_key(restaurant_id: uuid.UUID | str) -> str:
    return f"{PREFIX}:info:{restaurant_id}"


def menu_key(restaurant_id: uuid.UUID | str) -> str:
    return f"{PREFIX}:menu:{restaurant_id}"


class RestaurantCache:
    """``ttl_seconds=None`` makes a handle that only invalidates: it never fills (``api.forget_cached``)."""

    def __init__(self, client: redis.Redis[bytes], ttl_seconds: int | None) -> None:
        self._redis = client
        self._ttl = ttl_seconds

    def _get(self, key: str) -> bytes | None:
        try:
            value = self._redis.get(key)
        except redis.RedisError as exc:
            log.warning("restaurant cache read failed (%s); reading the database", exc)
            return None
        return value if isinstance(value, bytes) else None

    def version(self, restaurant_id: uuid.UUID | str) -> str | None:
        """Take this before reading PostgreSQL; None (Redis down) means: do not fill."""
        try:
            value = self._redis.get(version_key(restaurant_id))
        except redis.RedisError as exc:
            log.warning("restaurant cache version read failed (%s)", exc)
            return None
        return value.decode() if isinstance(value, bytes) else "0"

    def _put(self, restaurant_id: uuid.UUID, key: str, value: str, version: str | None) -> None:
        if version is None or self._ttl is None:
            return
        try:
            # redis-py's stubs leave eval untyped; the call is plain EVAL.
            self._redis.eval(  # type: ignore[no-untyped-call]
                _FILL_IF_UNCHANGED, 2, version_key(restaurant_id), key, version, value, self._ttl
            )
        except redis.RedisError as exc:
            log.warning("restaurant cache write failed (%s)", exc)

    def get_restaurant(self, restaurant_id: uuid.UUID) -> RestaurantView | None:
        raw = self._get(info_key(restaurant_id))
        return None if raw is None else RestaurantView.model_validate_json(raw)

    def put_restaurant(self, view: RestaurantView, version: str | None) -> None:
        self._put(view.restaurant_id, info_key(view.restaurant_id), view.model_dump_json(), version)

    def get_menu(self, restaurant_id: uuid.UUID) -> MenuView | None:
        raw = self._get(menu_key(restaurant_id))
        return None if raw is None else MenuView.model_validate_json(raw)

    def get_restaurant_and_menu_json(self, restaurant_id: uuid.UUID) -> tuple[bytes | None, bytes | None]:
        """Both cached views' JSON as stored, in one round trip; None for a miss (or Redis down)."""
        try:
            info, menu = self._redis.mget([info_key(restaurant_id), menu_key(restaurant_id)])
        except redis.RedisError as exc:
            log.warning("restaurant cache read failed (%s); reading the database", exc)
            return None, None
        return (info if isinstance(info, bytes) else None), (menu if isinstance(menu, bytes) else None)

    def put_menu(self, view: MenuView, version: str | None) -> None:
        self._put(view.restaurant_id, menu_key(view.restaurant_id), view.model_dump_json(), version)

    def invalidate(self, restaurant_id: uuid.UUID | str) -> None:
        try:
            self._redis.incr(version_key(restaurant_id))  # first: fills that started earlier now fail
            self._redis.delete(info_key(restaurant_id), menu_key(restaurant_id))
        except redis.RedisError as exc:
            # Stale for at most the TTL; the Kafka-driven handler will retry the delete.
            log.error("restaurant cache invalidation failed for %s (%s)", restaurant_id, exc)


def handle_change_event(cache: RestaurantCache, envelope: EventEnvelope) -> bool:
    """Apply one event from ``restaurants.v1``: drop the restaurant's cached views.

    Idempotent (deleting twice is deleting once), so consumers need no dedupe table for
    it. Returns whether the event was one that invalidates.
    """
    if envelope.event_type not in INVALIDATING_EVENTS:
        return False
    cache.invalidate(envelope.aggregate_id)
    return True
