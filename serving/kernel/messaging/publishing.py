"""Sending one batch of outbox rows through a producer and waiting for every ack."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Protocol

from serving.kernel.messaging.outbox_message import OutboxRecord, kafka_message


class RecordFuture(Protocol):
    def get(self, timeout: float | None = None) -> Any: ...


class Producer(Protocol):
    """The slice of kafka-python's KafkaProducer the relay uses."""

    def send(
        self,
        topic: str,
        value: bytes | None = None,
        key: bytes | None = None,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> RecordFuture: ...

    def flush(self, timeout: float | None = None) -> None: ...

    def close(self, timeout: float | None = None) -> None: ...

    def abort(self) -> None:
        """Close at once, failing (never later sending) records not yet acked."""


def publish_all(producer: Producer, records: Sequence[OutboxRecord], timeout_seconds: float) -> None:
    """Send every record in order and wait until Kafka acked all of them, or raise.

    All sends go out before the first wait: the producer packs one batch's records
    into as few requests as its ``batch_size`` allows.
    """
    deadline = time.monotonic() + timeout_seconds
    futures = []
    for record in records:
        message = kafka_message(record)
        futures.append(
            producer.send(message.topic, value=message.value, key=message.key, headers=list(message.headers))
        )
    producer.flush(timeout=max(0.0, deadline - time.monotonic()))
    for future in futures:
        future.get(timeout=max(0.0, deadline - time.monotonic()))
