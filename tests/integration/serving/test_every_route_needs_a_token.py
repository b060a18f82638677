"""No operation of the API answers an anonymous caller, except the few that exist to
get a token (and the liveness probe): a route added without an authorization rule
fails here, whatever service it belongs to."""

import re
import uuid
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.stack

PUBLIC = {
    ("GET", "/healthz"),
    ("POST", "/api/v1/auth/register"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/refresh"),
}


def _operations(client: TestClient) -> list[tuple[str, str]]:
    paths = client.get("/openapi.json").json()["paths"]
    return sorted((method.upper(), path) for path, operations in paths.items() for method in operations)


def test_the_api_has_the_operations_this_test_expects_to_guard(client: TestClient) -> None:
    operations = _operations(client)
    assert len(operations) > 50  # every service's routes are mounted
    assert PUBLIC <= set(operations)


def test_every_operation_but_the_public_ones_is_a_401_problem_without_a_token(
    client: TestClient, count_rows: Callable[[], dict[str, int]]
) -> None:
    before = count_rows()
    answered: dict[str, int] = {}
    for method, path in _operations(client):
        if (method, path) in PUBLIC:
            continue
        # Any well-formed id: the token check comes before any lookup.
        concrete = re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)
        response = client.request(method, concrete, json={} if method in ("POST", "PUT", "PATCH") else None)
        answered[f"{method} {path}"] = response.status_code
        if response.status_code == 401:
            assert response.headers["content-type"] == "application/problem+json"
            assert [e["field"] for e in response.json()["errors"]] == ["Authorization"]
    assert {operation: status for operation, status in answered.items() if status != 401} == {}
    assert count_rows() == before
