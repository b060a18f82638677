"""The city-order-metrics rules in plain Python (streaming/transforms/order_metrics.py)."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from contracts.envelope import EventEnvelope
from contracts.events.orders import OrderLine, OrderPlaced
from contracts.metrics import CityOrderMinute
from streaming.transforms.order_metrics import (
    OrderMetricEvent,
    aggregate,
    city_order_minute,
    parse_order_placed,
    parse_utc_timestamp_ms,
    window_start_ms,
)

MINUTE = 60_000
T0 = datetime(2026, 3, 14, 9, 26, 0, tzinfo=UTC)
T0_MS = 1_773_480_360_000


def envelope(
    city: str = "Pune", total: int = 27000, at: datetime = T0, event_type: str = "OrderPlaced"
) -> EventEnvelope:
    placed = OrderPlaced(
        order_id=uuid.uuid4(),
        customer_id="c-1",
        restaurant_id="r-1",
        city=city,
        lines=[OrderLine(item_id="i-1", name="Thali", quantity=1, unit_price_minor=total)],
        subtotal_minor=total,
        delivery_fee_minor=0,
        total_minor=total,
        currency="INR",
        placed_at=at,
    )
    return EventEnvelope(
        event_type=event_type,
        schema_version=1,
        occurred_at=at,
        producer="tests",
        aggregate_id=str(placed.order_id),
        payload=placed.model_dump(mode="json"),
    )


def raw(**changes: object) -> bytes:
    """An OrderPlaced envelope as JSON, with top-level fields or payload.<field> replaced."""
    document = json.loads(envelope().to_json_bytes())
    for key, value in changes.items():
        if key.startswith("payload_"):
            document["payload"][key.removeprefix("payload_")] = value
        else:
            document[key] = value
    return json.dumps(document).encode()


def test_an_order_placed_envelope_gives_city_gmv_and_event_time() -> None:
    message = envelope(city="Kochi", total=45050, at=T0 + timedelta(seconds=7, microseconds=250_999))
    event = parse_order_placed(message.to_json_bytes())
    assert event == OrderMetricEvent(str(message.event_id), "Kochi", 45050, T0_MS + 7_250)


def test_text_and_bytes_parse_alike() -> None:
    message = envelope().to_json_bytes()
    assert parse_order_placed(message) == parse_order_placed(message.decode())


@pytest.mark.parametrize(
    "record",
    [
        None,
        b"",
        b"{not json",
        b"\xff\xfe",
        b"[1, 2, 3]",
        b'"OrderPlaced"',
        raw(event_type="OrderAccepted"),
        raw(event_type=None),
        raw(event_id=None),
        raw(event_id=""),
        raw(payload=None),
        raw(payload_city=None),
        raw(payload_city=""),
        raw(payload_city=42),
        raw(payload_total_minor=None),
        raw(payload_total_minor=-1),
        raw(payload_total_minor=12.5),
        raw(payload_total_minor="100"),
        raw(payload_total_minor=True),
        raw(occurred_at=None),
        raw(occurred_at=1_773_480_360),
        raw(occurred_at="yesterday"),
        raw(occurred_at="2026-03-14T09:26:00"),  # naive: not UTC
        raw(occurred_at="2026-03-14T09:26:00+05:30"),  # UTC only, as EventEnvelope writes
        raw(occurred_at="2026-03-14 09:26:00Z"),
        raw(occurred_at="2026-03-14T09:26Z"),
    ],
    ids=lambda r: repr(r)[:60],
)
def test_records_that_are_not_valid_order_placed_events_are_skipped(record: bytes | None) -> None:
    assert parse_order_placed(record) is None


@pytest.mark.parametrize(
    ("text", "expected_ms"),
    [
        ("2026-03-14T09:26:00Z", T0_MS),
        ("2026-03-14T09:26:00+00:00", T0_MS),
        ("2026-03-14T09:26:00-00:00", T0_MS),
        ("2026-03-14T09:26:00.5Z", T0_MS + 500),
        ("2026-03-14T09:26:00.123456Z", T0_MS + 123),
        ("2026-03-14T09:26:00.999999999Z", T0_MS + 999),
        ("1969-12-31T23:59:59Z", -1000),
    ],
)
def test_utc_timestamps_become_epoch_milliseconds(text: str, expected_ms: int) -> None:
    assert parse_utc_timestamp_ms(text) == expected_ms


def test_the_envelopes_own_occurred_at_round_trips_in_utc() -> None:
    at = datetime(2026, 3, 14, 14, 56, 0, tzinfo=UTC)
    message = json.loads(envelope(at=at).to_json_bytes())
    assert message["occurred_at"].endswith("Z")
    assert parse_utc_timestamp_ms(message["occurred_at"]) == T0_MS + 5 * 3_600_000 + 30 * MINUTE


@pytest.mark.parametrize(
    ("event_ms", "start_ms"),
    [
        (T0_MS, T0_MS),
        (T0_MS + 59_999, T0_MS),
        (T0_MS + 60_000, T0_MS + MINUTE),
        (T0_MS - 1, T0_MS - MINUTE),
        (-1, -MINUTE),
    ],
)
def test_windows_are_tumbling_minutes_aligned_to_the_epoch(event_ms: int, start_ms: int) -> None:
    assert window_start_ms(event_ms, MINUTE) == start_ms


def test_a_window_size_must_be_positive() -> None:
    with pytest.raises(ValueError):
        window_start_ms(T0_MS, 0)


def test_the_window_record_has_utc_bounds_and_the_totals() -> None:
    record = city_order_minute("Pune", T0_MS, MINUTE, order_count=3, gmv_minor=81000)
    assert record == CityOrderMinute(
        city="Pune",
        window_start=T0,
        window_end=T0 + timedelta(minutes=1),
        order_count=3,
        gmv_minor=81000,
    )
    assert record.window_start.utcoffset() == timedelta(0)
    document = json.loads(record.model_dump_json())
    assert document["window_start"] == "2026-03-14T09:26:00Z"
    assert document["window_end"] == "2026-03-14T09:27:00Z"


def test_aggregate_counts_and_sums_per_city_and_minute_once_per_event_id() -> None:
    a1 = envelope("Pune", 100, T0 + timedelta(seconds=1))
    a2 = envelope("Pune", 250, T0 + timedelta(seconds=59, microseconds=999_999))
    a3 = envelope("Pune", 7, T0 + timedelta(seconds=60))  # next minute
    b1 = envelope("Goa", 40, T0 + timedelta(seconds=30))
    records = [
        a1.to_json_bytes(),
        b1.to_json_bytes(),
        a2.to_json_bytes(),
        a1.to_json_bytes(),  # redelivered: counts once
        a3.to_json_bytes(),
        envelope("Pune", 999, T0, event_type="OrderCancelled").to_json_bytes(),
        b"garbage",
    ]
    assert aggregate(records, MINUTE) == [
        city_order_minute("Goa", T0_MS, MINUTE, 1, 40),
        city_order_minute("Pune", T0_MS, MINUTE, 2, 350),
        city_order_minute("Pune", T0_MS + MINUTE, MINUTE, 1, 7),
    ]


def test_aggregate_of_nothing_is_nothing() -> None:
    assert aggregate([], MINUTE) == []
    assert aggregate([b"{}", None], MINUTE) == []
