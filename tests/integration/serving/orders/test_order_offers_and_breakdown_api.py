"""Offers and the itemised price on the real stack (catalog pricing, PostgreSQL, Redis).

Restaurants, items and offers are created through the API; orders name item ids and an
optional offer code, and the server decides the discount, the 5 % tax on the discounted
food, packaging and the delivery fee. What the response shows is what is stored and
what the OrderPlaced outbox event carries. Refused offers are 422s naming offer_code
that write nothing; a once-per-customer offer cannot be used twice, not even by two
concurrent placements, and a cancelled order gives its redemption back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from ops.stack.config import StackConfig
from serving.kernel.auth import Role, issue_access_token
from serving.orders.adapters.tables import orders, outbox
from serving.restaurants.adapters.tables import offers
from serving.settings import ServingSettings
from tests.utils.catalogue import Kitchen
from tests.utils.settings import settings_for
from tests.utils.threads import at_once

pytestmark = pytest.mark.stack

PACKAGING_PER_ITEM, PACKAGING_FLAT, BASE_FEE = 500, 1000, 2000


@pytest.fixture(scope="module")
def settings(database_url: str, stack: StackConfig) -> ServingSettings:
    return settings_for(
        database_url,
        stack,
        "offers-test",
        rate_limit_enabled=False,
        delivery_base_fee_minor=BASE_FEE,
        order_tax_bp=500,
        order_packaging_per_item_minor=PACKAGING_PER_ITEM,
        order_packaging_flat_minor=PACKAGING_FLAT,
    )


def _later(**delta: float) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


class People:
    """Tokens for any subject and role."""

    def __init__(self, settings: ServingSettings) -> None:
        self.settings = settings

    def headers(self, subject: str, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_access_token(subject, role, self.settings)}"}

    def new(self, role: Role) -> dict[str, str]:
        return self.headers(f"{role.value.lower()}-{uuid.uuid4().hex[:10]}", role)


@pytest.fixture(scope="module")
def people(settings: ServingSettings) -> People:
    return People(settings)


@pytest.fixture
def kitchen(client: TestClient, people: People) -> Callable[[], Kitchen]:
    """A new restaurant open all day; its owner makes items and offers through the API."""
    return lambda: Kitchen(
        client, people.settings, name="Offer Test Kitchen", address="Chandni Chowk", city="Delhi",
        lat=28.6506, lon=77.2303, cuisines=["Mughlai"],
    )  # fmt: skip


@pytest.fixture
def order(client: TestClient, people: People) -> Callable[..., Any]:
    def post(restaurant_id: str, lines: list[dict[str, Any]], customer: str | None = None, **extra: Any) -> Any:
        headers = people.headers(customer or f"cust-{uuid.uuid4().hex[:10]}", Role.CUSTOMER)
        headers.update(extra.pop("headers", {}))
        body = {"restaurant_id": restaurant_id, "lines": lines, "currency": "INR", **extra}
        return client.post("/api/v1/orders", json=body, headers=headers)

    return post


def _fields(response: Any) -> list[str]:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return [error["field"] for error in response.json()["errors"]]


def _adds_up(placed: dict[str, Any]) -> bool:
    return bool(
        placed["total_minor"]
        == placed["items_subtotal_minor"] - placed["discount_minor"] + placed["tax_minor"]
        + placed["packaging_minor"] + placed["delivery_fee_minor"]
    )  # fmt: skip


# --- the itemised price, stored and published ---------------------------------------


def test_an_order_with_an_offer_is_itemised_and_the_same_numbers_are_stored_and_published(
    client: TestClient, people: People, engine: Engine, kitchen: Callable[[], Kitchen], order: Callable[..., Any]
) -> None:
    k = kitchen()
    biryani, kebab = k.item("Mutton Biryani", 32000), k.item("Seekh Kebab", 18050)
    k.offer("DIWALI20", kind="PERCENTAGE", value=2000, min_order_minor=50000, max_discount_minor=20000)
    customer = f"cust-{uuid.uuid4().hex[:10]}"
    lines = [{"item_id": biryani, "quantity": 2}, {"item_id": kebab, "quantity": 1}]

    response = order(k.rid, lines, customer=customer, offer_code="diwali20")  # codes ignore case

    assert response.status_code == 201, response.text
    placed = response.json()
    assert placed["items_subtotal_minor"] == placed["subtotal_minor"] == 82050
    assert placed["discount_minor"] == 16410  # 20 % of 82050, under the 20000 cap
    assert placed["tax_minor"] == 3282  # 5 % of the discounted food, 65640
    assert placed["packaging_minor"] == 3 * PACKAGING_PER_ITEM + PACKAGING_FLAT
    assert placed["delivery_fee_minor"] == BASE_FEE  # no location: the base fee
    assert placed["offer_code"] == "DIWALI20"
    assert placed["total_minor"] == 82050 - 16410 + 3282 + 2500 + 2000 and _adds_up(placed)

    mine = people.headers(customer, Role.CUSTOMER)
    assert client.get(f"/api/v1/orders/{placed['order_id']}", headers=mine).json() == placed
    assert client.get("/api/v1/orders", headers=mine).json()["items"] == [placed]
    with engine.connect() as connection:
        row = connection.execute(sa.select(orders).where(orders.c.order_id == uuid.UUID(placed["order_id"]))).one()
        event: dict[str, Any] = connection.execute(
            sa.select(outbox.c.payload).where(
                outbox.c.message_key == placed["order_id"], outbox.c.event_type == "OrderPlaced"
            )
        ).scalar_one()
    stored = {
        "items_subtotal_minor": row.subtotal_minor, "discount_minor": row.discount_minor, "tax_minor": row.tax_minor,
        "packaging_minor": row.packaging_minor, "delivery_fee_minor": row.delivery_fee_minor,
        "total_minor": row.total_minor, "offer_code": row.offer_code,
    }  # fmt: skip
    assert stored == {name: placed[name] for name in stored}
    assert row.restaurant_id == k.rid
    payload = event["payload"]
    assert {name: payload[name] for name in stored if name != "items_subtotal_minor"} == {
        name: placed[name] for name in stored if name != "items_subtotal_minor"
    }
    assert payload["subtotal_minor"] == placed["items_subtotal_minor"]


def test_without_an_offer_catalog_orders_still_pay_tax_and_packaging(
    kitchen: Callable[[], Kitchen], order: Callable[..., Any]
) -> None:
    k = kitchen()
    response = order(k.rid, [{"item_id": k.item("Nihari", 25001), "quantity": 1}])
    assert response.status_code == 201, response.text
    placed = response.json()
    assert (placed["discount_minor"], placed["offer_code"]) == (0, None)
    assert placed["tax_minor"] == 1250  # 1250.05
    assert placed["packaging_minor"] == PACKAGING_PER_ITEM + PACKAGING_FLAT and _adds_up(placed)


def test_a_flat_offer_at_cart_checkout_is_itemised_too(
    client: TestClient, people: People, kitchen: Callable[[], Kitchen]
) -> None:
    k = kitchen()
    thali = k.item("Veg Thali", 22000)
    k.offer("FLAT50", kind="FLAT", value=5000)
    mine = people.new(Role.CUSTOMER)
    cart = {"restaurant_id": k.rid, "items": [{"item_id": thali, "quantity": 2}]}
    assert client.put("/api/v1/cart", json=cart, headers=mine).status_code == 200

    response = client.post(
        "/api/v1/cart/checkout",
        json={"offer_code": "flat50"},
        headers={**mine, "Idempotency-Key": uuid.uuid4().hex},
    )

    assert response.status_code == 201, response.text
    placed = response.json()
    assert (placed["items_subtotal_minor"], placed["discount_minor"], placed["offer_code"]) == (44000, 5000, "FLAT50")
    assert placed["tax_minor"] == 1950 and _adds_up(placed)  # 5 % of 39000


# --- refusals: 422 naming offer_code, nothing written ------------------------------


def _expire(engine: Engine, restaurant_id: str, code: str) -> None:
    # Offers cannot be created already over; time passing is simulated on the row.
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            sa.update(offers)
            .where(offers.c.restaurant_id == uuid.UUID(restaurant_id), offers.c.code == code)
            .values(valid_from=now - timedelta(days=2), valid_until=now - timedelta(days=1))
        )


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("expired", "expired"),
        ("not yet valid", "not valid yet"),
        ("below the minimum order", "at least 100000"),
        ("another restaurant's", "no offer"),
        ("unknown", "no offer"),
        ("deactivated", "no longer active"),
    ],
)
def test_an_offer_that_cannot_be_used_is_a_422_naming_offer_code_and_writes_nothing(
    case: str,
    reason: str,
    client: TestClient,
    engine: Engine,
    kitchen: Callable[[], Kitchen],
    order: Callable[..., Any],
    count_rows: Callable[[], dict[str, int]],
) -> None:
    k = kitchen()
    item = k.item("Korma", 21000)
    code = "SAVE10"
    if case == "expired":
        k.offer(code)
        _expire(engine, k.rid, code)
    elif case == "not yet valid":
        k.offer(code, valid_from=_later(days=1), valid_until=_later(days=2))
    elif case == "below the minimum order":
        k.offer(code, min_order_minor=100000)
    elif case == "another restaurant's":
        kitchen().offer(code)
    elif case == "deactivated":
        k.offer(code)
        assert client.delete(f"{k.offers_url}/save10", headers=k.headers).status_code == 204
    before = count_rows()

    response = order(k.rid, [{"item_id": item, "quantity": 1}], offer_code=code)

    assert response.status_code == 422, response.text
    assert _fields(response) == ["offer_code"]
    assert reason in response.json()["errors"][0]["message"]
    assert count_rows() == before


def test_an_unknown_offer_is_reported_with_the_refused_lines_in_one_answer(
    kitchen: Callable[[], Kitchen], order: Callable[..., Any]
) -> None:
    k = kitchen()
    response = order(k.rid, [{"item_id": str(uuid.uuid4()), "quantity": 1}], offer_code="NOPE")
    assert response.status_code == 422
    assert _fields(response) == ["lines[0].item_id", "offer_code"]


# --- per-customer limit --------------------------------------------------------------


def test_a_once_per_customer_offer_works_once_until_that_order_is_cancelled(
    client: TestClient,
    people: People,
    kitchen: Callable[[], Kitchen],
    order: Callable[..., Any],
    count_rows: Callable[[], dict[str, int]],
) -> None:
    k = kitchen()
    lines = [{"item_id": k.item("Galouti Kebab", 26000), "quantity": 1}]
    k.offer("WELCOME", kind="FLAT", value=5000, per_user_limit=1)
    customer = f"cust-{uuid.uuid4().hex[:10]}"

    first = order(k.rid, lines, customer=customer, offer_code="WELCOME")
    assert first.status_code == 201 and first.json()["discount_minor"] == 5000
    before = count_rows()
    again = order(k.rid, lines, customer=customer, offer_code="WELCOME")
    assert again.status_code == 422 and _fields(again) == ["offer_code"]
    assert "maximum number of times" in again.json()["errors"][0]["message"]
    assert count_rows() == before
    # The limit is per customer: someone else still gets it; and without the code anyone orders.
    assert order(k.rid, lines, offer_code="WELCOME").json()["discount_minor"] == 5000
    assert order(k.rid, lines, customer=customer).status_code == 201

    mine = people.headers(customer, Role.CUSTOMER)
    assert client.post(f"/api/v1/orders/{first.json()['order_id']}/cancel", headers=mine).status_code == 200
    after_cancel = order(k.rid, lines, customer=customer, offer_code="WELCOME")
    assert after_cancel.status_code == 201, after_cancel.text
    assert after_cancel.json()["discount_minor"] == 5000


def test_concurrent_placements_by_one_customer_redeem_a_once_per_customer_offer_exactly_once(
    engine: Engine, kitchen: Callable[[], Kitchen], order: Callable[..., Any]
) -> None:
    for _ in range(3):
        k = kitchen()
        lines = [{"item_id": k.item("Shami Kebab", 15000), "quantity": 2}]
        k.offer("ONCE", kind="FLAT", value=3000, per_user_limit=1)
        customer = f"cust-{uuid.uuid4().hex[:10]}"

        def place(k: Kitchen = k, lines: list[dict[str, Any]] = lines, customer: str = customer) -> Any:
            return order(k.rid, lines, customer=customer, offer_code="ONCE")

        results = at_once([place] * 4)

        assert sorted(r.status_code for r in results) == [201, 422, 422, 422], [r.text for r in results]
        assert all(_fields(r) == ["offer_code"] for r in results if r.status_code == 422)
        with engine.connect() as connection:
            stored = connection.execute(
                sa.select(sa.func.count()).where(orders.c.customer_id == customer, orders.c.offer_code == "ONCE")
            ).scalar_one()
        assert stored == 1


def test_concurrent_duplicates_under_one_idempotency_key_with_a_limited_offer_get_the_same_order(
    kitchen: Callable[[], Kitchen], order: Callable[..., Any]
) -> None:
    k = kitchen()
    lines = [{"item_id": k.item("Sheermal", 6000), "quantity": 3}]
    k.offer("ONCEMORE", kind="FLAT", value=1000, per_user_limit=1)
    customer, key = f"cust-{uuid.uuid4().hex[:10]}", uuid.uuid4().hex

    results = at_once(
        [lambda: order(k.rid, lines, customer=customer, offer_code="ONCEMORE", headers={"Idempotency-Key": key})] * 2
    )

    assert sorted(r.status_code for r in results) == [200, 201], [r.text for r in results]
    assert results[0].json() == results[1].json()
    assert results[0].json()["discount_minor"] == 1000


# --- the offers API: who may do what ---------------------------------------------------


def test_the_owner_and_admins_create_and_deactivate_offers_and_nobody_else_can(
    client: TestClient, people: People, kitchen: Callable[[], Kitchen]
) -> None:
    k = kitchen()
    body = {"code": "Owner10", "kind": "PERCENTAGE", "value": 1000, "valid_until": _later(days=3)}
    created = client.post(k.offers_url, json=body, headers=k.headers)
    assert created.status_code == 201, created.text
    assert created.json()["code"] == "OWNER10" and created.json()["active"] is True
    assert created.headers["location"] == f"{k.offers_url}/OWNER10"
    admin = people.new(Role.ADMIN)
    assert client.post(k.offers_url, json={**body, "code": "ADMIN10"}, headers=admin).status_code == 201

    for stranger, expected in (
        (people.new(Role.RESTAURANT), 404),  # another owner: as if it did not exist
        (people.new(Role.CUSTOMER), 403),
        (people.new(Role.COURIER), 403),
    ):
        assert client.post(k.offers_url, json={**body, "code": "MINE"}, headers=stranger).status_code == expected
        assert client.delete(f"{k.offers_url}/OWNER10", headers=stranger).status_code == expected
    listed = client.get(k.offers_url, headers=k.headers).json()
    assert [(o["code"], o["active"]) for o in listed] == [("ADMIN10", True), ("OWNER10", True)]

    assert client.delete(f"{k.offers_url}/owner10", headers=k.headers).status_code == 204
    assert client.delete(f"{k.offers_url}/ADMIN10", headers=admin).status_code == 204
    assert client.delete(f"{k.offers_url}/ADMIN10", headers=admin).status_code == 204  # already inactive
    assert client.delete(f"{k.offers_url}/NOSUCH", headers=k.headers).status_code == 404
    missing = f"/api/v1/restaurants/{uuid.uuid4()}/offers"
    assert client.post(missing, json=body, headers=admin).status_code == 404
    assert client.get(missing, headers=admin).status_code == 404
    for method in ("GET", "POST", "DELETE"):  # no token, no offers
        url = k.offers_url + ("/OWNER10" if method == "DELETE" else "")
        assert client.request(method, url, json=body if method == "POST" else None).status_code == 401


def test_customers_see_only_the_offers_they_can_use_now_and_the_owner_sees_all(
    client: TestClient, people: People, engine: Engine, kitchen: Callable[[], Kitchen]
) -> None:
    k = kitchen()
    for code in ("LIVE", "OFF", "OVER"):
        k.offer(code)
    k.offer("SOON", valid_from=_later(days=1), valid_until=_later(days=2))
    assert client.delete(f"{k.offers_url}/OFF", headers=k.headers).status_code == 204
    _expire(engine, k.rid, "OVER")

    def codes(headers: dict[str, str]) -> list[str]:
        response = client.get(k.offers_url, headers=headers)
        assert response.status_code == 200, response.text
        return [offer["code"] for offer in response.json()]

    assert codes(k.headers) == ["LIVE", "OFF", "OVER", "SOON"]
    assert codes(people.new(Role.ADMIN)) == ["LIVE", "OFF", "OVER", "SOON"]
    for outsider in (Role.CUSTOMER, Role.COURIER, Role.RESTAURANT):
        assert codes(people.new(outsider)) == ["LIVE"]


def test_a_duplicate_code_is_a_409_naming_code_whatever_its_case_and_even_once_deactivated(
    client: TestClient, kitchen: Callable[[], Kitchen]
) -> None:
    k = kitchen()
    k.offer("TWICE")
    body = {"code": "twice", "kind": "FLAT", "value": 100, "valid_until": _later(days=1)}
    duplicate = client.post(k.offers_url, json=body, headers=k.headers)
    assert duplicate.status_code == 409 and _fields(duplicate) == ["code"]
    assert client.delete(f"{k.offers_url}/TWICE", headers=k.headers).status_code == 204
    assert client.post(k.offers_url, json=body, headers=k.headers).status_code == 409
    # The same code at another restaurant is another offer.
    other = kitchen()
    assert client.post(other.offers_url, json=body, headers=other.headers).status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "PERCENTAGE", "value": 10001}, "value"),
        ({"valid_from": _later(days=5), "valid_until": _later(days=4)}, "valid_until"),
        ({"valid_until": _later(days=-1)}, "valid_until"),
        ({"kind": "FLAT", "value": 500, "max_discount_minor": 100}, "max_discount_minor"),
        ({"per_user_limit": 0}, "per_user_limit"),
        ({"min_order_minor": -1}, "min_order_minor"),
        ({"value": 12.5}, "value"),
        ({"code": "two words"}, "code"),
        ({"active": False}, "active"),
    ],
)
def test_a_bad_offer_is_a_422_naming_the_field_and_writes_nothing(
    change: dict[str, Any], field: str, client: TestClient, engine: Engine, kitchen: Callable[[], Kitchen]
) -> None:
    k = kitchen()
    body = {"code": "BAD", "kind": "PERCENTAGE", "value": 1000, "valid_until": _later(days=3), **change}
    response = client.post(k.offers_url, json=body, headers=k.headers)
    assert response.status_code == 422, response.text
    assert _fields(response) == [field]
    with engine.connect() as connection:
        count = connection.execute(
            sa.select(sa.func.count()).where(offers.c.restaurant_id == uuid.UUID(k.rid))
        ).scalar_one()
    assert count == 0
