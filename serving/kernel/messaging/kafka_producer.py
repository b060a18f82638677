"""The Kafka producer the relay publishes with, configured for order and fast failure."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from serving.kernel.settings import KernelSettings

log = logging.getLogger(__name__)


def producer_config(bootstrap: str, client_id: str, timeout_ms: int) -> dict[str, Any]:
    """KafkaProducer settings for an outbox relay.

    - acks=all + idempotence: an acked record is on every in-sync replica, and a
      producer retry never writes it twice.
    - idempotence also makes each partition's log a gap-free prefix of what was
      sent, and one request in flight keeps records in send order: per-key order.
    - every wait (bootstrap, metadata, delivery) is bounded by ``timeout_ms``, so
      an outage surfaces as an error the relay can back off from, not a hang.
    """
    request_timeout_ms = max(50, timeout_ms // 2)
    return {
        "bootstrap_servers": bootstrap.split(","),
        "client_id": client_id,
        "acks": "all",
        "enable_idempotence": True,
        "max_in_flight_requests_per_connection": 1,
        "linger_ms": 5,
        "request_timeout_ms": request_timeout_ms,
        "delivery_timeout_ms": timeout_ms,  # must be >= request_timeout_ms + linger_ms
        "max_block_ms": timeout_ms,
        "bootstrap_timeout_ms": timeout_ms,
        "reconnect_backoff_max_ms": 1000,
        # Topics come from contracts/topics.py via the stack; a misspelt topic in an
        # outbox row must fail loudly rather than create a stray topic.
        "allow_auto_create_topics": False,
    }


class RelayProducer:
    """A KafkaProducer plus ``abort``: drop unsent records, never send them late.

    kafka-python's ``close(timeout=0)`` raises while records are still pending and
    leaves its sender thread running, which could deliver them after the relay has
    already retried them (duplicates out of order). ``abort`` force-closes the
    sender first, which fails the pending records, then closes.
    """

    def __init__(self, producer: Any) -> None:
        self._producer = producer

    def send(
        self,
        topic: str,
        value: bytes | None = None,
        key: bytes | None = None,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> Any:
        return self._producer.send(topic, value=value, key=key, headers=headers)

    def flush(self, timeout: float | None = None) -> None:
        self._producer.flush(timeout=timeout)

    def close(self, timeout: float | None = None) -> None:
        self._producer.close(timeout=timeout)

    def abort(self) -> None:
        sender = getattr(self._producer, "_sender", None)  # private, see class docstring
        if sender is not None:
            sender.force_close()
            sender.join(5)
        try:
            self._producer.close(timeout=0)
        except Exception:
            log.debug("closing an aborted Kafka producer raised", exc_info=True)


def kafka_producer_factory(settings: KernelSettings) -> Callable[[], RelayProducer]:
    """A factory the relay calls whenever it needs a fresh producer."""

    def make_producer() -> RelayProducer:
        from kafka import KafkaProducer  # imported here: no Kafka client at import time

        config = producer_config(
            settings.kafka_bootstrap,
            f"{settings.service_name}-outbox-relay",
            settings.kafka_timeout_ms,
        )
        return RelayProducer(KafkaProducer(**config))

    return make_producer
