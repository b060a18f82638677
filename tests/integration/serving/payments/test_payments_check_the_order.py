"""A payment is for one of the payer's own orders, for exactly what it costs, while it
can still be paid for; anything else is refused before money moves."""

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from serving.payments.adapters.sandbox import SandboxGateway

pytestmark = pytest.mark.stack


@pytest.fixture
def attempt(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    make_card: Callable[..., dict[str, Any]],
    new_idempotency_key: Callable[[], str],
) -> Callable[..., Any]:
    def send(payer: str, order_id: uuid.UUID | str, amount_minor: int, method: str = "card", **extra: Any) -> Any:
        body: dict[str, Any] = {"order_id": str(order_id), "method": method, "amount_minor": amount_minor}
        body["currency"] = extra.pop("currency", "INR")
        if method == "card":
            body["card"] = make_card()
        return client.post("/api/v1/payments", json=body, headers=auth(payer, key=new_idempotency_key()))

    return send


def _fields(response: Any) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def test_paying_for_another_customers_order_is_the_same_404_as_a_missing_order_and_charges_nothing(
    attempt: Callable[..., Any],
    store_order: Callable[..., uuid.UUID],
    new_customer: Callable[[], str],
    gateway: SandboxGateway,
    count_rows: Callable[[], dict[str, int]],
) -> None:
    victim, intruder = new_customer(), new_customer()
    order_id = store_order(victim, 27500)
    before, charges = count_rows(), gateway.charges_made

    foreign = attempt(intruder, order_id, 27500)
    missing = attempt(intruder, uuid.uuid4(), 27500)

    assert foreign.status_code == missing.status_code == 404
    assert _fields(foreign) == _fields(missing) == ["order_id"]
    assert foreign.json()["detail"] == missing.json()["detail"]
    assert victim not in foreign.text
    assert count_rows() == before and gateway.charges_made == charges


@pytest.mark.parametrize("amount", [27499, 27501, 1])
def test_an_amount_other_than_the_orders_total_is_a_422_naming_amount_minor(
    attempt: Callable[..., Any],
    store_order: Callable[..., uuid.UUID],
    new_customer: Callable[[], str],
    count_rows: Callable[[], dict[str, int]],
    amount: int,
) -> None:
    buyer = new_customer()
    order_id = store_order(buyer, 27500)
    before = count_rows()

    response = attempt(buyer, order_id, amount, method="wallet")

    assert response.status_code == 422
    assert _fields(response) == ["amount_minor"]
    assert "27500" in response.json()["errors"][0]["message"]
    assert count_rows() == before
    assert attempt(buyer, order_id, 27500, method="cod").status_code == 201


@pytest.mark.parametrize(("status", "payable"), [("ACCEPTED", True), ("PREPARING", False), ("CANCELLED", False)])
def test_only_an_order_not_yet_in_the_kitchen_can_be_paid_for(
    attempt: Callable[..., Any],
    store_order: Callable[..., uuid.UUID],
    new_customer: Callable[[], str],
    engine: Engine,
    status: str,
    payable: bool,
) -> None:
    buyer = new_customer()
    order_id = store_order(buyer, 9000)
    with engine.begin() as connection:
        moved = sa.text("UPDATE orders.orders SET status = :status WHERE order_id = :id")
        connection.execute(moved, {"status": status, "id": order_id})

    response = attempt(buyer, order_id, 9000)

    if payable:
        assert response.status_code == 201, response.text
    else:
        assert response.status_code == 409
        assert _fields(response) == ["order_id"]
        assert status in response.json()["detail"]
