"""The orders service's wiring: what a placement hashes to, the transition routes the
table makes, and the workers the consumers root builds from the orders settings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from serving import consumers
from serving.app import create_app
from serving.orders import api as orders_api
from serving.orders.entrypoints.schemas import PlaceOrderRequest
from serving.settings import ServingSettings

CATALOG_PRICED = {
    "restaurant_id": "5b0e7c4e-3f7a-4a51-9a55-0d3c1c2b9e10",
    "lines": [{"item_id": "1f0e7c4e-3f7a-4a51-9a55-0d3c1c2b9e11", "quantity": 3}],
    "delivery_location": {"lat": 12.97, "lon": 77},
    "currency": "INR",
    "offer_code": "diwali20",
}
SEEN_PRICE = {
    **CATALOG_PRICED,
    "lines": [{"item_id": "1f0e7c4e-3f7a-4a51-9a55-0d3c1c2b9e11", "quantity": 3, "unit_price_minor": 4550}],
    "delivery_location": None,
    "offer_code": None,
}
# What these bodies hashed to when their keys were stored (the body model then also had a
# line ``name``, ``delivery_fee_minor`` and ``city``, as nulls or left out): a replay of
# such a key must match, or it is refused as a key reused for another request.
STORED = [
    (CATALOG_PRICED, "3e8f756676c117f36e64b15c1a6ebe7ad0054f4d64e5e0e2c39456ebb4790ab8"),
    ({**CATALOG_PRICED, "offer_code": None}, "cda02f86d5ca56cbd5fe400b73e7c80f94c82aa7fe68ee8106b81cb4c505277a"),
    (SEEN_PRICE, "63bfd765b3467ee8dbed0ede89a6095d413eb38fc2c5a94066576784e40be656"),
]


@pytest.mark.parametrize(("body", "stored"), STORED)
def test_a_placement_hashes_as_keys_were_stored_so_they_still_replay(body: dict[str, Any], stored: str) -> None:
    assert PlaceOrderRequest.model_validate(body).to_placement().fingerprint() == stored


def test_the_carts_placement_hashes_like_the_order_request_the_cart_used_to_build() -> None:
    cart_request = orders_api.PlacementRequest(
        restaurant_id=CATALOG_PRICED["restaurant_id"],
        lines=(orders_api.RequestedLine("1f0e7c4e-3f7a-4a51-9a55-0d3c1c2b9e11", 3),),
        delivery_location=orders_api.Location(12.97, 77.0),
        offer_code="DIWALI20",
    )
    assert cart_request.fingerprint() == STORED[0][1]
    assert cart_request.fingerprint() != STORED[1][1]


def test_the_transition_table_makes_the_same_routes_as_written_out_endpoints_did() -> None:
    paths = create_app(ServingSettings.of()).openapi()["paths"]
    expected = {
        "accept": ("accept_order", "AcceptRequest"),
        "reject": ("reject_order", "RejectRequest"),
        "preparing": ("start_preparing", None),
        "ready": ("mark_ready", None),
        "cancel": ("cancel_order", None),
    }
    for verb, (name, body) in expected.items():
        operation = paths[f"/api/v1/orders/{{order_id}}/{verb}"]["post"]
        assert operation["operationId"] == f"{name}_api_v1_orders__order_id__{verb}_post"
        assert [p["name"] for p in operation["parameters"]] == ["order_id"]
        assert {"200", "401", "403", "404", "409", "422"} <= set(operation["responses"])
        refs = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
        assert refs.get("$ref", "").rsplit("/", 1)[-1] == (body or "")
        assert operation.get("requestBody", {}).get("required", False) is (body is not None)


def test_the_consumers_root_builds_the_orders_workers_from_the_orders_settings() -> None:
    assert {"orders-saga", "accept-timeout"} <= set(consumers.CONSUMERS)
    settings = ServingSettings.of(order_accept_timeout_seconds=90, accept_timeout_sweep_interval_seconds=2.5)
    sweeper = consumers.CONSUMERS["accept-timeout"](settings, None)  # type: ignore[arg-type]
    assert sweeper.name == "accept-timeout"
    assert (sweeper._timeout, sweeper._interval) == (timedelta(seconds=90), 2.5)  # type: ignore[attr-defined]
