import threading
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from serving.payments.adapters import tables
from serving.payments.adapters.sandbox import SandboxGateway

pytestmark = pytest.mark.stack


def _payments_of(db: Engine, order_id: str) -> int:
    with db.connect() as connection:
        return int(
            connection.execute(
                sa.select(sa.func.count()).select_from(tables.payments).where(tables.payments.c.order_id == order_id)
            ).scalar_one()
        )


def test_the_same_payment_request_twice_charges_once_and_answers_the_same(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    gateway: SandboxGateway,
    db: Engine,
    new_customer: Callable[[], str],
    new_idempotency_key: Callable[[], str],
    make_payment_body: Callable[..., dict[str, Any]],
) -> None:
    buyer = new_customer()
    headers = auth(buyer, key=new_idempotency_key())
    body = make_payment_body(buyer)
    charges_before = gateway.charges_made

    first = client.post("/api/v1/payments", json=body, headers=headers)
    second = client.post("/api/v1/payments", json=body, headers=headers)

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert first.json()["status"] == "SUCCEEDED"
    assert (first.headers["Idempotent-Replayed"], second.headers["Idempotent-Replayed"]) == ("false", "true")
    assert gateway.charges_made == charges_before + 1
    assert _payments_of(db, body["order_id"]) == 1


def test_concurrent_duplicates_of_one_payment_make_one_charge_and_all_get_the_same_answer(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    gateway: SandboxGateway,
    db: Engine,
    new_customer: Callable[[], str],
    new_idempotency_key: Callable[[], str],
    make_payment_body: Callable[..., dict[str, Any]],
) -> None:
    buyer = new_customer()
    headers = auth(buyer, key=new_idempotency_key())
    body = make_payment_body(buyer)
    charges_before = gateway.charges_made
    start = threading.Barrier(8)
    answers: list[tuple[int, dict[str, Any]]] = []
    lock = threading.Lock()

    def send() -> None:
        start.wait()
        response = client.post("/api/v1/payments", json=body, headers=headers)
        with lock:
            answers.append((response.status_code, response.json()))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(answers) == 8
    assert {status for status, _ in answers} == {201}
    assert all(answer == answers[0][1] for _, answer in answers)
    assert gateway.charges_made == charges_before + 1
    assert _payments_of(db, body["order_id"]) == 1


def test_reusing_a_key_for_a_different_body_is_a_409_naming_the_idempotency_key(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    new_customer: Callable[[], str],
    new_idempotency_key: Callable[[], str],
    make_payment_body: Callable[..., dict[str, Any]],
    count_rows: Callable[[], dict[str, int]],
) -> None:
    buyer = new_customer()
    headers = auth(buyer, key=new_idempotency_key())
    body = make_payment_body(buyer, method="cod")
    assert client.post("/api/v1/payments", json=body, headers=headers).status_code == 201
    before = count_rows()

    response = client.post("/api/v1/payments", json={**body, "amount_minor": 1}, headers=headers)

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["Idempotency-Key"]
    assert count_rows() == before


def test_the_same_key_from_two_customers_is_two_payments(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    new_customer: Callable[[], str],
    new_idempotency_key: Callable[[], str],
    make_payment_body: Callable[..., dict[str, Any]],
) -> None:
    key = new_idempotency_key()
    one, two = new_customer(), new_customer()
    first = client.post("/api/v1/payments", json=make_payment_body(one), headers=auth(one, key=key))
    second = client.post("/api/v1/payments", json=make_payment_body(two), headers=auth(two, key=key))
    assert first.status_code == second.status_code == 201
    assert first.json()["payment_id"] != second.json()["payment_id"]


def test_a_second_payment_for_an_already_paid_order_is_a_409_naming_order_id_and_charges_nothing(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    gateway: SandboxGateway,
    new_customer: Callable[[], str],
    new_idempotency_key: Callable[[], str],
    make_payment_body: Callable[..., dict[str, Any]],
) -> None:
    buyer = new_customer()
    body = make_payment_body(buyer)
    assert client.post("/api/v1/payments", json=body, headers=auth(buyer, key=new_idempotency_key())).status_code == 201
    charges_before = gateway.charges_made

    again = client.post("/api/v1/payments", json=body, headers=auth(buyer, key=new_idempotency_key()))

    assert again.status_code == 409
    assert [e["field"] for e in again.json()["errors"]] == ["order_id"]
    assert gateway.charges_made == charges_before


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/api/v1/payments",
            {
                "order_id": "7d4f5a4e-0a61-4a51-9d1b-9a1c0c9d8e01",
                "method": "cod",
                "amount_minor": 100,
                "currency": "INR",
            },
        ),
        (
            "/api/v1/wallet/topups",
            {
                "amount_minor": 100,
                "currency": "INR",
                "card": {"number": "4242424242424242", "expiry_month": 1, "expiry_year": 2030, "cvc": "123"},
            },
        ),
    ],
)
@pytest.mark.parametrize("key", [None, "short", "has spaces in it", "x" * 129])
def test_a_money_moving_call_without_a_valid_idempotency_key_is_a_422_naming_it_and_writes_nothing(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    new_customer: Callable[[], str],
    count_rows: Callable[[], dict[str, int]],
    path: str,
    body: dict[str, Any],
    key: str | None,
) -> None:
    before = count_rows()
    response = client.post(path, json=body, headers=auth(new_customer(), key=key))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["Idempotency-Key"]
    assert count_rows() == before
