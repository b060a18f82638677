"""Kafka message -> raw row, and the raw layer's Arrow schema (pure)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
from pydantic import ValidationError

from contracts.envelope import EventEnvelope

RAW_SCHEMA = pa.schema(
    [
        pa.field("kafka_topic", pa.string(), nullable=False),
        pa.field("kafka_partition", pa.int32(), nullable=False),
        pa.field("kafka_offset", pa.int64(), nullable=False),
        pa.field("kafka_key", pa.string()),
        pa.field("kafka_timestamp", pa.timestamp("ms", tz="UTC")),
        pa.field("event_id", pa.string()),
        pa.field("event_type", pa.string()),
        pa.field("schema_version", pa.int32()),
        pa.field("occurred_at", pa.timestamp("us", tz="UTC")),
        pa.field("producer", pa.string()),
        pa.field("aggregate_id", pa.string()),
        pa.field("trace_id", pa.string()),
        pa.field("payload", pa.string()),
        pa.field("raw_value", pa.string()),
        pa.field("invalid_reason", pa.string()),
        pa.field("load_id", pa.string(), nullable=False),
        pa.field("loaded_at", pa.timestamp("us", tz="UTC"), nullable=False),
    ]
)


@dataclass(frozen=True)
class KafkaMessage:
    """The parts of a consumed record the raw layer keeps."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp_ms: int | None


def _text(raw: bytes | None) -> str | None:
    return None if raw is None else raw.decode("utf-8", errors="backslashreplace")


def _kafka_time(timestamp_ms: int | None) -> datetime | None:
    if timestamp_ms is None or timestamp_ms < 0:
        return None
    return datetime.fromtimestamp(timestamp_ms / 1000, tz=UTC)


def message_to_row(message: KafkaMessage, load_id: str, loaded_at: datetime) -> dict[str, Any]:
    """One raw row. A value that is not a valid envelope is kept, not dropped:
    its envelope columns are null and raw_value/invalid_reason say why."""
    row: dict[str, Any] = {
        "kafka_topic": message.topic,
        "kafka_partition": message.partition,
        "kafka_offset": message.offset,
        "kafka_key": _text(message.key),
        "kafka_timestamp": _kafka_time(message.timestamp_ms),
        "event_id": None,
        "event_type": None,
        "schema_version": None,
        "occurred_at": None,
        "producer": None,
        "aggregate_id": None,
        "trace_id": None,
        "payload": None,
        "raw_value": None,
        "invalid_reason": None,
        "load_id": load_id,
        "loaded_at": loaded_at,
    }
    try:
        if message.value is None:
            raise ValueError("tombstone (null value)")
        envelope = EventEnvelope.from_json_bytes(message.value)
    except (ValidationError, ValueError) as error:
        row["raw_value"] = _text(message.value)
        row["invalid_reason"] = str(error).splitlines()[0][:500]
        return row
    row.update(
        event_id=str(envelope.event_id),
        event_type=envelope.event_type,
        schema_version=envelope.schema_version,
        occurred_at=envelope.occurred_at,
        producer=envelope.producer,
        aggregate_id=envelope.aggregate_id,
        trace_id=envelope.trace_id,
        payload=json.dumps(envelope.payload, separators=(",", ":"), ensure_ascii=False),
    )
    return row


def rows_to_table(rows: Iterable[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=RAW_SCHEMA)
