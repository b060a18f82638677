"""One lazily created Redis client per app for the restaurants cache and search counters."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Annotated

import redis
from fastapi import Depends, Request

from serving.restaurants.adapters.cache.restaurant_cache import RestaurantCache
from serving.settings import ServingSettings

_lock = threading.Lock()

if TYPE_CHECKING:
    BytesRedis = redis.Redis[bytes]
else:  # redis-py's client is generic only in its type stubs
    BytesRedis = redis.Redis


def app_redis(request: Request) -> BytesRedis:
    """Created on first use (building the app opens nothing); short timeouts so an outage fails fast."""
    state = request.app.state
    with _lock:
        client: BytesRedis | None = getattr(state, "restaurants_redis", None)
        if client is None:
            settings: ServingSettings = state.settings
            timeout = getattr(settings, "redis_timeout_seconds", 0.25)
            client = redis.Redis.from_url(settings.redis_url, socket_timeout=timeout, socket_connect_timeout=timeout)
            state.restaurants_redis = client
    return client


def restaurant_cache(request: Request) -> RestaurantCache:
    settings: ServingSettings = request.app.state.settings
    return RestaurantCache(app_redis(request), settings.restaurants.restaurant_cache_ttl_seconds)


Cache = Annotated[RestaurantCache, Depends(restaurant_cache)]
RedisClient = Annotated[BytesRedis, Depends(app_redis)]
