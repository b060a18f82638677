"""PostgreSQL stopped under the API: a 503 problem with Retry-After and one WARNING
line per request (no traceback), and the pool recovers by itself once it is back.

Stops the session's PostgreSQL, so it lives in a module of its own (the fixture
restarts it whatever happens)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import SimpleNamespace

import httpx
import pytest
from fastapi.testclient import TestClient

from serving.app import create_app
from serving.kernel.db import create_engine
from serving.settings import ServingSettings
from tests.utils.logs import LogRecords
from tests.utils.people import PASSWORD, User
from tests.utils.stack import PostgresControl

pytestmark = pytest.mark.stack


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) >= 1
    body = response.json()
    assert body["type"] == "urn:tiffin:problem:unavailable" and body["status"] == 503
    assert "127.0.0.1" not in response.text and "psycopg" not in response.text  # internals stay in the log


def test_postgresql_down_is_a_503_with_retry_after_logged_once_and_the_pool_recovers(
    client: TestClient, new_user: Callable[..., User], postgres_control: PostgresControl, logs: LogRecords
) -> None:
    user = new_user()
    assert client.get("/api/v1/users/me", headers=user.headers).status_code == 200  # the pool holds a connection

    postgres_control.stop()
    logs.records.clear()
    profile = client.get("/api/v1/users/me", headers=user.headers)
    login = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})

    assert_unavailable(profile)
    assert_unavailable(login)
    warnings = logs.at_least(logging.WARNING)
    assert [r.levelno for r in warnings] == [logging.WARNING, logging.WARNING], [r.getMessage() for r in warnings]
    assert all(r.exc_info is None and "database unavailable" in r.getMessage() for r in warnings)

    postgres_control.start()
    assert client.get("/api/v1/users/me", headers=user.headers).status_code == 200
    assert client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}).status_code == 200


def test_a_pool_that_cannot_hand_out_a_connection_in_time_is_a_503_too(
    settings: ServingSettings, new_user: Callable[..., User], logs: LogRecords
) -> None:
    user = new_user()
    engine = create_engine(settings.database_url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    app = create_app(settings)
    app.state.database = SimpleNamespace(engine=engine)  # a one-connection pool
    try:
        with TestClient(app, raise_server_exceptions=False) as client, engine.connect():  # ...which the test holds
            busy = client.get("/api/v1/users/me", headers=user.headers)
        with TestClient(app) as client:
            free = client.get("/api/v1/users/me", headers=user.headers)
    finally:
        engine.dispose()
    assert_unavailable(busy)
    assert free.status_code == 200
    assert [r.levelno for r in logs.at_least(logging.WARNING)] == [logging.WARNING]
