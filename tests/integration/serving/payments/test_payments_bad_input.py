import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serving.kernel.auth import Role

pytestmark = pytest.mark.stack

ORDER = "7d4f5a4e-0a61-4a51-9d1b-9a1c0c9d8e01"
CARD = {"number": "4242424242424242", "expiry_month": 12, "expiry_year": 2030, "cvc": "123"}
GOOD_PAYMENT = {"order_id": ORDER, "method": "card", "amount_minor": 100, "currency": "INR", "card": CARD}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount_minor": 0}, "amount_minor"),
        ({"amount_minor": -5}, "amount_minor"),
        ({"amount_minor": 10.5}, "amount_minor"),
        ({"amount_minor": "100"}, "amount_minor"),
        ({"amount_minor": True}, "amount_minor"),
        ({"amount_minor": 10**30}, "amount_minor"),
        ({"currency": "USD"}, "currency"),
        ({"method": "bitcoin"}, "method"),
        ({"order_id": "not-a-uuid"}, "order_id"),
        ({"customer_id": "someone-else"}, "customer_id"),
        ({"card": {**CARD, "number": "4242424242424241"}}, "card.number"),
        ({"card": {**CARD, "number": "42"}}, "card.number"),
        ({"card": {**CARD, "expiry_month": 13}}, "card.expiry_month"),
        ({"card": {**CARD, "cvc": "12a"}}, "card.cvc"),
        ({"card": None}, "card"),  # a card payment needs a card
        ({"method": "wallet"}, "card"),  # and only a card payment takes one
    ],
)
def test_a_bad_payment_is_a_422_naming_the_field_and_writes_nothing(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    new_customer: Callable[[], str],
    new_idempotency_key: Callable[[], str],
    count_rows: Callable[[], dict[str, int]],
    change: dict[str, Any],
    field: str,
) -> None:
    before = count_rows()
    response = client.post(
        "/api/v1/payments", json={**GOOD_PAYMENT, **change}, headers=auth(new_customer(), key=new_idempotency_key())
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]
    assert CARD["number"] not in response.text  # inputs are never echoed
    assert count_rows() == before


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/wallet/topups", {"amount_minor": 100, "currency": "INR"}, "card"),
        ("/api/v1/wallet/topups", {"amount_minor": 1.0, "currency": "INR", "card": CARD}, "amount_minor"),
        ("/api/v1/payments/{id}/refund", {"amount_minor": 0}, "amount_minor"),
        ("/api/v1/payments/{id}/refund", {"destination": "cash"}, "destination"),
        ("/api/v1/payments/not-a-uuid/refund", {}, "payment_id"),
        ("/api/v1/payments/cod/not-a-uuid/settle", None, "order_id"),
    ],
)
def test_bad_refunds_top_ups_and_ids_are_422s_naming_the_field_and_write_nothing(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    pay: Callable[..., dict[str, Any]],
    new_customer: Callable[[], str],
    new_idempotency_key: Callable[[], str],
    count_rows: Callable[[], dict[str, int]],
    path: str,
    body: dict[str, Any] | None,
    field: str,
) -> None:
    path = path.replace("{id}", pay(new_customer())["payment_id"])
    role = Role.CUSTOMER if "wallet" in path else Role.ADMIN
    before = count_rows()
    response = client.post(path, json=body, headers=auth(new_customer(), role, key=new_idempotency_key()))
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert count_rows() == before


@pytest.mark.parametrize("query", ["cursor=abc", "cursor=-1", "limit=0", "limit=101", "limit=x"])
def test_a_bad_history_cursor_or_limit_is_a_422_naming_it(
    client: TestClient, auth: Callable[..., dict[str, str]], query: str
) -> None:
    response = client.get(f"/api/v1/payments/transactions?{query}", headers=auth(f"cust-{uuid.uuid4().hex[:6]}"))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [query.split("=")[0]]


# The largest bigint is still a cursor; one past it is a 422
# (tests/integration/serving/test_list_cursors_bad_input.py).
def test_the_largest_history_cursor_is_a_page_of_older_lines(
    client: TestClient, auth: Callable[..., dict[str, str]]
) -> None:
    response = client.get(
        "/api/v1/payments/transactions?cursor=9223372036854775807", headers=auth(f"cust-{uuid.uuid4().hex[:6]}")
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"items": [], "next_cursor": None}


def test_a_body_that_is_not_json_is_a_422_naming_the_body(
    client: TestClient, auth: Callable[..., dict[str, str]], new_idempotency_key: Callable[[], str]
) -> None:
    headers = {**auth(f"cust-{uuid.uuid4().hex[:6]}", key=new_idempotency_key()), "Content-Type": "application/json"}
    response = client.post("/api/v1/payments", content=b"\xff{not json", headers=headers)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["body"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=10,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mutation=st.dictionaries(st.sampled_from([*GOOD_PAYMENT, "extra"]), json_values, min_size=1, max_size=3))
def test_a_fuzzed_payment_body_is_never_a_500(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    store_order: Callable[..., uuid.UUID],
    mutation: dict[str, Any],
) -> None:
    buyer = f"cust-{uuid.uuid4().hex[:6]}"
    order_id = store_order(buyer, GOOD_PAYMENT["amount_minor"])
    body = {**GOOD_PAYMENT, "order_id": str(order_id), **mutation}
    response = client.post("/api/v1/payments", json=body, headers=auth(buyer, key=f"key-{uuid.uuid4().hex}"))
    # 404: a mutated order_id names no order of the buyer's.
    assert response.status_code in (201, 404, 409, 422), response.text
