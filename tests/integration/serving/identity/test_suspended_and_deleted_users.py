"""A token whose user was suspended or deleted is refused at once (401), through a
denylist entry the operator command writes; development tokens for subjects that are
no identity user keep working."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

import pytest
import redis
from fastapi.testclient import TestClient

from serving.kernel.auth import Role, issue_access_token
from serving.settings import ServingSettings
from tests.utils.people import PASSWORD, User
from tests.utils.processes import run_module

pytestmark = pytest.mark.stack


@pytest.fixture
def operator(settings: ServingSettings) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``operator("suspend", "--email", …)``: the identity CLI, as an operator runs it."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = {"TIFFIN_DATABASE_URL": settings.database_url, "TIFFIN_REDIS_URL": settings.redis_url}
        return run_module("serving.identity", *args, env=env)

    return run


def login(client: TestClient, user: User) -> int:
    return client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}).status_code


def test_a_suspended_users_tokens_logins_and_refreshes_are_refused_until_reinstated(
    client: TestClient,
    new_user: Callable[..., User],
    operator: Callable[..., subprocess.CompletedProcess[str]],
    redis_client: redis.Redis[bytes],
) -> None:
    user, other = new_user(), new_user()
    assert client.get("/api/v1/users/me", headers=user.headers).status_code == 200

    suspended = operator("suspend", "--email", user.email.upper())
    assert suspended.returncode == 0, suspended.stderr

    me = client.get("/api/v1/users/me", headers=user.headers)
    assert me.status_code == 401 and me.json()["errors"][0]["field"] == "Authorization"
    assert login(client, user) == 401
    refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": user.refresh_token})
    assert refresh.status_code == 401
    assert client.get("/api/v1/users/me", headers=other.headers).status_code == 200  # only that user
    # The denylist entry outlives no token: at most an access token's lifetime.
    assert 0 < redis_client.ttl(f"tiffin:auth:denied-sub:{user.user_id}") <= 901

    reinstated = operator("reinstate", "--user-id", user.user_id)
    assert reinstated.returncode == 0, reinstated.stderr
    tokens = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    assert tokens.status_code == 200
    headers = {"Authorization": f"Bearer {tokens.json()['access_token']}"}
    assert client.get("/api/v1/users/me", headers=headers).status_code == 200


def test_a_deleted_users_token_is_refused_and_the_account_is_gone(
    client: TestClient, new_user: Callable[..., User], operator: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    user = new_user()
    deleted = operator("delete-user", "--user-id", user.user_id)
    assert deleted.returncode == 0, deleted.stderr

    assert client.get("/api/v1/users/me", headers=user.headers).status_code == 401
    assert client.post("/api/v1/auth/logout", headers=user.headers).status_code == 401
    assert login(client, user) == 401
    assert client.post("/api/v1/auth/refresh", json={"refresh_token": user.refresh_token}).status_code == 401
    again = operator("delete-user", "--user-id", user.user_id)
    assert again.returncode == 1 and "no such user" in again.stderr


def test_development_tokens_for_subjects_that_are_no_user_keep_working(
    client: TestClient, settings: ServingSettings, operator: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    token = issue_access_token("cust-1", Role.CUSTOMER, settings)  # what `tiffin token cust-1` mints
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/users/me", headers=headers).status_code == 404  # accepted; just no profile
    assert client.get("/api/v1/orders", headers=headers).status_code == 200

    unknown = operator("suspend", "--email", "nobody-at-all@example.com")
    assert unknown.returncode == 1 and "no such user" in unknown.stderr
