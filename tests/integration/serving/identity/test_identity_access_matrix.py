"""Every identity route, for every role, against a foreign user of the same role."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from serving.kernel.auth import Role
from tests.utils.people import ADDRESS, User

pytestmark = pytest.mark.stack


@dataclass
class Pair:
    me: User
    foreign: User
    my_address: str
    foreign_address: str


@pytest.fixture(scope="module", params=list(Role), ids=lambda role: role.value)
def pair(request: pytest.FixtureRequest, client: TestClient, new_user: Callable[..., User]) -> Pair:
    role: Role = request.param
    me, foreign = new_user(role), new_user(role)

    def address(user: User) -> str:
        response = client.post("/api/v1/users/me/addresses", json=ADDRESS, headers=user.headers)
        assert response.status_code == 201, response.text
        return str(response.json()["address_id"])

    return Pair(me, foreign, address(me), address(foreign))


def test_without_a_token_every_identity_route_but_register_login_refresh_is_401(client: TestClient, pair: Pair) -> None:
    routes = [
        ("GET", "/api/v1/users/me"),
        ("PATCH", "/api/v1/users/me"),
        ("GET", "/api/v1/users/me/addresses"),
        ("POST", "/api/v1/users/me/addresses"),
        ("GET", f"/api/v1/users/me/addresses/{pair.my_address}"),
        ("PATCH", f"/api/v1/users/me/addresses/{pair.my_address}"),
        ("DELETE", f"/api/v1/users/me/addresses/{pair.my_address}"),
        ("GET", f"/api/v1/users/{pair.me.user_id}"),
        ("POST", "/api/v1/auth/logout"),
    ]
    for method, path in routes:
        response = client.request(method, path, json={})
        assert response.status_code == 401, (method, path)
        assert response.headers["www-authenticate"].startswith("Bearer")


def test_me_is_always_the_caller(client: TestClient, pair: Pair) -> None:
    assert client.get("/api/v1/users/me", headers=pair.me.headers).json()["user_id"] == pair.me.user_id
    assert client.get("/api/v1/users/me", headers=pair.foreign.headers).json()["user_id"] == pair.foreign.user_id


def test_a_user_lists_only_their_own_addresses(client: TestClient, pair: Pair) -> None:
    listed = client.get("/api/v1/users/me/addresses", headers=pair.me.headers).json()
    assert [a["address_id"] for a in listed] == [pair.my_address]


def test_another_users_address_is_404_for_read_change_and_delete_and_stays_unchanged(
    client: TestClient, pair: Pair
) -> None:
    path = f"/api/v1/users/me/addresses/{pair.foreign_address}"
    missing = client.get(f"/api/v1/users/me/addresses/{uuid.uuid4()}", headers=pair.me.headers)
    read = client.get(path, headers=pair.me.headers)
    changed = client.patch(path, json={"label": "Mine now"}, headers=pair.me.headers)
    deleted = client.delete(path, headers=pair.me.headers)

    assert read.status_code == changed.status_code == deleted.status_code == missing.status_code == 404
    assert read.json()["type"] == missing.json()["type"]
    own = client.get(path, headers=pair.foreign.headers)
    assert own.status_code == 200 and own.json()["label"] == ADDRESS["label"]


def test_only_admins_read_users_by_id_and_everyone_else_gets_404(client: TestClient, pair: Pair) -> None:
    existing = (pair.foreign.user_id, pair.me.user_id)
    for target in (*existing, str(uuid.uuid4())):
        response = client.get(f"/api/v1/users/{target}", headers=pair.me.headers)
        expected = 200 if pair.me.role is Role.ADMIN and target in existing else 404
        assert response.status_code == expected, (pair.me.role, target)
        if expected == 200:
            assert response.json()["user_id"] == target


def test_a_user_manages_their_own_addresses_and_keeps_one_default(client: TestClient, pair: Pair) -> None:
    headers = pair.me.headers
    second = client.post(
        "/api/v1/users/me/addresses", json={**ADDRESS, "label": "Work", "is_default": True}, headers=headers
    )
    assert second.status_code == 201
    second_id = second.json()["address_id"]
    made_default = client.patch(
        f"/api/v1/users/me/addresses/{pair.my_address}", json={"is_default": True}, headers=headers
    )
    assert made_default.status_code == 200 and made_default.json()["is_default"] is True

    listed = client.get("/api/v1/users/me/addresses", headers=headers).json()
    assert [a["address_id"] for a in listed if a["is_default"]] == [pair.my_address]

    assert client.delete(f"/api/v1/users/me/addresses/{second_id}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/users/me/addresses/{second_id}", headers=headers).status_code == 404
