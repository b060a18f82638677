import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serving.orders.domain import MAX_QUANTITY, MAX_UNIT_PRICE_MINOR
from serving.payments.domain import MAX_AMOUNT_MINOR

pytestmark = pytest.mark.stack


def line(**overrides: Any) -> dict[str, Any]:
    return {"item_id": "dosa", "name": "Dosa", "quantity": 1, "unit_price_minor": 100, **overrides}


BAD_BODIES = [
    pytest.param({"lines": [line(quantity=-1)]}, {"lines[0].quantity"}, id="negative quantity"),
    pytest.param(
        {"lines": [line(), line(item_id="vada", quantity=0)]}, {"lines[1].quantity"}, id="zero quantity"
    ),
    pytest.param({"lines": [line(unit_price_minor=99.5)]}, {"lines[0].unit_price_minor"}, id="float price"),
    pytest.param(
        {"lines": [line(unit_price_minor=-100)]}, {"lines[0].unit_price_minor"}, id="negative price"
    ),
    pytest.param(
        {"lines": [line(unit_price_minor=10**20)]}, {"lines[0].unit_price_minor"}, id="price past bigint"
    ),
    pytest.param({"delivery_fee_minor": "30"}, {"delivery_fee_minor"}, id="fee as string"),
    pytest.param({"currency": "USD"}, {"currency"}, id="unsupported currency"),
    pytest.param({"lines": []}, {"lines"}, id="no lines"),
    pytest.param({"lines": "dosa"}, {"lines"}, id="lines not a list"),
    pytest.param({"restaurant_id": None}, {"restaurant_id"}, id="null restaurant"),
    pytest.param({"city": "Pune\u0000"}, {"city"}, id="NUL in text"),
    pytest.param({"city": None}, {"city"}, id="no city under client pricing"),
    pytest.param({"customer_id": "someone-else"}, {"customer_id"}, id="customer in body"),
    pytest.param({"lines": [line(), line()]}, {"lines[1].item_id"}, id="item twice"),
    pytest.param({"lines": [line(name="")]}, {"lines[0].name"}, id="empty name"),
]


@pytest.mark.parametrize(("overrides", "fields"), BAD_BODIES)
def test_bad_input_is_a_422_problem_naming_the_field_and_writes_nothing(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    order_body: Callable[..., dict[str, Any]],
    count_rows: Callable[[], dict[str, int]],
    overrides: dict[str, Any],
    fields: set[str],
) -> None:
    before = count_rows()
    response = client.post("/api/v1/orders", json=order_body(**overrides), headers=auth("cust-bad"))

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422
    assert problem["title"] == "Unprocessable Content"
    assert problem["instance"] == "/api/v1/orders"
    assert {error["field"] for error in problem["errors"]} == fields
    assert all(error["message"] for error in problem["errors"])
    assert count_rows() == before


def test_an_order_no_payment_could_cover_is_a_422_naming_lines_and_writes_nothing(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    order_body: Callable[..., dict[str, Any]],
    count_rows: Callable[[], dict[str, int]],
) -> None:
    """The orders' limit is the payments' own: the dearest order accepted can be paid."""
    unit = MAX_AMOUNT_MINOR // 100
    customer = auth(f"cust-{uuid.uuid4().hex[:8]}")
    at_limit = order_body(lines=[line(unit_price_minor=unit, quantity=100)], delivery_fee_minor=0)
    placed = client.post("/api/v1/orders", json=at_limit, headers=customer)
    assert placed.status_code == 201, placed.text
    assert placed.json()["total_minor"] == MAX_AMOUNT_MINOR
    payment = {"order_id": placed.json()["order_id"], "method": "cod", "amount_minor": MAX_AMOUNT_MINOR}
    paid = client.post(
        "/api/v1/payments", json={**payment, "currency": "INR"}, headers={**customer, "Idempotency-Key": "pay-at-limit"}
    )
    assert paid.status_code == 201, paid.text

    before = count_rows()
    for too_dear in (
        order_body(lines=[line(unit_price_minor=unit, quantity=100)], delivery_fee_minor=1),  # one paisa over
        order_body(lines=[line(unit_price_minor=MAX_UNIT_PRICE_MINOR, quantity=MAX_QUANTITY)]),  # 10x over
    ):
        response = client.post("/api/v1/orders", json=too_dear, headers=customer)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert [error["field"] for error in response.json()["errors"]] == ["lines"]
        assert str(MAX_AMOUNT_MINOR) in response.json()["errors"][0]["message"]
    assert count_rows() == before


@pytest.mark.parametrize(
    "raw", [b"", b"{", b"not json", b"[]", b"null", b'{"lines": [', b'{"city": "Pune"}' + b"\xff"]
)
def test_a_body_that_is_not_an_order_object_is_a_422_problem_and_writes_nothing(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    count_rows: Callable[[], dict[str, int]],
    raw: bytes,
) -> None:
    before = count_rows()
    response = client.post(
        "/api/v1/orders", content=raw, headers={**auth("cust-bad"), "Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"]
    assert count_rows() == before


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "restaurant_id": json_values,
            "city": json_values,
            "lines": st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "item_id": json_values,
                        "name": json_values,
                        "quantity": st.integers(-5, 200) | json_values,
                        "unit_price_minor": st.integers(-(2**70), 2**70) | json_values,
                    },
                )
                | json_values,
                max_size=3,
            )
            | json_values,
            "delivery_fee_minor": st.integers(-(2**70), 2**70) | json_values,
            "currency": st.sampled_from(["INR", "inr", "USD", ""]) | json_values,
        },
    )
)
def test_no_body_ever_causes_a_server_error_and_only_accepted_orders_are_stored(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    count_rows: Callable[[], dict[str, int]],
    body: dict[str, Any],
) -> None:
    before = count_rows()
    response = client.post(
        "/api/v1/orders",
        content=json.dumps(body),
        headers={**auth("cust-fuzz"), "Content-Type": "application/json"},
    )
    assert response.status_code in (201, 422), response.text
    written = count_rows()["orders"] - before["orders"]
    assert written == (1 if response.status_code == 201 else 0)


def _huge_order(total_bytes: int) -> bytes:
    """A syntactically valid order whose one line's name alone is ``total_bytes`` long."""
    line = {"item_id": "idli", "name": "x" * total_bytes, "quantity": 1, "unit_price_minor": 100}
    body = {"restaurant_id": "rest-1", "city": "Pune", "lines": [line], "delivery_fee_minor": 0, "currency": "INR"}
    return json.dumps(body).encode()


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_huge_body_is_a_413_naming_the_body_and_writes_nothing(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    count_rows: Callable[[], dict[str, int]],
    settings: Any,
    chunked: bool,
) -> None:
    raw = _huge_order(settings.max_request_body_bytes * 4)
    content: Any = raw
    if chunked:
        # A generator makes the client stream it without a Content-Length.
        content = (raw[i : i + 8192] for i in range(0, len(raw), 8192))
    before = count_rows()

    response = client.post(
        "/api/v1/orders", content=content, headers={**auth("cust-huge"), "Content-Type": "application/json"}
    )

    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"]
    assert [error["field"] for error in response.json()["errors"]] == ["body"]
    assert count_rows() == before


def test_a_body_just_under_the_limit_is_parsed_as_usual(
    client: TestClient, auth: Callable[..., dict[str, str]], settings: Any
) -> None:
    # The name is too long for the schema (a 422 naming it): the limit let it through to validation.
    raw = _huge_order(settings.max_request_body_bytes - 1024)
    response = client.post(
        "/api/v1/orders", content=raw, headers={**auth("cust-big"), "Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == ["lines[0].name"]
