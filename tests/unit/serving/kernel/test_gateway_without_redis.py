"""The gateway and token checks with Redis unreachable: no I/O needed."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import jwt
import pytest
from fastapi.testclient import TestClient

from serving.app import create_app
from serving.identity.entrypoints.schemas import RegisterRequest
from serving.kernel.auth import InvalidToken, Principal, Role, decode_access_token, issue_access_token
from serving.settings import ServingSettings

SETTINGS = ServingSettings.of(
    database_url="postgresql+psycopg://nobody:nothing@127.0.0.1:9/none",
    redis_url="redis://127.0.0.1:9/0",
    jwt_secret="unit-test-secret-" + "z" * 32,
)


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(SETTINGS)) as test_client:
        yield test_client


def test_every_access_token_has_its_own_jti_and_a_login_token_names_its_session() -> None:
    first = decode_access_token(issue_access_token("u1", Role.CUSTOMER, SETTINGS), SETTINGS)
    second = decode_access_token(issue_access_token("u1", Role.CUSTOMER, SETTINGS, session_id="fam-1"), SETTINGS)
    assert first.token_id and second.token_id and first.token_id != second.token_id
    assert first.session_id is None and second.session_id == "fam-1"
    assert first == second == Principal("u1", Role.CUSTOMER)  # token details are not identity
    assert first.expires_at is not None and first.expires_at > datetime.now(UTC)


def test_a_token_without_a_jti_cannot_be_revoked_so_it_is_refused() -> None:
    claims = {"sub": "u1", "role": "ADMIN", "exp": 4102444800}
    with pytest.raises(InvalidToken):
        decode_access_token(jwt.encode(claims, SETTINGS.jwt_secret, algorithm="HS256"), SETTINGS)


def test_building_the_app_connects_to_nothing_and_redis_is_created_lazily() -> None:
    app = create_app(SETTINGS)
    assert app.state.redis._client is None


def test_with_redis_down_requests_pass_and_carry_a_request_id(client: TestClient) -> None:
    token = issue_access_token(f"cust-{uuid.uuid4().hex[:6]}", Role.COURIER, SETTINGS)
    response = client.post(
        "/api/v1/orders", json={}, headers={"Authorization": f"Bearer {token}", "X-Request-ID": "abc-12345678"}
    )
    assert response.status_code == 403  # the role check ran: the token was accepted unchecked
    assert response.headers["x-request-id"] == "abc-12345678"


def test_logout_without_redis_is_a_503_so_a_client_never_believes_a_logout_that_did_not_happen(
    client: TestClient,
) -> None:
    token = issue_access_token(str(uuid.uuid4()), Role.CUSTOMER, SETTINGS)
    response = client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"


def test_an_unhandled_error_is_a_500_problem_that_still_carries_the_request_id() -> None:
    app = create_app(SETTINGS)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("bug")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom", headers={"X-Request-ID": "boom-request-1"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "boom-request-1"
    assert response.json()["type"] == "urn:tiffin:problem:internal" and "bug" not in response.text


def test_admin_is_not_a_self_service_role() -> None:
    with pytest.raises(ValueError, match="ADMIN"):
        RegisterRequest(email="a@b.co", password="long enough", name="A", role=Role.ADMIN)
    assert RegisterRequest(email="A@B.CO", password="long enough", name="A").email == "a@b.co"


@pytest.mark.parametrize("exp", [10**20, 253402300800])  # far beyond, and just past 9999-12-31
def test_a_signed_token_whose_exp_is_beyond_the_calendar_is_invalid_not_an_overflow(exp: int) -> None:
    claims = {"sub": "u1", "role": "CUSTOMER", "jti": uuid.uuid4().hex, "exp": exp}
    with pytest.raises(InvalidToken):
        decode_access_token(jwt.encode(claims, SETTINGS.jwt_secret, algorithm="HS256"), SETTINGS)
