"""ingest.raw against the real broker: exactly once into the raw layer, across crashes."""

from __future__ import annotations

import uuid
from collections import Counter

import duckdb
import pytest
from kafka import KafkaConsumer, TopicPartition

from contracts.topics import ORDERS
from ingest.raw import load_topic_to_parquet, raw_topic_dir
from ingest.raw import loader as raw_loader
from ingest.raw.files import write_raw_file
from ingest.raw.loader import UnknownTopicError

pytestmark = pytest.mark.stack


class SimulatedCrash(BaseException):
    """A BaseException, like a kill: nothing in the loader may swallow it."""


def raw_rows(raw_dir, where="true"):
    glob = str(raw_topic_dir(raw_dir, ORDERS.name) / "*.parquet")
    with duckdb.connect() as con:
        return con.execute(
            f"select kafka_partition, kafka_offset, event_id, kafka_key, payload "
            f"from read_parquet('{glob}') where {where}"
        ).fetchall()


def marker_rows(raw_dir, marker):
    return raw_rows(raw_dir, f"payload like '%{marker}%'")


def assert_each_offset_once(raw_dir):
    coordinates = Counter((p, o) for p, o, *_ in raw_rows(raw_dir))
    assert [c for c, n in coordinates.items() if n > 1] == []


def committed_offsets(bootstrap, group_id):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group_id, enable_auto_commit=False)
    try:
        return {p: consumer.committed(TopicPartition(ORDERS.name, p)) for p in range(ORDERS.partitions)}
    finally:
        consumer.close()


@pytest.fixture
def marker_orders(make_order_placed, produce_orders):
    marker = f"Rawtown-{uuid.uuid4().hex[:8]}"
    envelopes = [make_order_placed(marker, 10_000 + i) for i in range(30)]
    positions = produce_orders(envelopes)
    assert len({p for p, _ in positions}) > 1, "keys should spread over partitions"
    return marker, envelopes


def test_a_load_lands_every_record_once_with_its_kafka_coordinates(stack, warehouse, marker_orders):
    marker, envelopes = marker_orders
    raw_dir = warehouse / "raw"

    result = load_topic_to_parquet(stack.kafka_bootstrap, ORDERS.name, raw_dir, timeout_s=60)

    assert result.caught_up
    rows = marker_rows(raw_dir, marker)
    assert sorted(r[2] for r in rows) == sorted(str(e.event_id) for e in envelopes)
    assert {r[3] for r in rows} == {e.aggregate_id for e in envelopes}
    assert_each_offset_once(raw_dir)


def test_a_second_load_adds_nothing_already_loaded(stack, warehouse, marker_orders):
    marker, envelopes = marker_orders
    raw_dir = warehouse / "raw"
    first = load_topic_to_parquet(stack.kafka_bootstrap, ORDERS.name, raw_dir, timeout_s=60)

    second = load_topic_to_parquet(stack.kafka_bootstrap, ORDERS.name, raw_dir, timeout_s=60)

    assert len(marker_rows(raw_dir, marker)) == len(envelopes)
    assert all(second.next_offsets[p] >= o for p, o in first.next_offsets.items())
    assert_each_offset_once(raw_dir)


def test_a_crash_after_writing_files_but_before_committing_offsets_loads_nothing_twice(
    stack, warehouse, marker_orders, monkeypatch
):
    marker, envelopes = marker_orders
    raw_dir = warehouse / "raw"
    group = f"tests-{uuid.uuid4().hex[:8]}"

    def crash(*args, **kwargs):
        raise SimulatedCrash

    with monkeypatch.context() as patch:
        patch.setattr(raw_loader, "commit_group_offsets", crash)
        with pytest.raises(SimulatedCrash):
            load_topic_to_parquet(stack.kafka_bootstrap, ORDERS.name, raw_dir, rows_per_file=7, group_id=group)
    assert raw_rows(raw_dir), "the crash came after the first files were written"
    assert all(o is None for o in committed_offsets(stack.kafka_bootstrap, group).values())

    result = load_topic_to_parquet(stack.kafka_bootstrap, ORDERS.name, raw_dir, group_id=group)

    assert result.caught_up
    assert sorted(r[2] for r in marker_rows(raw_dir, marker)) == sorted(str(e.event_id) for e in envelopes)
    assert_each_offset_once(raw_dir)
    committed = committed_offsets(stack.kafka_bootstrap, group)
    assert all(committed[p] in (None, o) for p, o in result.next_offsets.items())


def test_a_crash_between_two_partition_files_resumes_each_partition_where_its_files_end(
    stack, warehouse, marker_orders, monkeypatch
):
    marker, envelopes = marker_orders
    raw_dir = warehouse / "raw"
    written = []

    def write_then_crash(table, directory, raw_file):
        if written:
            raise SimulatedCrash
        written.append(write_raw_file(table, directory, raw_file))
        return written[-1]

    with monkeypatch.context() as patch:
        patch.setattr(raw_loader, "write_raw_file", write_then_crash)
        with pytest.raises(SimulatedCrash):
            load_topic_to_parquet(stack.kafka_bootstrap, ORDERS.name, raw_dir, group_id=None)
    assert len(written) == 1

    load_topic_to_parquet(stack.kafka_bootstrap, ORDERS.name, raw_dir, group_id=None)

    assert len(marker_rows(raw_dir, marker)) == len(envelopes)
    assert_each_offset_once(raw_dir)


def test_max_records_bounds_one_load_and_the_next_load_continues(stack, warehouse, marker_orders):
    marker, envelopes = marker_orders
    raw_dir = warehouse / "raw"

    first = load_topic_to_parquet(stack.kafka_bootstrap, ORDERS.name, raw_dir, max_records=5)
    assert (first.rows, first.caught_up) == (5, False)

    for _ in range(10):
        if load_topic_to_parquet(stack.kafka_bootstrap, ORDERS.name, raw_dir).caught_up:
            break

    assert len(marker_rows(raw_dir, marker)) == len(envelopes)
    assert_each_offset_once(raw_dir)


def test_loading_a_topic_that_does_not_exist_fails_instead_of_creating_it(stack, warehouse):
    with pytest.raises(UnknownTopicError):
        load_topic_to_parquet(stack.kafka_bootstrap, f"missing.{uuid.uuid4().hex[:8]}.v1", warehouse)
