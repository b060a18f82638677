"""The Kafka producer the relay publishes with, configured for order, fast failure and throughput."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from serving.kernel.settings import KernelSettings

log = logging.getLogger(__name__)

Compression = Literal["none", "gzip"]

# The broker refuses a record batch above message.max.bytes (about 1 MB by default).
MAX_BATCH_BYTES = 1_000_000


@dataclass(frozen=True)
class ProducerTuning:
    """The throughput knobs of the relay's producer (``TIFFIN_KAFKA_PRODUCER_*``).

    - ``batch_bytes``: the largest record batch per partition. kafka-python sends one
      batch per partition at a time when idempotent, so a relay batch of 500 rows of
      ~1 KB needs about 170 KB per partition to go out in one round trip; 16 KB (the
      library's default) made it ten round trips.
    - ``max_in_flight``: produce requests in flight per connection, at most 5 with
      idempotence, which keeps each partition's log in send order across retries.
    - ``linger_ms``: how long a batch waits for more records (the relay flushes anyway).
    - ``compression``: none, or gzip (the codec kafka-python has without extra packages).
    """

    batch_bytes: int = 512 * 1024
    max_in_flight: int = 5
    linger_ms: int = 5
    compression: Compression = "none"

    def __post_init__(self) -> None:
        if not (1 <= self.max_in_flight <= 5 and 0 < self.batch_bytes <= MAX_BATCH_BYTES and self.linger_ms >= 0):
            raise ValueError(f"need 1 <= max_in_flight <= 5, 0 < batch_bytes <= {MAX_BATCH_BYTES}, linger_ms >= 0")

    @classmethod
    def of(cls, settings: KernelSettings) -> ProducerTuning:
        return cls(
            batch_bytes=settings.kafka_producer_batch_bytes,
            max_in_flight=settings.kafka_producer_max_in_flight,
            linger_ms=settings.kafka_producer_linger_ms,
            compression=settings.kafka_producer_compression,
        )

    def java_properties(self) -> list[str]:
        """The same settings for Kafka's Java producer (ProducerPerformance in the benchmark)."""
        return [
            "acks=all",
            "enable.idempotence=true",
            f"max.in.flight.requests.per.connection={self.max_in_flight}",
            f"batch.size={self.batch_bytes}",
            f"max.request.size={max(self.batch_bytes, 1024 * 1024)}",
            f"linger.ms={self.linger_ms}",
            f"compression.type={self.compression}",
        ]


def producer_config(
    bootstrap: str, client_id: str, timeout_ms: int, tuning: ProducerTuning = ProducerTuning()
) -> dict[str, Any]:
    """KafkaProducer settings for an outbox relay.

    - acks=all + idempotence: an acked record is on every in-sync replica, and a
      producer retry never writes it twice.
    - idempotence also makes each partition's log a gap-free prefix of what was
      sent, in send order, with up to 5 requests in flight (kafka-python moreover
      keeps one batch per partition in flight when idempotent): per-key order.
    - every wait (bootstrap, metadata, delivery) is bounded by ``timeout_ms``, so
      an outage surfaces as an error the relay can back off from, not a hang.
    """
    request_timeout_ms = max(50, timeout_ms // 2)
    return {
        "bootstrap_servers": bootstrap.split(","),
        "client_id": client_id,
        "acks": "all",
        "enable_idempotence": True,
        "max_in_flight_requests_per_connection": tuning.max_in_flight,
        "linger_ms": tuning.linger_ms,
        "batch_size": tuning.batch_bytes,
        "max_request_size": max(tuning.batch_bytes, 1024 * 1024),
        "compression_type": None if tuning.compression == "none" else tuning.compression,
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
            ProducerTuning.of(settings),
        )
        return RelayProducer(KafkaProducer(**config))

    return make_producer
