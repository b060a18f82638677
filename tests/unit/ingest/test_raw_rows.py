import json
import uuid
from datetime import UTC, datetime

from contracts.envelope import EventEnvelope
from ingest.raw.rows import RAW_SCHEMA, KafkaMessage, message_to_row, rows_to_table

LOADED_AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def an_envelope(**payload):
    return EventEnvelope(
        event_type="OrderPlaced",
        schema_version=1,
        occurred_at=datetime(2026, 1, 1, 12, 0, tzinfo=UTC),
        producer="orders",
        aggregate_id="order-1",
        payload=payload or {"order_id": "order-1", "total_minor": 45050},
    )


def a_message(value, key=b"order-1", offset=7, timestamp_ms=1_767_268_800_000):
    return KafkaMessage("orders.v1", 1, offset, key, value, timestamp_ms)


def test_an_envelope_becomes_a_row_with_its_kafka_coordinates_and_envelope_fields():
    envelope = an_envelope()

    row = message_to_row(a_message(envelope.to_json_bytes()), "load-1", LOADED_AT)

    assert row["kafka_topic"] == "orders.v1"
    assert (row["kafka_partition"], row["kafka_offset"], row["kafka_key"]) == (1, 7, "order-1")
    assert row["kafka_timestamp"] == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert row["event_id"] == str(envelope.event_id)
    assert row["event_type"] == "OrderPlaced"
    assert row["occurred_at"] == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert row["invalid_reason"] is None and row["raw_value"] is None


def test_the_payload_is_kept_as_json_with_money_as_exact_integers():
    row = message_to_row(a_message(an_envelope().to_json_bytes()), "load-1", LOADED_AT)

    assert json.loads(row["payload"]) == {"order_id": "order-1", "total_minor": 45050}


def test_a_value_that_is_not_an_envelope_is_kept_with_the_reason_instead_of_dropped():
    row = message_to_row(a_message(b'{"hello": "world"}'), "load-1", LOADED_AT)

    assert row["event_id"] is None
    assert row["raw_value"] == '{"hello": "world"}'
    assert "validation error" in row["invalid_reason"]


def test_tombstones_and_missing_keys_and_timestamps_are_kept_as_nulls():
    row = message_to_row(a_message(None, key=None, timestamp_ms=-1), "load-1", LOADED_AT)

    assert row["kafka_key"] is None and row["kafka_timestamp"] is None
    assert row["invalid_reason"] == "tombstone (null value)"


def test_undecodable_bytes_do_not_fail_the_load():
    row = message_to_row(a_message(b"\xff\xfe", key=b"\xff"), "load-1", LOADED_AT)

    assert row["kafka_key"] == "\\xff"
    assert row["raw_value"] == "\\xff\\xfe"


def test_rows_become_a_table_with_the_raw_schema():
    rows = [message_to_row(a_message(an_envelope().to_json_bytes(), offset=o), "l", LOADED_AT) for o in (1, 2)]

    table = rows_to_table(rows)

    assert table.schema == RAW_SCHEMA
    assert table.column("kafka_offset").to_pylist() == [1, 2]
    assert uuid.UUID(table.column("event_id")[0].as_py())
