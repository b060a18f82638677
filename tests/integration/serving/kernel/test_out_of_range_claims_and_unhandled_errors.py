"""Hostile tokens and unexpected errors on a real uvicorn: every request gets a problem
answer, nothing escapes the app, and the connection stays usable."""

from __future__ import annotations

import http.client
import json
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest

from serving.app import create_app
from serving.settings import ServingSettings
from tests.utils.logs import LogRecords
from tests.utils.servers import served

pytestmark = pytest.mark.stack


def signed(settings: ServingSettings, **claims: Any) -> str:
    """A token signed with the app's real secret, with some claims out of range."""
    now = int(datetime.now(UTC).timestamp())
    base: dict[str, Any] = {"sub": f"cust-{uuid.uuid4().hex[:8]}", "role": "CUSTOMER", "jti": uuid.uuid4().hex}
    base.update({"iat": now, "exp": now + 600})
    return jwt.encode({**base, **claims}, settings.jwt_secret, algorithm="HS256")


def get(connection: http.client.HTTPConnection, path: str, token: str | None = None) -> tuple[int, dict[str, str], Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, json.loads(body) if body else None


@pytest.mark.parametrize(
    "claims",
    [{"exp": 10**20}, {"exp": float("inf")}, {"iat": float("inf")}, {"nbf": float("inf")}],
    ids=["exp-10e20", "exp-infinity", "iat-infinity", "nbf-infinity"],
)
def test_a_validly_signed_token_with_an_exp_beyond_the_calendar_is_a_401_and_the_connection_lives(
    settings: ServingSettings, logs: LogRecords, claims: dict[str, Any]
) -> None:
    token = signed(settings, **claims)
    with served(create_app(settings)) as base_url:
        connection = http.client.HTTPConnection(base_url.removeprefix("http://"), timeout=10)
        try:
            status, headers, body = get(connection, "/api/v1/users/me", token)
            socket_before = connection.sock
            again, _, _ = get(connection, "/healthz")  # the same keep-alive connection
        finally:
            connection.close()
    assert status == 401, body
    assert headers["content-type"] == "application/problem+json"
    assert body["errors"] == [{"field": "Authorization", "message": "The access token is invalid or expired."}]
    assert again == 200 and socket_before is not None
    assert not [r for r in logs.records if r.levelno >= logging.ERROR]


def test_an_unexpected_error_is_one_500_problem_logged_once_and_the_connection_is_not_dropped(
    settings: ServingSettings, logs: LogRecords
) -> None:
    app = create_app(settings)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    with served(app) as base_url:
        connection = http.client.HTTPConnection(base_url.removeprefix("http://"), timeout=10)
        try:
            status, headers, body = get(connection, "/boom")
            again, _, _ = get(connection, "/healthz")  # raises if the server closed the connection
        finally:
            connection.close()
    assert status == 500
    assert headers["content-type"] == "application/problem+json"
    assert body["type"] == "urn:tiffin:problem:internal" and "a bug" not in json.dumps(body)
    assert headers["x-request-id"]
    assert again == 200
    errors = [r for r in logs.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert errors[0].exc_info is not None and "a bug" in str(errors[0].exc_info[1])
