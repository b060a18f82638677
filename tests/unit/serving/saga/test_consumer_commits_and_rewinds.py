"""The consumer framework's offset bookkeeping, with a fake Kafka consumer (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from serving.consumers.framework import IdempotentConsumer
from serving.consumers.processed import poison_event_id
from serving.orders.tables import processed_events


@dataclass(frozen=True)
class Rec:
    topic: str
    partition: int
    offset: int
    value: bytes | None = b"{}"


@dataclass
class FakeKafka:
    batches: dict[str, list[Rec]]
    commits: list[dict[str, int]] = field(default_factory=list)
    seeks: dict[str, int] = field(default_factory=dict)

    def poll(self, timeout_ms: int = 0, max_records: int | None = None) -> dict[str, list[Rec]]:
        batches, self.batches = self.batches, {}
        return batches

    def commit(self, offsets: Any = None) -> None:
        self.commits.append({tp: meta.offset for tp, meta in offsets.items()})

    def seek(self, partition: Any, offset: int) -> None:
        self.seeks[partition] = offset

    def close(self, autocommit: bool = False) -> None:
        pass


def _consumer(kafka: FakeKafka, fail_at: Rec | None, processed: list[Rec]) -> IdempotentConsumer:
    consumer = IdempotentConsumer("test", kafka, engine=None, processed_events=processed_events, handler=None)  # type: ignore[arg-type]

    def process(record: Rec) -> None:
        if record == fail_at:
            raise RuntimeError("database down")
        processed.append(record)

    consumer._process = process  # type: ignore[method-assign,assignment]
    return consumer


A0, A1, A2, B0 = Rec("t", 0, 10), Rec("t", 0, 11), Rec("t", 0, 12), Rec("t", 1, 7)


def test_offsets_are_committed_after_every_record_of_the_poll_was_processed() -> None:
    kafka, processed = FakeKafka({"p0": [A0, A1, A2], "p1": [B0]}), list[Rec]()
    assert _consumer(kafka, None, processed).poll_once() == 4
    assert processed == [A0, A1, A2, B0]
    assert kafka.commits == [{"p0": 13, "p1": 8}]
    assert kafka.seeks == {}


def test_a_failing_record_commits_what_came_before_and_rewinds_to_itself_and_the_untouched_partitions() -> None:
    kafka, processed = FakeKafka({"p0": [A0, A1, A2], "p1": [B0]}), list[Rec]()
    with pytest.raises(RuntimeError):
        _consumer(kafka, A1, processed).poll_once()
    assert processed == [A0]
    assert kafka.commits == [{"p0": 11}]
    assert kafka.seeks == {"p0": 11, "p1": 7}


def test_an_empty_poll_commits_nothing() -> None:
    kafka = FakeKafka({})
    assert _consumer(kafka, None, []).poll_once() == 0
    assert kafka.commits == []


def test_a_poison_record_is_recorded_under_an_id_fixed_by_its_place_in_the_log() -> None:
    assert poison_event_id("orders.v1", 0, 5) == poison_event_id("orders.v1", 0, 5)
    assert poison_event_id("orders.v1", 0, 5) != poison_event_id("orders.v1", 1, 5)
