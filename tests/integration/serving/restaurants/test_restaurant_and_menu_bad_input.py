"""Bad input is a 422 problem naming the field, and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from serving.kernel.auth import Role

pytestmark = pytest.mark.stack


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"lat": 91}, "lat"),
        ({"lon": "east"}, "lon"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"status": "OPEN"}, "status"),
        ({"cuisines": ["a" * 41]}, "cuisines[0]"),
        ({"opening_hours": {"mon": [{"open": "25:00", "close": "23:00"}]}}, "opening_hours.mon[0].open"),
        ({"opening_hours": {"someday": []}}, "opening_hours.someday"),
        ({"owner_id": "someone-else"}, "owner_id"),
        ({"name": "bad\x00name"}, "name"),
    ],
)
def test_a_bad_restaurant_is_refused_naming_the_field(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    count_rows: Callable[[], dict[str, int]],
    overrides: dict[str, Any],
    field: str,
) -> None:
    body: dict[str, Any] = {"name": "Ok", "address": "Somewhere 1", "city": "Pune", "lat": 18.5, "lon": 73.8}
    body.update(overrides)
    before = count_rows()
    response = client.post("/api/v1/restaurants", json=body, headers=auth("owner-x", Role.RESTAURANT))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]
    assert count_rows() == before


# Names that are not zones: tzdata directories (ZoneInfo raised IsADirectoryError on them,
# a 500), files of the tz database that are no zone, the host's own "localtime", paths.
NOT_TIME_ZONES = ["Asia", "Europe", "Etc", "US", "Etc/", "Asia/", "../x", "", "posixrules", "right/UTC",
                  "posix/Asia/Kolkata", "localtime", "Asia/Kolkata/x", "Mars/Olympus"]  # fmt: skip


@pytest.mark.parametrize("timezone", NOT_TIME_ZONES)
def test_a_timezone_that_is_not_an_iana_zone_is_a_422_naming_it_on_create_and_change(
    new_owner: Callable[..., Any], count_rows: Callable[[], dict[str, int]], timezone: str
) -> None:
    owner = new_owner()
    before = count_rows()
    body = {"name": "Ok", "address": "Somewhere 1", "city": "Pune", "lat": 18.5, "lon": 73.8, "timezone": timezone}
    created = owner.client.post("/api/v1/restaurants", json=body, headers=owner.headers)
    changed = owner.client.patch(f"/api/v1/restaurants/{owner.rid}", json={"timezone": timezone}, headers=owner.headers)
    for response in (created, changed):
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == ["timezone"]
    assert count_rows() == before
    detail = owner.client.get(f"/api/v1/restaurants/{owner.rid}", headers=owner.headers).json()
    assert detail["timezone"] == "Asia/Kolkata"


@pytest.mark.parametrize("timezone", ["Asia/Kolkata", "Europe/London", "America/Argentina/Buenos_Aires", "UTC",
                                      "Etc/GMT-5"])  # fmt: skip
def test_an_iana_timezone_is_accepted(new_owner: Callable[..., Any], timezone: str) -> None:
    owner = new_owner(timezone=timezone)
    assert owner.restaurant["timezone"] == timezone


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Idli", "price_minor": -1, "is_veg": True}, "price_minor"),
        ({"name": "Idli", "price_minor": 12.5, "is_veg": True}, "price_minor"),
        ({"name": "Idli", "price_minor": "100", "is_veg": True}, "price_minor"),
        ({"name": "Idli", "price_minor": 100}, "is_veg"),
        ({"name": "Idli", "price_minor": 100, "is_veg": "yes"}, "is_veg"),
        ({"name": "Idli", "price_minor": 100, "is_veg": True, "stock": -3}, "stock"),
        ({"name": "Idli", "price_minor": 100, "is_veg": True, "photo_url": "javascript:alert(1)"}, "photo_url"),
        ({"name": "Idli", "price_minor": 100, "is_veg": True, "category_id": "00000000-0000-4000-8000-000000000000"},
         "category_id"),
        ({"price_minor": 100, "is_veg": True}, "name"),
    ],
)  # fmt: skip
def test_a_bad_menu_item_is_refused_naming_the_field(
    new_owner: Callable[..., Any], count_rows: Callable[[], dict[str, int]], body: dict[str, Any], field: str
) -> None:
    owner = new_owner()
    before = count_rows()
    response = owner.client.post(f"/api/v1/restaurants/{owner.rid}/menu/items", json=body, headers=owner.headers)
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert count_rows() == before


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"price_minor": None}, "price_minor"),
        ({"available": None}, "available"),
        ({"price_minor": 10**9}, "price_minor"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_a_bad_item_change_is_refused_and_changes_nothing(
    new_owner: Callable[..., Any], count_rows: Callable[[], dict[str, int]], patch: dict[str, Any], field: str
) -> None:
    owner = new_owner()
    item = owner.add_item()
    before = count_rows()
    url = f"/api/v1/restaurants/{owner.rid}/menu/items/{item['item_id']}"
    response = owner.client.patch(url, json=patch, headers=owner.headers)
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert count_rows() == before
    menu = owner.client.get(f"/api/v1/restaurants/{owner.rid}/menu", headers=owner.headers).json()
    assert menu["uncategorised"][0]["price_minor"] == item["price_minor"]


def test_stock_can_be_cleared_to_untracked_with_an_explicit_null(new_owner: Callable[..., Any]) -> None:
    owner = new_owner()
    item = owner.add_item(stock=5)
    url = f"/api/v1/restaurants/{owner.rid}/menu/items/{item['item_id']}"
    response = owner.client.patch(url, json={"stock": None}, headers=owner.headers)
    assert response.status_code == 200
    assert response.json()["stock"] is None


def test_a_malformed_id_or_body_is_a_422_not_a_500(new_owner: Callable[..., Any]) -> None:
    owner = new_owner()
    bad_id = owner.client.get("/api/v1/restaurants/not-a-uuid", headers=owner.headers)
    assert bad_id.status_code == 422
    assert bad_id.json()["errors"][0]["field"] == "restaurant_id"
    not_json = owner.client.post(
        f"/api/v1/restaurants/{owner.rid}/menu/items",
        content=b"{not json",
        headers={**owner.headers, "Content-Type": "application/json"},
    )
    assert not_json.status_code == 422
    assert not_json.json()["errors"][0]["field"] == "body"


def test_duplicate_category_names_are_refused(new_owner: Callable[..., Any]) -> None:
    owner = new_owner()
    url = f"/api/v1/restaurants/{owner.rid}/menu/categories"
    assert owner.client.post(url, json={"name": "Dosas"}, headers=owner.headers).status_code == 201
    again = owner.client.post(url, json={"name": "dosas"}, headers=owner.headers)
    assert again.status_code == 422
    assert again.json()["errors"][0]["field"] == "name"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
FIELDS = st.sampled_from(
    ["name", "address", "city", "lat", "lon", "cuisines", "timezone", "opening_hours", "status",
     "price_minor", "is_veg", "stock", "photo_url", "available", "category_id", "description"]
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.dictionaries(FIELDS, JSON, max_size=8) | JSON)
def test_no_fuzzed_body_causes_a_500(new_owner: Callable[..., Any], body: Any) -> None:
    owner = new_owner()
    base = f"/api/v1/restaurants/{owner.rid}"
    item = owner.add_item()
    for method, url in (
        ("POST", "/api/v1/restaurants"),
        ("PATCH", base),
        ("POST", f"{base}/menu/items"),
        ("PATCH", f"{base}/menu/items/{item['item_id']}"),
        ("POST", f"{base}/menu/categories"),
    ):
        response = owner.client.request(method, url, json=body, headers=owner.headers)
        assert response.status_code < 500, (method, url, body, response.text)
