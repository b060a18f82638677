import json
import uuid
from datetime import UTC, datetime

from contracts.envelope import EventEnvelope
from contracts.topics import ORDERS
from serving.kernel.messaging.outbox_message import OutboxRecord, kafka_message
from serving.kernel.messaging.outbox_writer import outbox_row
from serving.orders.domain import LineItem, place_order
from serving.orders.domain.events import order_placed_envelope


def an_order_placed() -> EventEnvelope:
    order = place_order(
        order_id=uuid.uuid4(),
        customer_id=f"cust-{uuid.uuid4().hex[:6]}",
        restaurant_id="rest-1",
        city="Kochi",
        currency="INR",
        lines=[LineItem("appam", "Appam", 3, 6000)],
        delivery_fee_minor=2000,
        placed_at=datetime.now(UTC),
    )
    return order_placed_envelope(order)


def test_an_order_placed_row_goes_to_the_orders_topic_keyed_by_order_id() -> None:
    envelope = an_order_placed()
    row = outbox_row(envelope)
    assert row["topic"] == ORDERS.name
    assert row["message_key"] == envelope.aggregate_id == envelope.payload["order_id"]
    assert row["event_id"] == envelope.event_id
    assert row["event_type"] == "OrderPlaced"
    assert envelope.producer == "orders"


def test_the_kafka_value_reads_back_as_the_same_envelope() -> None:
    envelope = an_order_placed()
    row = outbox_row(envelope)
    record = OutboxRecord(
        id=1,
        event_id=str(envelope.event_id),
        topic=row["topic"],
        message_key=row["message_key"],
        event_type=row["event_type"],
        payload=row["payload"],
    )
    message = kafka_message(record)
    assert EventEnvelope.from_json_bytes(message.value) == envelope
    assert message.key == envelope.aggregate_id.encode()
    assert dict(message.headers) == {
        "event_type": b"OrderPlaced",
        "event_id": str(envelope.event_id).encode(),
    }


def test_a_payload_read_as_json_text_is_sent_as_it_is() -> None:
    envelope = an_order_placed()
    row = outbox_row(envelope)
    # PostgreSQL prints jsonb with a space after each colon and comma.
    text = json.dumps(row["payload"], ensure_ascii=False)
    record = OutboxRecord(1, str(envelope.event_id), row["topic"], row["message_key"], row["event_type"], text)
    message = kafka_message(record)
    assert message.value == text.encode()
    assert EventEnvelope.from_json_bytes(message.value) == envelope
