"""Kafka topic -> raw-layer Parquet files, exactly once into the raw layer.

Offsets are owned by the files (their names hold partition and offset range), so
the consumer is manually assigned and seeks to just after what the files hold. A
crash between writing a file and anything else therefore loads nothing twice and
loses nothing. Kafka group offsets are committed afterwards for lag monitoring only.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from ingest.raw.files import (
    ensure_schema_file,
    folder_lock,
    list_raw_files,
    remove_temp_files,
    write_raw_file,
)
from ingest.raw.layout import RawFile, next_offsets, plan_start_offsets, topic_dir_name
from ingest.raw.rows import KafkaMessage, message_to_row, rows_to_table

log = logging.getLogger(__name__)

DEFAULT_GROUP_ID = "tiffin-ingest-raw"


class UnknownTopicError(LookupError):
    pass


@dataclass(frozen=True)
class LoadResult:
    topic: str
    rows: int
    files: tuple[Path, ...]
    next_offsets: dict[int, int] = field(default_factory=dict)
    caught_up: bool = True


def raw_topic_dir(raw_dir: Path, topic: str) -> Path:
    return Path(raw_dir) / topic_dir_name(topic)


def load_topic_to_parquet(
    bootstrap: str,
    topic: str,
    raw_dir: Path,
    *,
    max_records: int | None = None,
    timeout_s: float = 60.0,
    rows_per_file: int = 100_000,
    group_id: str | None = DEFAULT_GROUP_ID,
) -> LoadResult:
    """Land `topic` under `raw_dir/<topic_dir_name(topic)>/` up to the log end seen at start.

    Stops early after `max_records` records or `timeout_s` seconds (caught_up=False).
    """
    directory = raw_topic_dir(raw_dir, topic)
    with folder_lock(directory):
        remove_temp_files(directory)
        ensure_schema_file(directory)
        consumer = _consumer(bootstrap, group_id)
        try:
            return _load(consumer, topic, directory, max_records, timeout_s, rows_per_file, group_id)
        finally:
            consumer.close(autocommit=False)


def _consumer(bootstrap: str, group_id: str | None) -> Any:
    return KafkaConsumer(
        bootstrap_servers=bootstrap,
        client_id="tiffin-ingest-raw",
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        allow_auto_create_topics=False,
    )


def _load(
    consumer: Any,
    topic: str,
    directory: Path,
    max_records: int | None,
    timeout_s: float,
    rows_per_file: int,
    group_id: str | None,
) -> LoadResult:
    deadline = time.monotonic() + timeout_s
    partitions = sorted(consumer.partitions_for_topic(topic))
    if not partitions:
        raise UnknownTopicError(f"topic {topic!r} does not exist")
    tps = [TopicPartition(topic, p) for p in partitions]
    beginning = {tp.partition: o for tp, o in consumer.beginning_offsets(tps).items()}
    end = {tp.partition: o for tp, o in consumer.end_offsets(tps).items()}
    files = list_raw_files(directory)
    held = next_offsets(files)
    plan = plan_start_offsets(partitions, files, beginning, end)
    for partition, start in plan.items():
        if start > held.get(partition, 0):
            lost = f"{held.get(partition, 0)}..{start - 1}"
            log.warning("%s[%d]: offsets %s were deleted by retention first", topic, partition, lost)
    consumer.assign(tps)
    for tp in tps:
        consumer.seek(tp, plan[tp.partition])

    load_id = uuid.uuid4().hex
    buffer: list[KafkaMessage] = []
    written: list[Path] = []
    rows = 0

    def caught_up() -> bool:
        return all(consumer.position(tp) >= end[tp.partition] for tp in tps)

    def budget() -> int | None:
        return None if max_records is None else max_records - rows - len(buffer)

    while not caught_up() and budget() != 0 and time.monotonic() < deadline:
        remaining_ms = max(1, int((deadline - time.monotonic()) * 1000))
        left = budget()
        batch = consumer.poll(timeout_ms=min(500, remaining_ms), max_records=left or 500)
        for records in batch.values():
            buffer.extend(_message(r) for r in records)
        if len(buffer) >= rows_per_file:
            written += _flush(consumer, buffer, directory, load_id, group_id)
            rows += len(buffer)
            buffer.clear()
    if buffer:
        written += _flush(consumer, buffer, directory, load_id, group_id)
        rows += len(buffer)
    done = caught_up()
    result_offsets = {**plan, **next_offsets(list_raw_files(directory))}
    log.info("%s: loaded %d rows into %d files (caught up: %s)", topic, rows, len(written), done)
    return LoadResult(topic, rows, tuple(written), result_offsets, done)


def _message(record: Any) -> KafkaMessage:
    return KafkaMessage(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key,
        value=record.value,
        timestamp_ms=record.timestamp,
    )


def _flush(
    consumer: Any, buffer: list[KafkaMessage], directory: Path, load_id: str, group_id: str | None
) -> list[Path]:
    by_partition: dict[int, list[KafkaMessage]] = defaultdict(list)
    for message in buffer:
        by_partition[message.partition].append(message)
    loaded_at = datetime.now(UTC)
    written: list[Path] = []
    commits: dict[TopicPartition, OffsetAndMetadata] = {}
    for partition, messages in sorted(by_partition.items()):
        messages.sort(key=lambda m: m.offset)
        raw_file = RawFile(partition, messages[0].offset, messages[-1].offset)
        table = rows_to_table(message_to_row(m, load_id, loaded_at) for m in messages)
        written.append(write_raw_file(table, directory, raw_file))
        tp = TopicPartition(messages[0].topic, partition)
        commits[tp] = OffsetAndMetadata(raw_file.last_offset + 1, raw_file.name, -1)
    if group_id is not None:
        commit_group_offsets(consumer, commits)
    return written


def commit_group_offsets(consumer: Any, offsets: dict[TopicPartition, OffsetAndMetadata]) -> None:
    """Informational only (consumer-lag dashboards): the files are the source of truth."""
    try:
        consumer.commit(offsets)
    except KafkaError as error:
        log.warning("informational offset commit failed: %s", error)
