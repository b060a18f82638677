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
from serving.settings import ServingSettings
from tests.utils.catalogue import Kitchen

pytestmark = pytest.mark.stack


DOSA, VADA = "<dosa>", "<vada>"  # the kitchen's item ids, put in by the test


def line(**overrides: Any) -> dict[str, Any]:
    return {"item_id": DOSA, "quantity": 1, **overrides}


BAD_BODIES = [
    pytest.param({"lines": [line(quantity=-1)]}, {"lines[0].quantity"}, id="negative quantity"),
    pytest.param({"lines": [line(), line(item_id=VADA, quantity=0)]}, {"lines[1].quantity"}, id="zero quantity"),
    pytest.param({"lines": [line(unit_price_minor=99.5)]}, {"lines[0].unit_price_minor"}, id="float price"),
    pytest.param({"lines": [line(unit_price_minor=-100)]}, {"lines[0].unit_price_minor"}, id="negative price"),
    pytest.param({"lines": [line(unit_price_minor=10**20)]}, {"lines[0].unit_price_minor"}, id="price past bigint"),
    pytest.param({"currency": "USD"}, {"currency"}, id="unsupported currency"),
    pytest.param({"lines": []}, {"lines"}, id="no lines"),
    pytest.param({"lines": "dosa"}, {"lines"}, id="lines not a list"),
    pytest.param({"restaurant_id": None}, {"restaurant_id"}, id="null restaurant"),
    pytest.param({"lines": [line(item_id="dosa\u0000")]}, {"lines[0].item_id"}, id="NUL in an id"),
    pytest.param({"customer_id": "someone-else"}, {"customer_id"}, id="customer in body"),
    pytest.param({"lines": [line(), line()]}, {"lines[1].item_id"}, id="item twice"),
    # The server prices from the menu: a client's name, fee or city is no field of the request.
    pytest.param({"lines": [line(name="Dosa")]}, {"lines[0].name"}, id="a line's name"),
    pytest.param({"delivery_fee_minor": 0}, {"delivery_fee_minor"}, id="a delivery fee"),
    pytest.param({"city": "Pune"}, {"city"}, id="a city"),
]


def _with_ids(value: Any, kitchen: Kitchen) -> Any:
    """``value`` with the placeholders ``DOSA``/``VADA`` replaced by the kitchen's item ids."""
    ids = {DOSA: kitchen.ids["Masala dosa"], VADA: kitchen.ids["Filter coffee"]}
    if isinstance(value, dict):
        return {key: _with_ids(item, kitchen) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_ids(item, kitchen) for item in value]
    return ids.get(value, value) if isinstance(value, str) else value


@pytest.mark.parametrize(("overrides", "fields"), BAD_BODIES)
def test_bad_input_is_a_422_problem_naming_the_field_and_writes_nothing(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    order_body: Callable[..., dict[str, Any]],
    kitchen: Kitchen,
    count_rows: Callable[[], dict[str, int]],
    overrides: dict[str, Any],
    fields: set[str],
) -> None:
    before = count_rows()
    body = order_body(**_with_ids(overrides, kitchen))
    response = client.post("/api/v1/orders", json=body, headers=auth("cust-bad"))

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
    settings: ServingSettings,
    auth: Callable[..., dict[str, str]],
    count_rows: Callable[[], dict[str, int]],
) -> None:
    """The orders' limit is the payments' own: the dearest order accepted can be paid."""
    # 10 x 9,523,619 = 95,236,190 + 5 % GST 4,761,810 (half up) + the base fee 2,000 = exactly the limit.
    dear = Kitchen(client, settings, menu={"Gold thali": 9_523_619, "Saffron": 1, "Feast": MAX_UNIT_PRICE_MINOR})
    customer = auth(f"cust-{uuid.uuid4().hex[:8]}")
    placed = client.post("/api/v1/orders", json=dear.order_body({"Gold thali": 10}), headers=customer)
    assert placed.status_code == 201, placed.text
    assert (placed.json()["tax_minor"], placed.json()["delivery_fee_minor"]) == (4_761_810, 2000)
    assert placed.json()["total_minor"] == MAX_AMOUNT_MINOR
    payment = {"order_id": placed.json()["order_id"], "method": "cod", "amount_minor": MAX_AMOUNT_MINOR}
    paid = client.post(
        "/api/v1/payments", json={**payment, "currency": "INR"}, headers={**customer, "Idempotency-Key": "pay-at-limit"}
    )
    assert paid.status_code == 201, paid.text

    before = count_rows()
    for too_dear in (
        dear.order_body({"Gold thali": 10, "Saffron": 1}),  # one paisa over
        dear.order_body({"Feast": MAX_QUANTITY}),  # 10x over
    ):
        response = client.post("/api/v1/orders", json=too_dear, headers=customer)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert [error["field"] for error in response.json()["errors"]] == ["lines"]
        assert str(MAX_AMOUNT_MINOR) in response.json()["errors"][0]["message"]
    assert count_rows() == before


@pytest.mark.parametrize("raw", [b"", b"{", b"not json", b"[]", b"null", b'{"lines": [', b'{"city": "Pune"}' + b"\xff"])
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
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=8,
)


def order_bodies(kitchen: Kitchen) -> st.SearchStrategy[dict[str, Any]]:
    """Bodies of any shape, often with the kitchen's real ids so some get as far as pricing and
    storing; ``name``, ``city`` and ``delivery_fee_minor`` are fields the request no longer has."""
    restaurant = st.just(kitchen.rid) | json_values
    item = st.sampled_from(sorted(kitchen.ids.values())) | json_values
    price = st.sampled_from(sorted(kitchen.prices.values())) | st.integers(-(2**70), 2**70) | json_values
    line = st.fixed_dictionaries(
        {},
        optional={"item_id": item, "name": json_values, "quantity": st.integers(-5, 200) | json_values,
                  "unit_price_minor": price},
    )  # fmt: skip
    return st.fixed_dictionaries(
        {},
        optional={
            "restaurant_id": restaurant,
            "city": json_values,
            "lines": st.lists(line | json_values, max_size=3) | json_values,
            "delivery_fee_minor": st.integers(-(2**70), 2**70) | json_values,
            "delivery_location": st.fixed_dictionaries({"lat": st.floats(-90, 90), "lon": st.floats(-180, 180)})
            | json_values,
            "currency": st.sampled_from(["INR", "inr", "USD", ""]) | json_values,
        },
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_body_ever_causes_a_server_error_and_only_accepted_orders_are_stored(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    kitchen: Kitchen,
    count_rows: Callable[[], dict[str, int]],
    data: st.DataObject,
) -> None:
    body = data.draw(order_bodies(kitchen))
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
    """A syntactically valid order whose one line's item id alone is ``total_bytes`` long."""
    line = {"item_id": "x" * total_bytes, "quantity": 1}
    body = {"restaurant_id": str(uuid.uuid4()), "lines": [line], "currency": "INR"}
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
    # The id is too long for the schema (a 422 naming it): the limit let it through to validation.
    raw = _huge_order(settings.max_request_body_bytes - 1024)
    response = client.post(
        "/api/v1/orders", content=raw, headers={**auth("cust-big"), "Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == ["lines[0].item_id"]
