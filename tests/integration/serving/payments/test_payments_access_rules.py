from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from serving.kernel.auth import Role

pytestmark = pytest.mark.stack

CALLERS = ("owner", "other-customer", "RESTAURANT", "COURIER", "ADMIN", "anonymous")

# Expected status per route and caller. "owner" is the customer who paid (and whose
# new order POST /payments pays for: another customer cannot pay for it, nor learn it
# exists); for routes about the caller's own wallet, both customers are simply customers.
MATRIX: dict[str, dict[str, int]] = {
    "POST /payments": {"owner": 201, "other-customer": 404, "RESTAURANT": 403, "COURIER": 403, "ADMIN": 403},
    "GET /payments/{id}": {"owner": 200, "other-customer": 404, "RESTAURANT": 404, "COURIER": 404, "ADMIN": 200},
    "POST /payments/{id}/refund": {
        "owner": 403,
        "other-customer": 403,
        "RESTAURANT": 403,
        "COURIER": 403,
        "ADMIN": 201,
    },
    "POST /payments/cod/{order}/settle": {
        "owner": 403,
        "other-customer": 403,
        "RESTAURANT": 403,
        "COURIER": 403,
        "ADMIN": 200,
    },
    "GET /payments/transactions": {
        "owner": 200,
        "other-customer": 200,
        "RESTAURANT": 403,
        "COURIER": 403,
        "ADMIN": 403,
    },
    "POST /wallet/topups": {"owner": 201, "other-customer": 201, "RESTAURANT": 403, "COURIER": 403, "ADMIN": 403},
    "GET /wallet": {"owner": 200, "other-customer": 200, "RESTAURANT": 403, "COURIER": 403, "ADMIN": 403},
}
CASES = [(route, caller, MATRIX[route].get(caller, 401)) for route in MATRIX for caller in CALLERS]


@pytest.mark.parametrize(("route", "caller", "expected"), CASES, ids=[f"{r} as {c}" for r, c, _ in CASES])
def test_every_payments_route_answers_each_role_as_the_access_rules_say(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    pay: Callable[..., dict[str, Any]],
    new_customer: Callable[[], str],
    new_idempotency_key: Callable[[], str],
    make_payment_body: Callable[..., dict[str, Any]],
    make_card: Callable[..., dict[str, Any]],
    route: str,
    caller: str,
    expected: int,
) -> None:
    owner = new_customer()
    card_payment = pay(owner)
    cod_payment = pay(owner, method="cod")
    key = new_idempotency_key()
    if caller == "anonymous":
        headers = {"Idempotency-Key": key}
    elif caller == "owner":
        headers = auth(owner, key=key)
    elif caller == "other-customer":
        headers = auth(new_customer(), key=key)
    else:
        headers = auth(f"{caller.lower()}-1", Role(caller), key=key)

    method, path = route.split(" ")
    path = "/api/v1" + path.replace("{id}", card_payment["payment_id"]).replace("{order}", cod_payment["order_id"])
    body: dict[str, Any] | None = None
    if route == "POST /payments":
        body = make_payment_body(owner)
    elif route == "POST /payments/{id}/refund":
        body = {"amount_minor": 100}
    elif route == "POST /wallet/topups":
        body = {"amount_minor": 100, "currency": "INR", "card": make_card()}

    response = client.request(method, path, json=body, headers=headers)

    assert response.status_code == expected, response.text
    if expected >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        assert card_payment["customer_id"] not in response.text  # nothing about the owner leaks
    if expected == 401:
        assert [e["field"] for e in response.json()["errors"]] == ["Authorization"]


def test_another_customers_payment_and_a_missing_one_get_the_same_404(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    pay: Callable[..., dict[str, Any]],
    new_customer: Callable[[], str],
) -> None:
    payment = pay(new_customer())
    intruder = auth(new_customer())
    theirs = client.get(f"/api/v1/payments/{payment['payment_id']}", headers=intruder)
    missing = client.get("/api/v1/payments/00000000-0000-4000-8000-000000000000", headers=intruder)
    assert theirs.status_code == missing.status_code == 404
    assert {k for k in theirs.json() if k not in ("detail", "instance")} == {
        k for k in missing.json() if k not in ("detail", "instance")
    }
