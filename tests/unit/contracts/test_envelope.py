import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from contracts.envelope import EventEnvelope
from contracts.events.orders import OrderLine, OrderPlaced
from contracts.registry import spec_for
from contracts.topics import ALL_TOPICS, ORDERS, topic_named


def _placed() -> OrderPlaced:
    return OrderPlaced(
        order_id=uuid.uuid4(),
        customer_id="c-1",
        restaurant_id="r-1",
        city="Bengaluru",
        lines=[OrderLine(item_id="i-1", name="Masala Dosa", quantity=2, unit_price_minor=12000)],
        subtotal_minor=24000,
        delivery_fee_minor=3000,
        total_minor=27000,
        currency="INR",
        placed_at=datetime.now(UTC),
    )


def test_an_envelope_survives_a_round_trip_through_json() -> None:
    payload = _placed()
    envelope = EventEnvelope(
        event_type=OrderPlaced.event_type,
        schema_version=OrderPlaced.schema_version,
        producer="orders",
        aggregate_id=str(payload.order_id),
        payload=payload.model_dump(mode="json"),
    )
    decoded = EventEnvelope.from_json_bytes(envelope.to_json_bytes())
    assert decoded == envelope
    assert OrderPlaced.model_validate(decoded.payload) == payload


def test_occurred_at_is_normalised_to_utc() -> None:
    ist = timezone(timedelta(hours=5, minutes=30))
    envelope = EventEnvelope(
        event_type="OrderPlaced", schema_version=1, producer="orders", aggregate_id="o",
        occurred_at=datetime(2026, 1, 1, 10, 0, tzinfo=ist), payload={},
    )
    assert envelope.occurred_at.utcoffset() == timedelta(0)
    assert envelope.occurred_at.hour == 4 and envelope.occurred_at.minute == 30


def test_a_naive_timestamp_is_refused() -> None:
    with pytest.raises(ValidationError, match="occurred_at"):
        EventEnvelope(
            event_type="OrderPlaced", schema_version=1, producer="orders", aggregate_id="o",
            occurred_at=datetime(2026, 1, 1, 10, 0), payload={},
        )


def test_negative_money_is_refused() -> None:
    with pytest.raises(ValidationError, match="unit_price_minor"):
        OrderLine(item_id="i", name="x", quantity=1, unit_price_minor=-1)


def test_order_placed_travels_on_the_orders_topic_keyed_by_order_id() -> None:
    spec = spec_for("OrderPlaced")
    assert spec.topic is ORDERS and spec.topic.key == "order_id"
    with pytest.raises(KeyError, match="unregistered"):
        spec_for("OrderTeleported")


def test_topic_names_are_unique_and_resolvable() -> None:
    names = [t.name for t in ALL_TOPICS]
    assert len(names) == len(set(names))
    assert all(topic_named(n).name == n for n in names)
    with pytest.raises(KeyError):
        topic_named("nope")
