"""Pricing from the catalogue, and stock, on real restaurants, items and Redis.

Restaurants and items are created through the restaurants API; orders are placed
with item ids only, and the server decides names, prices and the delivery fee.
Accepting reserves stock, cancelling an accepted order gives it back.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import redis
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from ops.stack.config import StackConfig
from serving.kernel.auth import Role, issue_access_token
from serving.orders.adapters.pricing_catalog import SURGE_PREFIX, surge_zone
from serving.orders.adapters.tables import orders, outbox
from serving.settings import ServingSettings
from tests.utils.catalogue import Kitchen
from tests.utils.settings import settings_for

pytestmark = pytest.mark.stack

INDIA_GATE = {"lat": 28.6129, "lon": 77.2295}  # 2.4 km from Connaught Place


@pytest.fixture(scope="module")
def settings(database_url: str, stack: StackConfig) -> ServingSettings:
    return settings_for(
        database_url,
        stack,
        "pricing-test",
        rate_limit_enabled=False,
        delivery_base_fee_minor=2000,
        delivery_included_km=2.0,
        delivery_per_km_minor=800,
    )


@pytest.fixture
def kitchen(client: TestClient, settings: ServingSettings) -> Callable[..., Kitchen]:
    """``kitchen(**restaurant)``: a new restaurant (at Connaught Place, in a city of its own)."""
    return lambda **overrides: Kitchen(client, settings, name="Karim's Test Kitchen", **overrides)


@pytest.fixture
def order(client: TestClient, settings: ServingSettings) -> Callable[..., Any]:
    def post(restaurant_id: str, lines: list[dict[str, Any]], customer: str | None = None, **extra: Any) -> Any:
        token = issue_access_token(customer or f"cust-{uuid.uuid4().hex[:10]}", Role.CUSTOMER, settings)
        body = {"restaurant_id": restaurant_id, "lines": lines, "currency": "INR", **extra}
        return client.post("/api/v1/orders", json=body, headers={"Authorization": f"Bearer {token}"})

    return post


def _field_errors(response: Any) -> list[str]:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return [error["field"] for error in response.json()["errors"]]


def test_an_order_of_item_ids_is_priced_from_the_menu_with_a_distance_fee(
    kitchen: Callable[..., Kitchen], order: Callable[..., Any]
) -> None:
    k = kitchen()
    biryani, kebab = k.item("Mutton Biryani", 32000), k.item("Seekh Kebab", 18050)
    response = order(
        k.rid,
        [{"item_id": biryani, "quantity": 2}, {"item_id": kebab, "quantity": 1, "unit_price_minor": 18050}],
        delivery_location=INDIA_GATE,
    )
    assert response.status_code == 201, response.text
    placed = response.json()
    assert [(line["name"], line["unit_price_minor"]) for line in placed["lines"]] == [
        ("Mutton Biryani", 32000),
        ("Seekh Kebab", 18050),
    ]
    assert placed["subtotal_minor"] == placed["items_subtotal_minor"] == 2 * 32000 + 18050
    # 2.41 km: 2000 base + ~410 m * 0.8 paise
    assert 2300 <= placed["delivery_fee_minor"] <= 2360
    assert placed["tax_minor"] == 4103  # 5 % of 82050 = 4102.5, half-up
    assert (placed["discount_minor"], placed["packaging_minor"], placed["offer_code"]) == (0, 0, None)
    assert placed["total_minor"] == placed["subtotal_minor"] + placed["tax_minor"] + placed["delivery_fee_minor"]


def test_no_delivery_location_means_the_base_fee(kitchen: Callable[..., Kitchen], order: Callable[..., Any]) -> None:
    k = kitchen()
    response = order(k.rid, [{"item_id": k.item("Nihari", 25000), "quantity": 1}])
    assert response.status_code == 201, response.text
    assert response.json()["delivery_fee_minor"] == 2000


def test_the_order_and_its_event_carry_the_restaurants_city(
    kitchen: Callable[..., Kitchen], order: Callable[..., Any], engine: Engine
) -> None:
    k = kitchen()
    response = order(k.rid, [{"item_id": k.item("Shahi Korma", 26000), "quantity": 1}])
    assert response.status_code == 201, response.text
    placed = response.json()
    assert placed["city"] == k.city
    with engine.connect() as connection:
        row = connection.execute(sa.select(orders.c.city).where(orders.c.order_id == placed["order_id"])).one()
        event: dict[str, Any] = connection.execute(
            sa.select(outbox.c.payload).where(
                outbox.c.message_key == placed["order_id"], outbox.c.event_type == "OrderPlaced"
            )
        ).scalar_one()
    assert row.city == k.city
    assert event["payload"]["city"] == k.city


def test_a_surge_on_the_restaurants_zone_multiplies_the_delivery_fee(
    kitchen: Callable[..., Kitchen], order: Callable[..., Any], redis_client: redis.Redis[bytes]
) -> None:
    k = kitchen()
    redis_client.set(SURGE_PREFIX + surge_zone(k.city), "1.5", ex=60)
    response = order(k.rid, [{"item_id": k.item("Korma", 21000), "quantity": 1}])
    assert response.status_code == 201, response.text
    assert response.json()["delivery_fee_minor"] == 3000


def test_a_matching_sent_price_is_accepted_and_a_stale_one_is_a_price_changed_422(
    kitchen: Callable[..., Kitchen], order: Callable[..., Any], count_rows: Callable[[], dict[str, int]]
) -> None:
    k = kitchen()
    item = k.item("Butter Chicken", 30000)
    assert order(k.rid, [{"item_id": item, "quantity": 1, "unit_price_minor": 30000}]).status_code == 201
    before = count_rows()
    response = order(k.rid, [{"item_id": item, "quantity": 1, "unit_price_minor": 28000}])
    assert response.status_code == 422
    assert _field_errors(response) == ["lines[0].unit_price_minor"]
    assert "Price changed" in response.json()["errors"][0]["message"]
    assert count_rows() == before


def test_unknown_unavailable_and_other_restaurants_items_are_422s_naming_each_line(
    kitchen: Callable[..., Kitchen], order: Callable[..., Any], count_rows: Callable[[], dict[str, int]]
) -> None:
    k, other = kitchen(), kitchen()
    good = k.item("Roomali Roti", 3000)
    sold_out = k.item("Phirni", 9000, available=False)
    theirs = other.item("Chicken Jahangiri", 40000)
    before = count_rows()
    response = order(
        k.rid,
        [
            {"item_id": good, "quantity": 1},
            {"item_id": str(uuid.uuid4()), "quantity": 1},
            {"item_id": sold_out, "quantity": 1},
            {"item_id": theirs, "quantity": 1},
            {"item_id": "masala-dosa", "quantity": 1},
        ],
    )
    assert response.status_code == 422
    assert _field_errors(response) == [f"lines[{i}].item_id" for i in (1, 2, 3, 4)]
    assert count_rows() == before


@pytest.mark.parametrize(
    "restaurant",
    [
        pytest.param("not-a-uuid", id="malformed id"),
        pytest.param(str(uuid.uuid4()), id="unknown id"),
        pytest.param({"status": "INACTIVE"}, id="inactive restaurant"),
        pytest.param({"opening_hours": {}}, id="closed at this hour"),
    ],
)
def test_a_restaurant_that_does_not_exist_or_is_not_open_is_a_422_naming_restaurant_id(
    restaurant: str | dict[str, Any],
    kitchen: Callable[..., Kitchen],
    order: Callable[..., Any],
    count_rows: Callable[[], dict[str, int]],
) -> None:
    if isinstance(restaurant, dict):
        k = kitchen(**restaurant)
        rid, item = k.rid, k.item("Shahi Tukda", 12000)
    else:
        rid, item = restaurant, str(uuid.uuid4())
    before = count_rows()
    response = order(rid, [{"item_id": item, "quantity": 1}])
    assert response.status_code == 422, response.text
    assert _field_errors(response) == ["restaurant_id"]
    assert count_rows() == before


def test_a_delivery_location_off_the_globe_is_a_422_naming_the_coordinate(
    kitchen: Callable[..., Kitchen], order: Callable[..., Any]
) -> None:
    k = kitchen()
    response = order(
        k.rid, [{"item_id": k.item("Kheer", 8000), "quantity": 1}], delivery_location={"lat": 91, "lon": 0}
    )
    assert response.status_code == 422
    assert _field_errors(response) == ["delivery_location.lat"]


# --- Stock: reserved on accept, released on cancellation after it -----------------


def _stock(client: TestClient, k: Kitchen, item_id: str) -> int | None:
    menu = client.get(f"/api/v1/restaurants/{k.rid}/menu", headers=k.headers).json()
    items = [item for category in menu["categories"] for item in category["items"]] + menu["uncategorised"]
    stock: int | None = next(item["stock"] for item in items if item["item_id"] == item_id)
    return stock


def test_two_customers_racing_for_the_last_portion_let_exactly_one_accepted_order_have_it(
    client: TestClient, kitchen: Callable[..., Kitchen], order: Callable[..., Any]
) -> None:
    for _ in range(3):
        k = kitchen()
        last = k.item("Last Galouti Kebab", 26000, stock=1)
        assert _stock(client, k, last) == 1  # the menu is now cached: the accept must invalidate it
        placed = [order(k.rid, [{"item_id": last, "quantity": 1}]).json()["order_id"] for _ in range(2)]
        results: dict[str, Any] = {}
        barrier = threading.Barrier(2)

        def accept(
            order_id: str, barrier: threading.Barrier = barrier, k: Kitchen = k, results: dict[str, Any] = results
        ) -> None:
            barrier.wait()
            url = f"/api/v1/orders/{order_id}/accept"
            results[order_id] = client.post(url, json={"prep_time_minutes": 15}, headers=k.headers)

        threads = [threading.Thread(target=accept, args=(order_id,)) for order_id in placed]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert sorted(r.status_code for r in results.values()) == [200, 409]
        loser_id, loser = next((oid, r) for oid, r in results.items() if r.status_code == 409)
        assert _field_errors(loser) == ["lines[0].item_id"]
        assert client.get(f"/api/v1/orders/{loser_id}", headers=k.headers).json()["status"] == "PENDING"
        assert _stock(client, k, last) == 0


def test_cancelling_an_accepted_order_gives_its_portions_back_and_a_pending_one_has_none_to_give(
    client: TestClient, settings: ServingSettings, kitchen: Callable[..., Kitchen], order: Callable[..., Any]
) -> None:
    k = kitchen()
    thali, naan = k.item("Veg Thali", 22000, stock=5), k.item("Butter Naan", 4000)  # naan: untracked
    customer = f"cust-{uuid.uuid4().hex[:10]}"
    mine = {"Authorization": f"Bearer {issue_access_token(customer, Role.CUSTOMER, settings)}"}
    lines = [{"item_id": thali, "quantity": 3}, {"item_id": naan, "quantity": 2}]
    first = order(k.rid, lines, customer=customer).json()["order_id"]
    second = order(k.rid, lines, customer=customer).json()["order_id"]

    assert (
        client.post(f"/api/v1/orders/{first}/accept", json={"prep_time_minutes": 20}, headers=k.headers).status_code
        == 200
    )
    assert _stock(client, k, thali) == 2
    short = client.post(f"/api/v1/orders/{second}/accept", json={"prep_time_minutes": 20}, headers=k.headers)
    assert short.status_code == 409 and _field_errors(short) == ["lines[0].item_id"]

    assert client.post(f"/api/v1/orders/{second}/cancel", headers=mine).status_code == 200
    assert _stock(client, k, thali) == 2  # a PENDING order held nothing
    assert client.post(f"/api/v1/orders/{first}/cancel", headers=mine).status_code == 200
    assert _stock(client, k, thali) == 5
    assert _stock(client, k, naan) is None
