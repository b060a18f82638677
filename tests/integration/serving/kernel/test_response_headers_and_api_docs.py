"""Headers every answer carries (nosniff, Cache-Control), no Server header from the
launched API, and the API docs public only where the settings say so."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fastapi import Response
from fastapi.testclient import TestClient

from ops.processes import start_api
from ops.stack.config import StackConfig
from serving.app import create_app
from serving.settings import ServingSettings
from tests.utils.people import PASSWORD, User, unique_email, unique_phone

pytestmark = pytest.mark.stack

DOCS = ("/docs", "/redoc", "/openapi.json")


def assert_not_cached_nor_sniffed(response: httpx.Response) -> None:
    assert response.headers.get("x-content-type-options") == "nosniff", response.headers
    assert response.headers.get("cache-control") == "no-store", response.headers


def test_token_responses_of_register_login_and_refresh_are_never_stored(client: TestClient) -> None:
    email = unique_email()
    body = {"email": email, "phone": unique_phone(), "password": PASSWORD, "name": "No Store"}
    register = client.post("/api/v1/auth/register", json=body)
    login = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    refresh = client.post("/api/v1/auth/refresh", json={"refresh_token": login.json()["refresh_token"]})

    assert (register.status_code, login.status_code, refresh.status_code) == (201, 200, 200)
    for response in (register, login, refresh):
        assert_not_cached_nor_sniffed(response)


def test_every_api_answer_and_problem_carries_nosniff_and_no_store(
    make_client: Callable[..., TestClient], new_user: Callable[..., User]
) -> None:
    user = new_user()
    client = make_client(rate_limit_ip_capacity=4, rate_limit_ip_refill_per_second=0.01)
    answers = [
        client.get("/api/v1/users/me", headers=user.headers),  # 200
        client.get("/api/v1/users/me"),  # 401
        client.get("/api/v1/nowhere"),  # 404
        client.post("/api/v1/auth/login", json={}),  # 422
        client.post("/api/v1/users/me/addresses", headers=user.headers, content=b"x" * 70_000),  # 413 (takes no token)
    ]
    limited = client.get("/api/v1/users/me", headers=user.headers)  # 429 from the gateway
    assert [r.status_code for r in answers] + [limited.status_code] == [200, 401, 404, 422, 413, 429]
    for response in [*answers, limited]:
        assert_not_cached_nor_sniffed(response)


def test_a_route_that_chooses_its_own_cache_control_keeps_it(settings: ServingSettings) -> None:
    app = create_app(settings)

    @app.get("/cacheable")
    def cacheable(response: Response) -> dict[str, str]:
        response.headers["Cache-Control"] = "public, max-age=60"
        return {"ok": "yes"}

    with TestClient(app) as client:
        response = client.get("/cacheable")
    assert response.headers["cache-control"] == "public, max-age=60"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_api_as_launched_sends_no_server_header(
    settings: ServingSettings, stack: StackConfig, tmp_path: Path
) -> None:
    env = {
        **stack.env(),
        "TIFFIN_DATABASE_URL": settings.database_url,
        "TIFFIN_JWT_SECRET": str(settings.jwt_secret),
        "TIFFIN_SERVICE_NAME": f"headers-{uuid.uuid4().hex[:6]}",
    }
    port = 20_000 + uuid.uuid4().int % 20_000
    api = start_api(env, port, tmp_path / "api.log")
    try:
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        missing = httpx.get(f"http://127.0.0.1:{port}/api/v1/nowhere", timeout=5)
    finally:
        api.stop()
    assert health.status_code == 200 and missing.status_code == 404
    assert "server" not in health.headers and "server" not in missing.headers
    assert_not_cached_nor_sniffed(missing)


def test_the_api_docs_are_public_in_local_and_off_elsewhere_unless_enabled(settings: ServingSettings) -> None:
    secret = "s" * 40
    local = TestClient(create_app(settings))
    staging = TestClient(create_app(settings.changed(environment="staging", jwt_secret=secret)))
    prod_with_docs = TestClient(create_app(settings.changed(environment="prod", jwt_secret=secret, api_docs=True)))
    local_without = TestClient(create_app(settings.changed(api_docs=False)))

    assert [local.get(path).status_code for path in DOCS] == [200, 200, 200]
    assert [staging.get(path).status_code for path in DOCS] == [404, 404, 404]
    assert [prod_with_docs.get(path).status_code for path in DOCS] == [200, 200, 200]
    assert [local_without.get(path).status_code for path in DOCS] == [404, 404, 404]
    # The document itself can still be produced (tests, client generators) wherever it is not served.
    assert "/api/v1/auth/login" in staging.app.openapi()["paths"]  # type: ignore[attr-defined]
