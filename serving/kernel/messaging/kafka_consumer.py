"""The Kafka side of a consumer: the slice of kafka-python it uses, and how it is configured."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol


class KafkaRecord(Protocol):
    topic: str
    partition: int
    offset: int
    value: bytes | None


class Consumer(Protocol):
    """The slice of kafka-python's KafkaConsumer the framework uses."""

    def poll(self, timeout_ms: int = ..., max_records: int | None = ...) -> Mapping[Any, Sequence[Any]]: ...

    def commit(self, offsets: Any = ...) -> Any: ...

    def seek(self, partition: Any, offset: int) -> None: ...

    def close(self, autocommit: bool = ...) -> None: ...


# How long the client waits between attempts to reach a broker it lost, at most.
# kafka-python's consumer default is 30 s: after an outage of half a minute a consumer
# then sat idle for up to 30 s more with the broker back (bench/README.md).
RECONNECT_BACKOFF_MAX_MS = 1000


def consumer_config(bootstrap: str, group_id: str, client_id: str, max_poll_records: int) -> dict[str, Any]:
    """KafkaConsumer settings of a group member with manual commits.

    ``earliest`` for a new group: a consumer deployed for the first time must see the
    events already waiting, not only the ones after it started. ``max_poll_records`` is
    also how many records share one database transaction.
    """
    return {
        "bootstrap_servers": bootstrap.split(","),
        "group_id": group_id,
        "client_id": client_id,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "max_poll_records": max_poll_records,
        "reconnect_backoff_max_ms": RECONNECT_BACKOFF_MAX_MS,
    }


def kafka_consumer(
    bootstrap: str, topic: str, group_id: str, client_id: str, *, max_poll_records: int = 500
) -> Consumer:
    """A group member reading ``topic`` with manual commits (``consumer_config``)."""
    from kafka import KafkaConsumer  # imported here: no Kafka client at import time

    consumer = KafkaConsumer(**consumer_config(bootstrap, group_id, client_id, max_poll_records))
    # Know the topic's partitions before joining: a group leader without them
    # assigns nothing ("No partition metadata") and the member idles until the
    # next metadata refresh, minutes later.
    if not consumer.partitions_for_topic(topic):
        consumer.close()
        raise RuntimeError(f"topic {topic} does not exist (or the broker is unreachable)")
    consumer.subscribe([topic])
    subscribed: Consumer = consumer
    return subscribed
