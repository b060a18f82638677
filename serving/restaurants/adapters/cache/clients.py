"""The restaurants service's Redis client (its cache and the popular-search counters)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import redis

from serving.kernel.settings import KernelSettings

if TYPE_CHECKING:
    BytesRedis = redis.Redis[bytes]
else:  # redis-py's client is generic only in its type stubs
    BytesRedis = redis.Redis


def redis_client(settings: KernelSettings) -> BytesRedis:
    """Opens nothing (redis-py connects on the first command); short timeouts, so an outage fails fast."""
    timeout = settings.redis_timeout_seconds
    client: BytesRedis = redis.Redis.from_url(
        settings.redis_url, socket_timeout=timeout, socket_connect_timeout=timeout
    )
    return client
