"""Per-account login throttle: failed logins from any number of addresses lock the
account (429 + Retry-After, even for the right password); the lock expires by itself,
an operator can lift it, and a successful login resets the count."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from serving.app import create_app
from serving.settings import ServingSettings
from tests.utils.people import PASSWORD, User
from tests.utils.processes import run_module

pytestmark = pytest.mark.stack

WRONG = "not the password at all"


@pytest.fixture
def clients_from(settings: ServingSettings) -> Iterator[Callable[..., list[TestClient]]]:
    """``clients_from(count, **settings)`` -> clients of ONE app, each from its own IP
    (the gateway's client address is the connection's peer)."""
    with ExitStack() as stack:

        def make(count: int, **overrides: Any) -> list[TestClient]:
            options = {"service_name": f"lockout-{uuid.uuid4().hex[:6]}", **overrides}
            app = create_app(settings.changed(**options))
            return [
                stack.enter_context(TestClient(app, client=(f"203.0.113.{i + 1}", 40_000 + i))) for i in range(count)
            ]

        yield make


def login(client: TestClient, email: str, password: str) -> httpx.Response:
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def assert_locked(response: httpx.Response) -> int:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:tiffin:problem:login-locked"
    assert body["errors"][0]["field"] in ("email", "phone")
    return int(response.headers["retry-after"])


def test_75_wrong_passwords_from_5_addresses_lock_the_account_even_for_the_right_password(
    clients_from: Callable[..., list[TestClient]], new_user: Callable[..., User]
) -> None:
    victim, bystander = new_user(), new_user()
    clients = clients_from(5)  # default lockout settings; per-IP limits out of reach (15 tries per address)

    answers = [login(clients[i % 5], victim.email.upper(), WRONG).status_code for i in range(75)]
    right = login(clients[0], victim.email, PASSWORD)

    assert answers[:10] == [401] * 10 and set(answers[10:]) == {429}  # 10 failures, then locked
    retry_after = assert_locked(right)
    assert 1 <= retry_after <= 900
    assert login(clients[1], bystander.email, PASSWORD).status_code == 200  # per account, not per address


def test_the_lock_expires_by_itself(
    clients_from: Callable[..., list[TestClient]], new_user: Callable[..., User]
) -> None:
    user = new_user()
    first, second = clients_from(2, login_max_failures=3, login_lockout_seconds=2)
    assert [login(first, user.email, WRONG).status_code for _ in range(3)] == [401, 401, 401]

    retry_after = assert_locked(login(second, user.email, PASSWORD))
    assert retry_after <= 2
    time.sleep(retry_after + 0.2)
    assert login(second, user.email, PASSWORD).status_code == 200


def test_an_operator_lifts_the_lock_with_the_identity_cli(
    clients_from: Callable[..., list[TestClient]], new_user: Callable[..., User], settings: ServingSettings
) -> None:
    user = new_user()
    service_name = f"lockout-{uuid.uuid4().hex[:6]}"
    (client,) = clients_from(1, service_name=service_name, login_max_failures=2)
    assert [login(client, user.email, WRONG).status_code for _ in range(2)] == [401, 401]
    assert_locked(login(client, user.email, PASSWORD))

    unlock = run_module(
        "serving.identity",
        "unlock",
        "--email",
        user.email.upper(),
        env={
            "TIFFIN_REDIS_URL": settings.redis_url,
            "TIFFIN_SERVICE_NAME": service_name,
            "TIFFIN_JWT_SECRET": str(settings.jwt_secret),
        },
    )
    assert unlock.returncode == 0, unlock.stderr
    assert login(client, user.email, PASSWORD).status_code == 200


def test_a_successful_login_resets_the_count(
    clients_from: Callable[..., list[TestClient]], new_user: Callable[..., User]
) -> None:
    user = new_user()
    (client,) = clients_from(1, login_max_failures=3)
    for _ in range(3):
        assert [login(client, user.email, WRONG).status_code for _ in range(2)] == [401, 401]
        assert login(client, user.email, PASSWORD).status_code == 200


def test_racing_wrong_logins_get_at_most_the_allowed_number_of_guesses(
    clients_from: Callable[..., list[TestClient]], new_user: Callable[..., User]
) -> None:
    user = new_user()
    clients = clients_from(6, login_max_failures=4)
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda i: login(clients[i % 6], user.email, WRONG).status_code, range(24)))
    assert sorted(answers) == [401] * 4 + [429] * 20


def test_an_unknown_account_locks_like_a_real_one_so_locks_reveal_nothing(
    clients_from: Callable[..., list[TestClient]],
) -> None:
    (client,) = clients_from(1, login_max_failures=2)
    nobody = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
    answers = [login(client, nobody, WRONG).status_code for _ in range(3)]
    assert answers == [401, 401, 429]
