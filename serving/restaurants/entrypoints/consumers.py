"""The restaurants service's Kafka consumer: it keeps the restaurant cache honest across processes.

Run by the consumers composition root as ``restaurant-cache``
(``python -m serving.consumers restaurant-cache``, or ``all``); built by
``bootstrap.cache_invalidator``. It reads ``restaurants.v1`` and applies
``handle_change_event`` to every record. The writer already invalidates right after its
commit; this consumer covers the writes it cannot see (stock reserved by the orders
service, other nodes, a writer that died between commit and delete). Offsets are
committed after the deletes, so delivery is at least once; the handler is idempotent,
so a redelivered record is harmless.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Protocol

from contracts.envelope import EventEnvelope
from serving.restaurants.adapters.cache.restaurant_cache import RestaurantCache, handle_change_event

log = logging.getLogger(__name__)

GROUP_ID = "tiffin-restaurants-cache-invalidator"


class Consumer(Protocol):
    def poll(self, timeout_ms: int = ..., max_records: int | None = ...) -> dict[Any, list[Any]]: ...

    def commit(self) -> None: ...

    def close(self) -> None: ...


class CacheInvalidator:
    name = "restaurant-cache"

    def __init__(self, consumer: Consumer, cache: RestaurantCache) -> None:
        self._consumer = consumer
        self._cache = cache

    def poll_once(self, timeout_ms: int = 1000) -> int:
        """Handle one poll's records; returns how many invalidated something."""
        batches = self._consumer.poll(timeout_ms=timeout_ms)
        handled = 0
        for records in batches.values():
            for record in records:
                try:
                    envelope = EventEnvelope.from_json_bytes(record.value)
                except ValueError:
                    # A record we cannot read can never become readable: skip, do not block the partition.
                    log.error("skipping unreadable record at offset %s", getattr(record, "offset", "?"))
                    continue
                handled += handle_change_event(self._cache, envelope)
        if batches:
            self._consumer.commit()
        return handled

    def run(self, stop: threading.Event) -> None:
        """Consume until ``stop`` is set, then close (as every consumer of ``serving.consumers`` does)."""
        log.info("consumer %s started", self.name)
        try:
            while not stop.is_set():
                try:
                    self.poll_once()
                except Exception:  # keep consuming; the next poll retries from the committed offset
                    log.exception("cache invalidation poll failed")
                    stop.wait(1.0)
        finally:
            self.close()
            log.info("consumer %s stopped", self.name)

    def close(self) -> None:
        self._consumer.close()
