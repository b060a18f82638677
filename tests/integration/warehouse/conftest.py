"""Fixtures for the batch side: a temp warehouse per test, OrderPlaced envelopes, a producer."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka import KafkaProducer

from contracts.envelope import EventEnvelope
from contracts.events.orders import OrderLine, OrderPlaced
from contracts.topics import ORDERS


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "warehouse"
    path.mkdir()
    monkeypatch.setenv("TIFFIN_WAREHOUSE_DIR", str(path))
    return path


def order_placed(
    city: str,
    total_minor: int,
    placed_at: datetime | None = None,
    currency: str = "INR",
    delivery_fee_minor: int = 3000,
) -> EventEnvelope:
    order_id = uuid.uuid4()
    placed_at = placed_at or datetime.now(UTC)
    subtotal = total_minor - delivery_fee_minor
    payload = OrderPlaced(
        order_id=order_id,
        customer_id=f"cust-{uuid.uuid4().hex[:8]}",
        restaurant_id=f"rest-{uuid.uuid4().hex[:8]}",
        city=city,
        lines=[OrderLine(item_id="thali", name="Veg thali", quantity=1, unit_price_minor=subtotal)],
        subtotal_minor=subtotal,
        delivery_fee_minor=delivery_fee_minor,
        total_minor=total_minor,
        currency=currency,
        placed_at=placed_at,
    )
    return EventEnvelope(
        event_type=OrderPlaced.event_type,
        schema_version=OrderPlaced.schema_version,
        occurred_at=placed_at,
        producer="tests.warehouse",
        aggregate_id=str(order_id),
        payload=payload.model_dump(mode="json"),
    )


@pytest.fixture(scope="session")
def make_order_placed() -> Callable[..., EventEnvelope]:
    return order_placed


@pytest.fixture(scope="session")
def produce_orders(stack) -> Iterator[Callable[[list[EventEnvelope]], list[tuple[int, int]]]]:
    """Sends envelopes to orders.v1 keyed by order_id; returns their (partition, offset)."""
    producer = KafkaProducer(bootstrap_servers=stack.kafka_bootstrap, acks="all", linger_ms=5)

    def produce(envelopes: list[EventEnvelope]) -> list[tuple[int, int]]:
        futures = [producer.send(ORDERS.name, key=e.aggregate_id.encode(), value=e.to_json_bytes()) for e in envelopes]
        producer.flush()
        return [(m.partition, m.offset) for m in (f.get(timeout=30) for f in futures)]

    yield produce
    producer.close()
