"""Who may do what: owners manage their own restaurant and menu; others get 404 or 403."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from serving.kernel.auth import Role
from serving.restaurants.adapters.cache.restaurant_cache import info_key

pytestmark = pytest.mark.stack


def test_a_restaurant_account_opens_a_restaurant_it_owns(client: TestClient, new_owner: Callable[..., Any]) -> None:
    owner = new_owner()
    assert owner.restaurant["owner_id"] == owner.id
    assert owner.restaurant["status"] == "ACTIVE"
    assert owner.restaurant["is_open_now"] is True  # open 00:00-00:00 every day


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.COURIER, Role.ADMIN])
def test_only_restaurant_accounts_may_open_a_restaurant(
    client: TestClient, auth: Callable[..., dict[str, str]], role: Role, count_rows: Callable[[], dict[str, int]]
) -> None:
    before = count_rows()
    response = client.post("/api/v1/restaurants", json={"name": "x"}, headers=auth("someone", role))
    assert response.status_code == 403
    assert count_rows() == before


def test_anyone_signed_in_reads_a_restaurant_and_its_menu(
    client: TestClient, auth: Callable[..., dict[str, str]], new_owner: Callable[..., Any]
) -> None:
    owner = new_owner()
    item = owner.add_item()
    rid = owner.rid
    for role in Role:
        headers = auth(f"reader-{role.value}", role)
        assert client.get(f"/api/v1/restaurants/{rid}", headers=headers).status_code == 200
        menu = client.get(f"/api/v1/restaurants/{rid}/menu", headers=headers)
        assert menu.status_code == 200
        assert [i["item_id"] for i in menu.json()["uncategorised"]] == [item["item_id"]]
    assert client.get(f"/api/v1/restaurants/{rid}").status_code == 401


# The CRUD matrix: (who, expected status) for every owner-only write.
MATRIX = [("owner", 2), ("foreign_owner", 404), ("customer", 403), ("courier", 403), ("admin", 403)]


@pytest.mark.parametrize(("who", "expected"), MATRIX)
def test_only_the_owner_manages_menu_items(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    new_owner: Callable[..., Any],
    who: str,
    expected: int,
) -> None:
    owner = new_owner()
    rid = owner.rid
    item = owner.add_item()
    headers = {
        "owner": owner.headers,
        "foreign_owner": new_owner().headers,
        "customer": auth("c-1", Role.CUSTOMER),
        "courier": auth("k-1", Role.COURIER),
        "admin": auth("a-1", Role.ADMIN),
    }[who]
    base = f"/api/v1/restaurants/{rid}/menu"
    responses = [
        client.post(f"{base}/items", json={"name": "Vada", "price_minor": 5000, "is_veg": True}, headers=headers),
        client.patch(f"{base}/items/{item['item_id']}", json={"price_minor": 13000}, headers=headers),
        client.post(f"{base}/categories", json={"name": "Breakfast"}, headers=headers),
        client.delete(f"{base}/items/{item['item_id']}", headers=headers),
    ]
    for response in responses:
        assert response.status_code // 100 == 2 if expected == 2 else response.status_code == expected, (
            response.request.method, response.request.url, response.status_code, response.text,
        )  # fmt: skip
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(("who", "expected"), [("owner", 200), ("admin", 200), ("foreign_owner", 404),
                                               ("customer", 403), ("courier", 403)])  # fmt: skip
def test_the_owner_or_an_admin_edits_restaurant_details(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    new_owner: Callable[..., Any],
    who: str,
    expected: int,
) -> None:
    owner = new_owner()
    headers = {
        "owner": owner.headers,
        "foreign_owner": new_owner().headers,
        "customer": auth("c-1", Role.CUSTOMER),
        "courier": auth("k-1", Role.COURIER),
        "admin": auth("a-1", Role.ADMIN),
    }[who]
    response = client.patch(f"/api/v1/restaurants/{owner.rid}", json={"status": "INACTIVE"}, headers=headers)
    assert response.status_code == expected, response.text
    if expected == 200:
        assert response.json()["status"] == "INACTIVE"
        assert response.json()["is_open_now"] is False


def test_an_item_of_another_restaurant_is_not_found_even_for_an_owner(new_owner: Callable[..., Any]) -> None:
    first, second = new_owner(), new_owner()
    item = first.add_item()
    # The second owner addresses the first restaurant's item through their own restaurant.
    response = second.client.patch(
        f"/api/v1/restaurants/{second.rid}/menu/items/{item['item_id']}",
        json={"price_minor": 1},
        headers=second.headers,
    )
    assert response.status_code == 404


def test_unknown_restaurants_are_404(client: TestClient, auth: Callable[..., dict[str, str]]) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/api/v1/restaurants/{missing}", headers=auth("c")).status_code == 404
    assert client.get(f"/api/v1/restaurants/{missing}/menu", headers=auth("c")).status_code == 404


def test_only_the_owner_and_admins_see_who_owns_a_restaurant_whether_read_fresh_or_from_the_cache(
    client: TestClient,
    auth: Callable[..., dict[str, str]],
    new_owner: Callable[..., Any],
    redis_client: redis.Redis[bytes],
) -> None:
    owner, rival = new_owner(), new_owner()
    url = f"/api/v1/restaurants/{owner.rid}"
    admin = auth("ops-admin", Role.ADMIN)
    blind = [auth("cust-reader", Role.CUSTOMER), auth("courier-reader", Role.COURIER), rival.headers]
    sighted = [owner.headers, admin]
    # Each reader order once with an empty cache: whoever fills it, the others read Redis's copy.
    for readers in (blind + sighted, sighted + blind):
        redis_client.delete(info_key(owner.rid))
        for position, headers in enumerate(readers):
            response = client.get(url, headers=headers)
            assert response.status_code == 200, response.text
            assert redis_client.exists(info_key(owner.rid)), "the first read fills the cache, the rest read it"
            if headers in sighted:
                assert response.json()["owner_id"] == owner.id, position
            else:
                assert response.json()["owner_id"] is None, position
                assert owner.id not in response.text
    patched = client.patch(url, json={"name": "Dakshin Tiffin House"}, headers=admin)
    assert patched.status_code == 200 and patched.json()["owner_id"] == owner.id


def test_search_hits_do_not_name_the_owner(
    client: TestClient, auth: Callable[..., dict[str, str]], new_owner: Callable[..., Any]
) -> None:
    word = f"ownerless{uuid.uuid4().hex[:8]}"
    owner = new_owner(name=f"Tiffin {word}")
    owner.add_item(name=f"Dosa {word}")
    for path in ("restaurants", "items"):
        response = client.get(f"/api/v1/search/{path}", params={"q": word}, headers=auth("cust-searcher"))
        assert response.status_code == 200 and response.json(), response.text
        assert owner.id not in response.text and "owner_id" not in response.text
