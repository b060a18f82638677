"""Fixtures for the restaurants API tests: the app on a migrated database with the test
Redis, helpers that create restaurants and items through the API, orders walked to a
status through the orders API, and row counters."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from ops.stack.config import StackConfig
from serving.kernel.auth import Role
from serving.restaurants.adapters.tables import menu_categories, menu_items, outbox, restaurants, reviews
from serving.settings import ServingSettings
from tests.utils.people import auth_for
from tests.utils.rows import row_counts
from tests.utils.settings import settings_for


@pytest.fixture(scope="module")
def settings(database_url: str, stack: StackConfig) -> ServingSettings:
    return settings_for(
        database_url,
        stack,
        "restaurants-test",
        rate_limit_enabled=False,  # these tests fire many requests as one user
    )


@pytest.fixture(scope="module")
def auth(settings: ServingSettings) -> Callable[..., dict[str, str]]:
    return auth_for(settings)


def restaurant_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Dakshin Tiffin Room",
        "address": "12 MG Road, Bengaluru",
        "city": "Bengaluru",
        "lat": 12.9756,
        "lon": 77.6050,
        "cuisines": ["South Indian"],
        "opening_hours": {day: [{"open": "00:00", "close": "00:00"}] for day in
                          ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    }  # fmt: skip
    body.update(overrides)
    return body


def item_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": "Masala Dosa", "price_minor": 12000, "is_veg": True, "stock": 10}
    body.update(overrides)
    return body


class Owner:
    """A restaurant account with one restaurant, driving the API."""

    def __init__(self, client: TestClient, auth: Callable[..., dict[str, str]], **overrides: Any) -> None:
        self.client = client
        self.id = f"owner-{uuid.uuid4().hex[:10]}"
        self.headers = auth(self.id, Role.RESTAURANT)
        response = client.post("/api/v1/restaurants", json=restaurant_body(**overrides), headers=self.headers)
        assert response.status_code == 201, response.text
        self.restaurant: dict[str, Any] = response.json()
        self.rid: str = self.restaurant["restaurant_id"]

    def add_item(self, **overrides: Any) -> dict[str, Any]:
        response = self.client.post(
            f"/api/v1/restaurants/{self.rid}/menu/items", json=item_body(**overrides), headers=self.headers
        )
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result


@pytest.fixture
def new_owner(client: TestClient, auth: Callable[..., dict[str, str]]) -> Callable[..., Owner]:
    return lambda **overrides: Owner(client, auth, **overrides)


@pytest.fixture
def count_rows(engine: Engine) -> Callable[[], dict[str, int]]:
    return lambda: row_counts(engine, (restaurants, menu_categories, menu_items, outbox, reviews))


# The order lifecycle's main line; an admin may apply every move of it.
LIFECYCLE = ["PENDING", "ACCEPTED", "PREPARING", "READY", "ASSIGNED", "PICKED", "OUT_FOR_DELIVERY", "DELIVERED",
             "COMPLETED"]  # fmt: skip


@pytest.fixture(scope="module")
def order_at(client: TestClient, auth: Callable[..., dict[str, str]]) -> Callable[..., str]:
    """``order_at(restaurant_id, customer, status="DELIVERED")`` -> the id of a new order of
    that customer at that restaurant, placed and walked to ``status`` through the orders API
    (``CANCELLED``: cancelled by the customer while PENDING). It orders a dosa, which the
    restaurant's owner puts on its menu (stock not tracked) before its first order."""
    admin = auth("ops-admin", Role.ADMIN)
    dosas: dict[str, str] = {}  # restaurant id -> its dosa's item id

    def dosa(restaurant_id: str) -> str:
        if restaurant_id not in dosas:
            owner = client.get(f"/api/v1/restaurants/{restaurant_id}", headers=admin).json()["owner_id"]
            url = f"/api/v1/restaurants/{restaurant_id}/menu/items"
            body = item_body(name="Order-at Dosa", stock=None)
            added = client.post(url, json=body, headers=auth(owner, Role.RESTAURANT))
            assert added.status_code == 201, added.text
            dosas[restaurant_id] = added.json()["item_id"]
        return dosas[restaurant_id]

    def place(restaurant_id: str, customer: str, status: str = "DELIVERED") -> str:
        body = {"restaurant_id": restaurant_id, "lines": [{"item_id": dosa(restaurant_id), "quantity": 1}],
                "currency": "INR"}  # fmt: skip
        placed = client.post("/api/v1/orders", json=body, headers=auth(customer))
        assert placed.status_code == 201, placed.text
        order_id: str = placed.json()["order_id"]
        if status == "CANCELLED":
            cancelled = client.post(f"/api/v1/orders/{order_id}/cancel", headers=auth(customer))
            assert cancelled.status_code == 200, cancelled.text
            return order_id
        for step in LIFECYCLE[1 : LIFECYCLE.index(status) + 1]:
            move: dict[str, Any] = {"status": step}
            if step == "ACCEPTED":
                move["prep_time_minutes"] = 10
            moved = client.post(f"/api/v1/orders/{order_id}/status", json=move, headers=admin)
            assert moved.status_code == 200, moved.text
        return order_id

    return place
