"""A Redis client created on first use, with a short circuit breaker.

Building the app opens nothing (like ``LazyEngine``). After a failed call the client
is considered down for ``cooldown_seconds``: during an outage each request then
costs nothing instead of a connect timeout, and the log gets one line per cooldown
rather than one per request.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import redis

log = logging.getLogger(__name__)

T = TypeVar("T")


class RedisUnavailable(Exception):
    """Redis could not answer (down, timed out, or in its cooldown after a failure)."""


class LazyRedis:
    def __init__(self, url: str, *, timeout_seconds: float = 0.25, cooldown_seconds: float = 2.0) -> None:
        self._url = url
        self._timeout = timeout_seconds
        self._cooldown = cooldown_seconds
        self._client: redis.Redis[bytes] | None = None
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def client(self) -> redis.Redis[bytes]:
        with self._lock:
            if self._client is None:
                self._client = redis.Redis.from_url(
                    self._url,
                    socket_timeout=self._timeout,
                    socket_connect_timeout=self._timeout,
                    health_check_interval=30,
                )
            return self._client

    def call(self, what: str, operation: Callable[[redis.Redis[bytes]], T]) -> T:
        """Run ``operation`` on the client; any Redis failure becomes ``RedisUnavailable``."""
        if time.monotonic() < self._down_until:
            raise RedisUnavailable(f"{what}: Redis is in its cooldown after a failure")
        try:
            return operation(self.client)
        except redis.RedisError as exc:
            self._down_until = time.monotonic() + self._cooldown
            log.warning("redis unavailable during %s: %s", what, exc)
            raise RedisUnavailable(f"{what}: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
