import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from contracts.envelope import EventEnvelope
from contracts.events.orders import OrderPlaced
from contracts.topics import ORDERS
from serving.orders.adapters import repository
from serving.orders.adapters.tables import order_lines, orders, outbox

pytestmark = pytest.mark.stack


def test_a_customer_places_an_order_and_reads_the_same_order_back(
    client: TestClient, auth: Callable[..., dict[str, str]], order_body: Callable[..., dict[str, Any]]
) -> None:
    customer = f"cust-{uuid.uuid4().hex[:8]}"
    created = client.post("/api/v1/orders", json=order_body(), headers=auth(customer))

    assert created.status_code == 201
    order = created.json()
    assert created.headers["location"] == f"/api/v1/orders/{order['order_id']}"
    assert order["customer_id"] == customer
    assert order["status"] == "PENDING"
    assert order["subtotal_minor"] == 2 * 12000 + 4500
    # Menu prices, 5 % GST on the food, the base delivery fee (no delivery_location sent).
    assert (order["tax_minor"], order["delivery_fee_minor"]) == (1425, 2000)
    assert order["total_minor"] == 2 * 12000 + 4500 + 1425 + 2000
    assert [(line["name"], line["line_total_minor"]) for line in order["lines"]] == [
        ("Masala dosa", 24000),
        ("Filter coffee", 4500),
    ]
    assert order["placed_at"].endswith("Z") or order["placed_at"].endswith("+00:00")

    fetched = client.get(f"/api/v1/orders/{order['order_id']}", headers=auth(customer))
    assert fetched.status_code == 200
    assert fetched.json() == order


def test_the_order_its_lines_and_one_order_placed_event_are_stored_together(
    place_order: Callable[..., dict[str, Any]], engine: Engine
) -> None:
    order = place_order()
    order_id = uuid.UUID(order["order_id"])

    with engine.connect() as connection:
        stored = connection.execute(sa.select(orders).where(orders.c.order_id == order_id)).one()
        lines = connection.execute(sa.select(order_lines).where(order_lines.c.order_id == order_id)).all()
        events = connection.execute(sa.select(outbox).where(outbox.c.message_key == str(order_id))).all()

    assert stored.total_minor == order["total_minor"]
    assert stored.placed_at.utcoffset().total_seconds() == 0
    assert len(lines) == 2
    [event] = events
    assert event.topic == ORDERS.name
    assert event.event_type == "OrderPlaced"
    assert event.published_at is None
    envelope = EventEnvelope.model_validate(event.payload)
    assert envelope.event_id == event.event_id
    assert envelope.producer == "orders"
    assert envelope.aggregate_id == str(order_id)
    placed = OrderPlaced.model_validate(envelope.payload)
    assert placed.order_id == order_id
    assert placed.total_minor == order["total_minor"]
    assert [line.model_dump() for line in placed.lines] == [
        {k: line[k] for k in ("item_id", "name", "quantity", "unit_price_minor")} for line in order["lines"]
    ]


def test_a_failure_while_writing_the_event_leaves_no_order_behind(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    order_body: Callable[..., dict[str, Any]],
    count_rows: Callable[[], dict[str, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def outbox_unavailable(*args: object) -> None:
        raise RuntimeError("simulated failure after the order rows were inserted")

    before = count_rows()
    monkeypatch.setattr(repository, "append_to_outbox", outbox_unavailable)
    response = client.post("/api/v1/orders", json=order_body(), headers=auth("cust-atomic"))

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "simulated" not in response.text  # internals stay in the log
    assert count_rows() == before


def test_every_order_gets_exactly_one_event_with_its_own_event_id(
    place_order: Callable[..., dict[str, Any]], engine: Engine
) -> None:
    order_ids = {place_order()["order_id"] for _ in range(5)}
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(outbox.c.message_key, outbox.c.event_id).where(outbox.c.message_key.in_(order_ids))
        ).all()
    assert sorted(row.message_key for row in rows) == sorted(order_ids)
    assert len({row.event_id for row in rows}) == 5


def test_a_callers_request_id_becomes_the_trace_id_of_the_event(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    order_body: Callable[..., dict[str, Any]],
    engine: Engine,
) -> None:
    request_id = f"req-{uuid.uuid4().hex}"
    headers = {**auth("cust-traced"), "X-Request-ID": request_id}
    order = client.post("/api/v1/orders", json=order_body(), headers=headers).json()

    with engine.connect() as connection:
        payload: dict[str, Any] = connection.execute(
            sa.select(outbox.c.payload).where(outbox.c.message_key == order["order_id"])
        ).scalar_one()
    assert payload["trace_id"] == request_id
