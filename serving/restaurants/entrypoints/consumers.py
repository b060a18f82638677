"""The Kafka consumer that keeps the restaurant cache honest across processes.

    python -m serving.restaurants.entrypoints.consumers [--once]

Reads ``restaurants.v1`` and applies ``handle_change_event`` to every record. The
writer already invalidates right after its commit; this consumer covers the writes it
cannot see (stock reserved by the orders service, other nodes, a writer that died
between commit and delete). Offsets are committed after the deletes, so delivery is
at least once; the handler is idempotent, so a redelivered record is harmless.
"""

from __future__ import annotations

import argparse
import logging
import threading
from typing import Any, Protocol

import redis

from contracts.envelope import EventEnvelope
from contracts.topics import RESTAURANTS
from serving.restaurants.adapters.cache.restaurant_cache import RestaurantCache, handle_change_event
from serving.settings import ServingSettings

log = logging.getLogger(__name__)

GROUP_ID = "tiffin-restaurants-cache-invalidator"


class Consumer(Protocol):
    def poll(self, timeout_ms: int = ..., max_records: int | None = ...) -> dict[Any, list[Any]]: ...

    def commit(self) -> None: ...

    def close(self) -> None: ...


class CacheInvalidator:
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
        while not stop.is_set():
            try:
                self.poll_once()
            except Exception:  # keep consuming; the next poll retries from the committed offset
                log.exception("cache invalidation poll failed")
                stop.wait(1.0)

    def close(self) -> None:
        self._consumer.close()


def build_invalidator(settings: ServingSettings, *, group_id: str = GROUP_ID) -> CacheInvalidator:
    from kafka import KafkaConsumer  # imported here: no Kafka client at import time

    consumer = KafkaConsumer(
        RESTAURANTS.name,
        bootstrap_servers=settings.kafka_bootstrap.split(","),
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        client_id=f"{settings.service_name}-cache-invalidator",
    )
    client = redis.Redis.from_url(settings.redis_url)
    return CacheInvalidator(consumer, RestaurantCache(client, settings.restaurants.restaurant_cache_ttl_seconds))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Invalidate cached restaurants and menus from restaurants.v1.")
    parser.add_argument("--once", action="store_true", help="handle one poll and exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    invalidator = build_invalidator(ServingSettings())
    try:
        if args.once:
            invalidator.poll_once(timeout_ms=5000)
        else:
            stop = threading.Event()
            try:
                invalidator.run(stop)
            except KeyboardInterrupt:
                stop.set()
    finally:
        invalidator.close()


if __name__ == "__main__":
    main()
