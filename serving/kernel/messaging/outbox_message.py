"""Turning an outbox row into the Kafka record the relay sends."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OutboxRecord:
    """An unpublished outbox row, as the relay reads it."""

    id: int
    event_id: str
    topic: str
    message_key: str
    event_type: str
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class KafkaMessage:
    topic: str
    key: bytes
    value: bytes
    headers: tuple[tuple[str, bytes], ...]


def kafka_message(record: OutboxRecord) -> KafkaMessage:
    """Value is the envelope's JSON (``EventEnvelope.from_json_bytes`` reads it).

    Headers repeat event_type and event_id so consumers can filter or dedupe
    without parsing the value.
    """
    return KafkaMessage(
        topic=record.topic,
        key=record.message_key.encode(),
        value=json.dumps(record.payload, separators=(",", ":"), ensure_ascii=False).encode(),
        headers=(
            ("event_type", record.event_type.encode()),
            ("event_id", record.event_id.encode()),
        ),
    )
