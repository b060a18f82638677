"""The cart API on the real stack: one restaurant per cart, checkout into a menu-priced order."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from ops.stack.config import StackConfig
from serving.app import create_app
from serving.cart.adapters.store import CHECKOUT_CLAIM_SECONDS, CartBusy, CartStore, cart_key, checkout_claim_key
from serving.cart.domain import Cart
from serving.kernel.auth import Role, issue_access_token
from serving.orders.adapters.tables import orders
from serving.settings import ServingSettings
from tests.utils.catalogue import Kitchen
from tests.utils.people import bearer, customer_id
from tests.utils.settings import settings_for
from tests.utils.threads import at_once

pytestmark = pytest.mark.stack

CART_TTL = 600


@pytest.fixture(scope="module")
def settings(database_url: str, stack: StackConfig) -> ServingSettings:
    return settings_for(database_url, stack, "cart-test", rate_limit_enabled=False, cart_ttl_seconds=CART_TTL)


@pytest.fixture
def kitchen(client: TestClient, settings: ServingSettings) -> Callable[[], Kitchen]:
    return lambda: Kitchen(
        client, settings, name="Cart Test Dhaba", address="GT Road", city="Panipat", lat=29.39, lon=76.97
    )


@pytest.fixture
def customer(settings: ServingSettings) -> Callable[[], tuple[str, dict[str, str]]]:
    def new() -> tuple[str, dict[str, str]]:
        subject = customer_id()
        return subject, bearer(subject, Role.CUSTOMER, settings)

    return new


def _orders(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(orders)).scalar_one())


def _fields(response: Any) -> list[str]:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return [error["field"] for error in response.json()["errors"]]


def test_a_customer_fills_edits_and_checks_out_a_cart_into_a_menu_priced_order(
    client: TestClient,
    kitchen: Callable[[], Kitchen],
    customer: Callable[[], tuple[str, dict[str, str]]],
    redis_client: redis.Redis[bytes],
) -> None:
    k = kitchen()
    paratha, lassi, raita = k.item("Aloo Paratha", 9000), k.item("Lassi", 6000), k.item("Raita", 3000)
    subject, me = customer()
    assert client.get("/api/v1/cart", headers=me).json() == {"restaurant_id": None, "items": []}
    for item_id, quantity in ((paratha, 2), (lassi, 1), (raita, 1), (paratha, 1)):
        body = {"restaurant_id": k.rid, "item_id": item_id, "quantity": quantity}
        assert client.post("/api/v1/cart/items", json=body, headers=me).status_code == 200
    assert client.patch(f"/api/v1/cart/items/{lassi}", json={"quantity": 2}, headers=me).status_code == 200
    assert client.delete(f"/api/v1/cart/items/{raita}", headers=me).status_code == 200
    cart = client.get("/api/v1/cart", headers=me).json()
    assert cart == {
        "restaurant_id": k.rid,
        "items": [{"item_id": paratha, "quantity": 3}, {"item_id": lassi, "quantity": 2}],
    }
    assert 0 < redis_client.ttl(cart_key(subject)) <= CART_TTL

    key = {"Idempotency-Key": str(uuid.uuid4())}
    response = client.post("/api/v1/cart/checkout", json={}, headers={**me, **key})
    assert response.status_code == 201, response.text
    assert response.headers["Idempotent-Replayed"] == "false"
    placed = response.json()
    assert [(line["name"], line["quantity"], line["unit_price_minor"]) for line in placed["lines"]] == [
        ("Aloo Paratha", 3, 9000),
        ("Lassi", 2, 6000),
    ]
    assert placed["city"] == "Panipat" and placed["subtotal_minor"] == 39000
    assert client.get("/api/v1/cart", headers=me).json()["items"] == []

    replay = client.post("/api/v1/cart/checkout", json={}, headers={**me, **key})
    assert replay.status_code == 200 and replay.json()["order_id"] == placed["order_id"]
    assert replay.headers["Idempotent-Replayed"] == "true"


def test_an_item_of_another_restaurant_is_a_409_naming_restaurant_id_unless_replacing(
    client: TestClient, kitchen: Callable[[], Kitchen], customer: Callable[[], tuple[str, dict[str, str]]]
) -> None:
    first, second = kitchen(), kitchen()
    dal, chole = first.item("Dal Makhani", 15000), second.item("Chole", 12000)
    _, me = customer()
    client.post("/api/v1/cart/items", json={"restaurant_id": first.rid, "item_id": dal}, headers=me)
    clash = client.post("/api/v1/cart/items", json={"restaurant_id": second.rid, "item_id": chole}, headers=me)
    assert clash.status_code == 409 and _fields(clash) == ["restaurant_id"]
    assert client.get("/api/v1/cart", headers=me).json()["restaurant_id"] == first.rid
    body = {"restaurant_id": second.rid, "item_id": chole, "replace": True}
    assert client.post("/api/v1/cart/items", json=body, headers=me).status_code == 200
    assert client.get("/api/v1/cart", headers=me).json() == {
        "restaurant_id": second.rid,
        "items": [{"item_id": chole, "quantity": 1}],
    }


def test_unknown_or_unavailable_items_never_get_into_a_cart(
    client: TestClient, kitchen: Callable[[], Kitchen], customer: Callable[[], tuple[str, dict[str, str]]]
) -> None:
    k = kitchen()
    gone = k.item("Sarson da Saag", 14000, available=False)
    _, me = customer()
    for item_id in (gone, str(uuid.uuid4()), "not-a-uuid"):
        response = client.post("/api/v1/cart/items", json={"restaurant_id": k.rid, "item_id": item_id}, headers=me)
        assert response.status_code == 422 and _fields(response) == ["item_id"]
    response = client.put(
        "/api/v1/cart", json={"restaurant_id": k.rid, "items": [{"item_id": gone, "quantity": 1}]}, headers=me
    )
    assert response.status_code == 422 and _fields(response) == ["items[0].item_id"]
    response = client.post("/api/v1/cart/items", json={"restaurant_id": "nope", "item_id": gone}, headers=me)
    assert response.status_code == 422 and _fields(response) == ["restaurant_id"]
    assert client.get("/api/v1/cart", headers=me).json()["items"] == []


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "field"),
    [
        ("patch", "/api/v1/cart/items/{item}", {"quantity": 0}, 422, "quantity"),
        ("patch", "/api/v1/cart/items/{item}", {"quantity": "2"}, 422, "quantity"),
        ("patch", "/api/v1/cart/items/{other}", {"quantity": 2}, 404, None),
        ("delete", "/api/v1/cart/items/{other}", None, 404, None),
        (
            "post",
            "/api/v1/cart/items",
            {"restaurant_id": "{rid}", "item_id": "{item}", "quantity": 100},
            422,
            "quantity",
        ),
        ("post", "/api/v1/cart/items", {"restaurant_id": "{rid}", "item_id": "{item}", "extra": 1}, 422, "extra"),
    ],
)
def test_bad_cart_edits_are_problems_naming_the_field_and_change_nothing(
    method: str,
    path: str,
    body: dict[str, Any] | None,
    status: int,
    field: str | None,
    client: TestClient,
    kitchen: Callable[[], Kitchen],
    customer: Callable[[], tuple[str, dict[str, str]]],
) -> None:
    k = kitchen()
    item = k.item("Rajma", 11000)
    _, me = customer()
    client.post("/api/v1/cart/items", json={"restaurant_id": k.rid, "item_id": item}, headers=me)
    before = client.get("/api/v1/cart", headers=me).json()

    def fill(value: Any) -> Any:
        return value.format(item=item, other=uuid.uuid4(), rid=k.rid) if isinstance(value, str) else value

    kwargs: dict[str, Any] = {"headers": me}
    if body is not None:
        kwargs["json"] = {name: fill(value) for name, value in body.items()}
    response = client.request(method.upper(), fill(path), **kwargs)
    assert response.status_code == status, response.text
    if field is not None:
        assert _fields(response) == [field]
    assert client.get("/api/v1/cart", headers=me).json() == before


def test_checkout_of_an_empty_cart_or_without_a_key_or_with_a_withdrawn_item_writes_no_order(
    client: TestClient,
    engine: Engine,
    kitchen: Callable[[], Kitchen],
    customer: Callable[[], tuple[str, dict[str, str]]],
) -> None:
    k = kitchen()
    kulcha = k.item("Amritsari Kulcha", 13000)
    _, me = customer()
    key = {"Idempotency-Key": str(uuid.uuid4())}
    before = _orders(engine)
    empty = client.post("/api/v1/cart/checkout", headers={**me, **key})
    assert empty.status_code == 422 and _fields(empty) == ["cart"]

    client.post("/api/v1/cart/items", json={"restaurant_id": k.rid, "item_id": kulcha}, headers=me)
    keyless = client.post("/api/v1/cart/checkout", headers=me)
    assert keyless.status_code == 422 and _fields(keyless) == ["Idempotency-Key"]
    # The one Idempotency-Key rule: 8-128 of A-Z a-z 0-9 . _ : -
    for malformed in ("short", "x" * 129, "has space"):
        refused = client.post("/api/v1/cart/checkout", headers={**me, "Idempotency-Key": malformed})
        assert refused.status_code == 422 and _fields(refused) == ["Idempotency-Key"], malformed

    k.set_item(kulcha, available=False)
    withdrawn = client.post("/api/v1/cart/checkout", headers={**me, **key})
    assert withdrawn.status_code == 422 and _fields(withdrawn) == ["lines[0].item_id"]
    assert _orders(engine) == before
    assert len(client.get("/api/v1/cart", headers=me).json()["items"]) == 1  # kept for the customer to fix

    # The failed checkout let go of the cart: it can be checked out again, under another key.
    k.set_item(kulcha, available=True)
    again = client.post("/api/v1/cart/checkout", headers={**me, "Idempotency-Key": str(uuid.uuid4())})
    assert again.status_code == 201, again.text
    assert _orders(engine) == before + 1


def test_a_cart_is_its_customers_alone(
    client: TestClient,
    settings: ServingSettings,
    kitchen: Callable[[], Kitchen],
    customer: Callable[[], tuple[str, dict[str, str]]],
) -> None:
    k = kitchen()
    item = k.item("Makki Roti", 5000)
    _, me = customer()
    _, someone_else = customer()
    client.post("/api/v1/cart/items", json={"restaurant_id": k.rid, "item_id": item}, headers=me)
    assert client.get("/api/v1/cart", headers=someone_else).json()["items"] == []
    assert client.get("/api/v1/cart").status_code == 401
    for role in (Role.RESTAURANT, Role.COURIER, Role.ADMIN):
        other = {"Authorization": f"Bearer {issue_access_token('x-' + role.value, role, settings)}"}
        for method, path in (
            ("GET", "/api/v1/cart"),
            ("PUT", "/api/v1/cart"),
            ("DELETE", "/api/v1/cart"),
            ("POST", "/api/v1/cart/items"),
            ("PATCH", f"/api/v1/cart/items/{item}"),
            ("DELETE", f"/api/v1/cart/items/{item}"),
            ("POST", "/api/v1/cart/checkout"),
        ):
            assert client.request(method, path, headers=other).status_code == 403, (role, method, path)
    assert client.delete("/api/v1/cart", headers=me).status_code == 204
    assert client.get("/api/v1/cart", headers=me).json()["items"] == []


def test_parallel_adds_of_different_items_all_land_in_the_cart(
    client: TestClient, kitchen: Callable[[], Kitchen], customer: Callable[[], tuple[str, dict[str, str]]]
) -> None:
    k = kitchen()
    items = [k.item(f"Thali {n}", 10000 + n) for n in range(10)]
    # Several customers in turn: one race of ten may happen to interleave gently.
    for _ in range(10):
        _, me = customer()

        def add(item_id: str, me: dict[str, str] = me) -> Callable[[], Any]:
            body = {"restaurant_id": k.rid, "item_id": item_id}
            return lambda: client.post("/api/v1/cart/items", json=body, headers=me)

        responses = at_once([add(item_id) for item_id in items])

        assert [response.status_code for response in responses] == [200] * 10, [r.text for r in responses]
        cart = client.get("/api/v1/cart", headers=me).json()
        assert sorted(line["item_id"] for line in cart["items"]) == sorted(items)
        assert all(line["quantity"] == 1 for line in cart["items"])


def test_a_cart_that_never_holds_still_is_busy_not_unavailable(redis_client: redis.Redis[bytes]) -> None:
    """Contention that outlasts the retries is told apart from an outage (409, not 503)."""
    customer_id = f"cust-{uuid.uuid4().hex[:10]}"
    store = CartStore(redis_client, CART_TTL)
    attempts = 0

    def change_under_a_rival(cart: Cart) -> Cart:
        nonlocal attempts
        attempts += 1
        redis_client.set(cart_key(customer_id), f'{{"restaurant_id": null, "items": [], "n": {attempts}}}')
        return Cart("r1", {"a": 1})

    with pytest.raises(CartBusy):
        store.update(customer_id, change_under_a_rival)
    assert attempts > 10


def test_an_unreachable_redis_is_a_503_with_retry_after(
    settings: ServingSettings,
    kitchen: Callable[[], Kitchen],
    customer: Callable[[], tuple[str, dict[str, str]]],
) -> None:
    k = kitchen()
    item = k.item("Kadhi Chawal", 9000)
    down = settings.changed(redis_url="redis://127.0.0.1:9/0")
    _, me = customer()
    with TestClient(create_app(down), raise_server_exceptions=False) as outage:
        for method, path, body in (
            ("GET", "/api/v1/cart", None),
            ("POST", "/api/v1/cart/items", {"restaurant_id": k.rid, "item_id": item}),
            ("PATCH", f"/api/v1/cart/items/{item}", {"quantity": 2}),
        ):
            response = outage.request(method, path, json=body, headers=me)
            assert response.status_code == 503, (method, path, response.text)
            assert response.headers["retry-after"]
            assert response.headers["content-type"] == "application/problem+json"


def _customer_orders(engine: Engine, customer_id: str) -> int:
    with engine.connect() as connection:
        query = sa.select(sa.func.count()).select_from(orders).where(orders.c.customer_id == customer_id)
        return int(connection.execute(query).scalar_one())


def test_parallel_checkouts_of_one_cart_under_different_keys_place_exactly_one_order(
    client: TestClient,
    engine: Engine,
    kitchen: Callable[[], Kitchen],
    customer: Callable[[], tuple[str, dict[str, str]]],
) -> None:
    k = kitchen()
    item = k.item("Chole Bhature", 14000)
    subject, me = customer()
    client.post("/api/v1/cart/items", json={"restaurant_id": k.rid, "item_id": item, "quantity": 2}, headers=me)

    def checkout() -> Any:
        return client.post("/api/v1/cart/checkout", json={}, headers={**me, "Idempotency-Key": str(uuid.uuid4())})

    responses = at_once([checkout for _ in range(6)])

    assert sorted(r.status_code for r in responses) == [201] + [409] * 5, [r.text for r in responses]
    for refused in (r for r in responses if r.status_code == 409):
        assert _fields(refused) == ["cart"]
        assert refused.json()["type"] == "urn:tiffin:problem:conflict"
    assert _customer_orders(engine, subject) == 1
    assert client.get("/api/v1/cart", headers=me).json() == {"restaurant_id": None, "items": []}


def test_a_checked_out_cart_refuses_another_key_replays_its_own_and_the_next_cart_starts_fresh(
    client: TestClient,
    engine: Engine,
    kitchen: Callable[[], Kitchen],
    customer: Callable[[], tuple[str, dict[str, str]]],
) -> None:
    k = kitchen()
    pakora, chai = k.item("Pakora", 6000), k.item("Chai", 2000)
    subject, me = customer()
    client.post("/api/v1/cart/items", json={"restaurant_id": k.rid, "item_id": pakora}, headers=me)
    first_key = {"Idempotency-Key": str(uuid.uuid4())}
    placed = client.post("/api/v1/cart/checkout", headers={**me, **first_key})
    assert placed.status_code == 201, placed.text

    other_key = client.post("/api/v1/cart/checkout", headers={**me, "Idempotency-Key": str(uuid.uuid4())})
    assert other_key.status_code == 409 and _fields(other_key) == ["cart"]
    assert placed.json()["order_id"] in other_key.json()["detail"]
    replay = client.post("/api/v1/cart/checkout", headers={**me, **first_key})
    assert replay.status_code == 200 and replay.json()["order_id"] == placed.json()["order_id"]
    assert client.patch(f"/api/v1/cart/items/{pakora}", json={"quantity": 2}, headers=me).status_code == 404

    added = client.post("/api/v1/cart/items", json={"restaurant_id": k.rid, "item_id": chai}, headers=me)
    assert added.json() == {"restaurant_id": k.rid, "items": [{"item_id": chai, "quantity": 1}]}
    second = client.post("/api/v1/cart/checkout", headers={**me, "Idempotency-Key": str(uuid.uuid4())})
    assert second.status_code == 201, second.text
    assert [line["item_id"] for line in second.json()["lines"]] == [chai]
    assert _customer_orders(engine, subject) == 2


def test_a_cart_claimed_by_a_running_checkout_holds_still_until_the_claim_is_let_go(
    client: TestClient,
    redis_client: redis.Redis[bytes],
    kitchen: Callable[[], Kitchen],
    customer: Callable[[], tuple[str, dict[str, str]]],
) -> None:
    k = kitchen()
    samosa = k.item("Samosa", 2500)
    subject, me = customer()
    client.post("/api/v1/cart/items", json={"restaurant_id": k.rid, "item_id": samosa}, headers=me)
    store = CartStore(redis_client, CART_TTL)
    running = str(uuid.uuid4())  # a checkout in flight on another app instance
    assert store.claim_checkout(subject, running) == Cart(k.rid, {samosa: 1})
    assert 0 < redis_client.ttl(checkout_claim_key(subject)) <= CHECKOUT_CLAIM_SECONDS

    add = client.post("/api/v1/cart/items", json={"restaurant_id": k.rid, "item_id": samosa}, headers=me)
    assert add.status_code == 409 and _fields(add) == ["cart"]
    assert client.delete("/api/v1/cart", headers=me).status_code == 409
    other = client.post("/api/v1/cart/checkout", headers={**me, "Idempotency-Key": str(uuid.uuid4())})
    assert other.status_code == 409 and _fields(other) == ["cart"]
    assert client.get("/api/v1/cart", headers=me).json()["items"] == [{"item_id": samosa, "quantity": 1}]

    store.release_checkout(subject, running)  # its order was refused: the cart stays as it was
    assert redis_client.exists(checkout_claim_key(subject)) == 0
    again = client.post("/api/v1/cart/checkout", headers={**me, "Idempotency-Key": str(uuid.uuid4())})
    assert again.status_code == 201, again.text
