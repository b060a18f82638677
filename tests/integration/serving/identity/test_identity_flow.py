import uuid
from collections.abc import Callable

import jwt
import pytest
from fastapi.testclient import TestClient

from serving.kernel.auth import Role
from serving.settings import ServingSettings
from tests.utils.people import PASSWORD, User, unique_email, unique_phone

pytestmark = pytest.mark.stack


def test_register_login_me_refresh_logout_is_one_working_session(client: TestClient, settings: ServingSettings) -> None:
    email, phone = unique_email(), unique_phone()
    registered = client.post(
        "/api/v1/auth/register",
        json={"email": email, "phone": phone, "password": PASSWORD, "name": "Asha Rao", "role": "COURIER"},
    )
    assert registered.status_code == 201, registered.text
    user = registered.json()
    assert user["email"] == email.lower() and user["role"] == "COURIER" and "password" not in registered.text

    by_phone = client.post("/api/v1/auth/login", json={"phone": phone, "password": PASSWORD})
    login = client.post("/api/v1/auth/login", json={"email": email.upper(), "password": PASSWORD})
    assert by_phone.status_code == login.status_code == 200
    tokens = login.json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == settings.access_token_ttl_seconds
    claims = jwt.decode(tokens["access_token"], settings.jwt_secret, algorithms=["HS256"])
    assert claims["sub"] == user["user_id"] and claims["role"] == "COURIER" and claims["jti"]

    me = client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.status_code == 200 and me.json() == user

    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.text
    new = refreshed.json()
    assert new["refresh_token"] != tokens["refresh_token"] and new["access_token"] != tokens["access_token"]
    new_headers = {"Authorization": f"Bearer {new['access_token']}"}
    assert client.get("/api/v1/users/me", headers=new_headers).status_code == 200

    assert client.post("/api/v1/auth/logout", headers=new_headers).status_code == 204
    after = client.get("/api/v1/users/me", headers=new_headers)
    assert after.status_code == 401 and after.headers["content-type"] == "application/problem+json"
    # The logout revoked the whole login: its refresh token is dead too.
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": new["refresh_token"]}).status_code == 401


def test_a_logged_out_access_token_is_refused_everywhere_but_other_sessions_live_on(
    client: TestClient, new_user: Callable[..., User]
) -> None:
    user = new_user()
    other_session = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}).json()

    assert client.post("/api/v1/auth/logout", headers=user.headers).status_code == 204

    assert client.get("/api/v1/users/me", headers=user.headers).status_code == 401
    assert client.get("/api/v1/users/me/addresses", headers=user.headers).status_code == 401
    assert client.post("/api/v1/auth/logout", headers=user.headers).status_code == 401
    other = {"Authorization": f"Bearer {other_session['access_token']}"}
    assert client.get("/api/v1/users/me", headers=other).status_code == 200
    assert (
        client.post("/api/v1/auth/refresh", json={"refresh_token": other_session["refresh_token"]}).status_code == 200
    )


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(
    client: TestClient, new_user: Callable[..., User]
) -> None:
    user = new_user()
    first = client.post("/api/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    assert first.status_code == 200
    successor = first.json()["refresh_token"]

    replay = client.post("/api/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    assert replay.status_code == 401
    assert replay.json()["errors"][0]["field"] == "refresh_token"
    # The thief's replay also kills the legitimate client's newer token: both must log in.
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": successor}).status_code == 401


def test_an_unknown_user_and_a_wrong_password_get_the_same_401(
    client: TestClient, new_user: Callable[..., User]
) -> None:
    user = new_user()
    wrong_password = client.post("/api/v1/auth/login", json={"email": user.email, "password": "not-the-password"})
    unknown = client.post("/api/v1/auth/login", json={"email": unique_email(), "password": PASSWORD})
    unknown_phone = client.post("/api/v1/auth/login", json={"phone": unique_phone(), "password": PASSWORD})

    assert wrong_password.status_code == unknown.status_code == unknown_phone.status_code == 401
    assert wrong_password.json() == unknown.json() == unknown_phone.json()


def test_a_refresh_token_that_never_existed_is_a_401(client: TestClient) -> None:
    response = client.post("/api/v1/auth/refresh", json={"refresh_token": uuid.uuid4().hex})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_a_user_can_change_name_email_and_phone_but_not_role(client: TestClient, new_user: Callable[..., User]) -> None:
    user = new_user()
    email, phone = unique_email("renamed"), unique_phone()
    changed = client.patch(
        "/api/v1/users/me", json={"name": "New Name", "email": email, "phone": phone}, headers=user.headers
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["email"] == email.lower() and changed.json()["phone"] == phone

    for body, field in (({"role": "ADMIN"}, "role"), ({"name": None}, "name"), ({"email": "nope"}, "email")):
        response = client.patch("/api/v1/users/me", json=body, headers=user.headers)
        assert response.status_code == 422, body
        assert [e["field"] for e in response.json()["errors"]] == [field]
    assert client.get("/api/v1/users/me", headers=user.headers).json()["role"] == Role.CUSTOMER.value
