"""Turning an outbox row into the Kafka record the relay sends."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OutboxRecord:
    """An unpublished outbox row, as the relay reads it.

    ``payload`` is the envelope, or its JSON text as PostgreSQL prints the ``jsonb``
    (what the relay reads: sending that text saves parsing and re-encoding each row).
    """

    id: int
    event_id: str
    topic: str
    message_key: str
    event_type: str
    payload: Mapping[str, Any] | str


@dataclass(frozen=True)
class KafkaMessage:
    topic: str
    key: bytes
    value: bytes
    headers: tuple[tuple[str, bytes], ...]


def kafka_message(record: OutboxRecord) -> KafkaMessage:
    """Value is the envelope's JSON (``EventEnvelope.from_json_bytes`` reads it); its
    bytes are not fixed (compact, or PostgreSQL's spacing), only what it parses to.

    Headers repeat event_type and event_id so consumers can filter or dedupe
    without parsing the value.
    """
    payload = record.payload
    text = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return KafkaMessage(
        topic=record.topic,
        key=record.message_key.encode(),
        value=text.encode(),
        headers=(
            ("event_type", record.event_type.encode()),
            ("event_id", record.event_id.encode()),
        ),
    )
