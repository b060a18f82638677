"""The app's HTTP edges that answer before any database work: no I/O needed.

The database URL points at a closed port; these requests must never reach it.
"""

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from serving.app import create_app
from serving.kernel.auth import Role, issue_access_token
from serving.settings import ServingSettings

SETTINGS = ServingSettings.of(database_url="postgresql+psycopg://nobody:nothing@127.0.0.1:9/none")
PROBLEM = "application/problem+json"


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(SETTINGS)) as test_client:
        yield test_client


def bearer(role: Role = Role.CUSTOMER) -> dict[str, str]:
    token = issue_access_token(f"user-{uuid.uuid4().hex[:8]}", role, SETTINGS)
    return {"Authorization": f"Bearer {token}"}


def test_building_the_app_reads_settings_from_tiffin_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIFFIN_SERVICE_NAME", "orders-test")
    monkeypatch.setenv("TIFFIN_DATABASE_URL", SETTINGS.database_url)
    app = create_app()
    assert app.state.settings.service_name == "orders-test"
    with TestClient(app) as test_client:
        assert test_client.get("/healthz").json() == {"status": "ok", "service": "orders-test"}


def test_posting_without_a_token_is_a_401_problem(client: TestClient) -> None:
    response = client.post("/api/v1/orders", json={})
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"].startswith("Bearer")
    problem = response.json()
    assert problem["status"] == 401
    assert problem["instance"] == "/api/v1/orders"
    assert {"type", "title", "detail"} <= problem.keys()


def test_a_garbage_token_is_a_401_problem(client: TestClient) -> None:
    response = client.get(f"/api/v1/orders/{uuid.uuid4()}", headers={"Authorization": "Bearer not-a-jwt"})
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


def test_malformed_json_is_a_422_problem_naming_the_body(client: TestClient) -> None:
    response = client.post(
        "/api/v1/orders",
        content=b'{"restaurant_id": "r1", ',
        headers={**bearer(), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert [e["field"] for e in response.json()["errors"]] == ["body"]


def test_a_wrong_type_is_a_422_problem_naming_the_field(client: TestClient) -> None:
    body = {
        "restaurant_id": "r1",
        "lines": [{"item_id": "i1", "quantity": "lots", "unit_price_minor": 100}],
        "currency": "INR",
    }
    response = client.post("/api/v1/orders", json=body, headers=bearer())
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "urn:tiffin:problem:validation"
    assert [e["field"] for e in problem["errors"]] == ["lines[0].quantity"]


def test_an_order_id_that_is_not_a_uuid_is_a_422_problem(client: TestClient) -> None:
    response = client.get("/api/v1/orders/42", headers=bearer())
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["order_id"]


@pytest.mark.parametrize("role", [Role.COURIER, Role.RESTAURANT, Role.ADMIN])
def test_only_customers_place_orders_and_others_learn_nothing_about_the_body(
    client: TestClient, role: Role
) -> None:
    response = client.post("/api/v1/orders", json={"junk": True}, headers=bearer(role))
    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "urn:tiffin:problem:forbidden"


def test_an_unknown_route_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
