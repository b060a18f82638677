"""Restaurants with menus in the catalogue, for tests that place orders.

Every order is priced by the server from the restaurant's menu, so a test that orders
first needs a restaurant and dishes. ``Kitchen`` opens one through the restaurants
HTTP API as its owner (open all day, so no test depends on the hour) and keeps the
ids and the prices it was given: a test orders by item id and works out the total it
expects from prices it chose itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from serving.kernel.auth import Role, issue_access_token
from serving.settings import ServingSettings

ALL_DAY = {day: [{"open": "00:00", "close": "00:00"}] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
CONNAUGHT_PLACE = {"lat": 28.6315, "lon": 77.2167}


class Kitchen:
    """A restaurant open all day, its owner, and the dishes a test put on its menu.

    ``menu`` maps dish names to prices in minor units (stock not tracked). The city is
    the kitchen's own unless given, so a surge a test sets on it reaches no other test.
    ``client`` is a TestClient or an ``httpx.Client`` of a live server; ``settings``
    sign the owner's token. ``restaurant`` overrides fields of the POST body.
    """

    def __init__(
        self,
        client: httpx.Client,
        settings: ServingSettings,
        *,
        menu: Mapping[str, int] | None = None,
        owner: str | None = None,
        **restaurant: Any,
    ) -> None:
        self.client = client
        self.owner = owner or f"owner-{uuid.uuid4().hex[:10]}"
        self.headers = {"Authorization": f"Bearer {issue_access_token(self.owner, Role.RESTAURANT, settings)}"}
        body: dict[str, Any] = {
            "name": "Test Kitchen", "address": "1 Janpath", "city": f"Kitchenpur-{uuid.uuid4().hex[:6]}",
            **CONNAUGHT_PLACE, "cuisines": ["North Indian"], "opening_hours": ALL_DAY, **restaurant,
        }  # fmt: skip
        response = client.post("/api/v1/restaurants", json=body, headers=self.headers)
        assert response.status_code == 201, response.text
        self.rid: str = response.json()["restaurant_id"]
        self.city: str = response.json()["city"]
        self.offers_url = f"/api/v1/restaurants/{self.rid}/offers"
        self.ids: dict[str, str] = {}  # dish name -> item id
        self.prices: dict[str, int] = {}  # dish name -> price in minor units
        for name, price in (menu or {}).items():
            self.item(name, price)

    def item(self, name: str, price_minor: int, **overrides: Any) -> str:
        """Put a dish on the menu (``overrides``: ``stock``, ``available``, …); its item id."""
        body = {"name": name, "price_minor": price_minor, "is_veg": True, **overrides}
        response = self.client.post(f"/api/v1/restaurants/{self.rid}/menu/items", json=body, headers=self.headers)
        assert response.status_code == 201, response.text
        item_id: str = response.json()["item_id"]
        self.ids[name], self.prices[name] = item_id, price_minor
        return item_id

    def set_item(self, item_id: str, **changes: Any) -> None:
        """Change a dish as its owner (``price_minor``, ``available``, ``stock``, …)."""
        url = f"/api/v1/restaurants/{self.rid}/menu/items/{item_id}"
        response = self.client.patch(url, json=changes, headers=self.headers)
        assert response.status_code == 200, response.text

    def offer(self, code: str, **fields: Any) -> dict[str, Any]:
        """A discount code of the restaurant: 20 % off for 30 days unless ``fields`` say otherwise."""
        valid_until = (datetime.now(UTC) + timedelta(days=30)).isoformat()
        body = {"code": code, "kind": "PERCENTAGE", "value": 2000, "valid_until": valid_until, **fields}
        response = self.client.post(self.offers_url, json=body, headers=self.headers)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    def lines(self, quantities: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
        """Order lines of these dishes by name (default: one of every dish)."""
        wanted = quantities if quantities is not None else dict.fromkeys(self.ids, 1)
        return [{"item_id": self.ids[name], "quantity": quantity} for name, quantity in wanted.items()]

    def order_body(self, quantities: Mapping[str, int] | None = None, **overrides: Any) -> dict[str, Any]:
        """A POST /api/v1/orders body for these dishes; ``overrides`` replace or add fields."""
        return {"restaurant_id": self.rid, "lines": self.lines(quantities), "currency": "INR", **overrides}

    def subtotal(self, quantities: Mapping[str, int]) -> int:
        """What these dishes cost at the prices the test set, before tax and fees."""
        return sum(self.prices[name] * quantity for name, quantity in quantities.items())
