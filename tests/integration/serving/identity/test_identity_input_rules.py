from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from serving.identity.adapters.tables import addresses, refresh_tokens, users
from tests.utils.people import ADDRESS, PASSWORD, User, unique_email, unique_phone

pytestmark = pytest.mark.stack


@pytest.fixture
def count_rows(engine: Engine) -> Callable[[], dict[str, int]]:
    def count() -> dict[str, int]:
        with engine.connect() as connection:
            return {
                t.name: connection.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                for t in (users, addresses, refresh_tokens)
            }

    return count


def _registration(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "email": unique_email(),
        "phone": unique_phone(),
        "password": PASSWORD,
        "name": "Test User",
        "role": "CUSTOMER",
    }
    body.update(overrides)
    return body


def test_a_taken_email_in_any_case_or_a_taken_phone_is_a_409_naming_the_field(
    client: TestClient, new_user: Callable[..., User], count_rows: Callable[[], dict[str, int]]
) -> None:
    existing = new_user()
    before = count_rows()

    same_email = client.post("/api/v1/auth/register", json=_registration(email=existing.email.upper()))
    same_phone = client.post("/api/v1/auth/register", json=_registration(phone=existing.phone))

    assert same_email.status_code == same_phone.status_code == 409
    assert same_email.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in same_email.json()["errors"]] == ["email"]
    assert [e["field"] for e in same_phone.json()["errors"]] == ["phone"]
    assert count_rows() == before


def test_changing_to_someone_elses_email_or_phone_is_a_409(client: TestClient, new_user: Callable[..., User]) -> None:
    mine, theirs = new_user(), new_user()
    for body, field in (({"email": theirs.email}, "email"), ({"phone": theirs.phone}, "phone")):
        response = client.patch("/api/v1/users/me", json=body, headers=mine.headers)
        assert response.status_code == 409
        assert [e["field"] for e in response.json()["errors"]] == [field]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"role": "ADMIN"}, "role"),
        ({"role": "ROOT"}, "role"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "98123 45678"}, "phone"),
        ({"phone": "+0123456789"}, "phone"),
        ({"password": "short"}, "password"),
        ({"password": "x" * 129}, "password"),
        ({"name": ""}, "name"),
        ({"name": "bad\x00name"}, "name"),
        ({"is_admin": True}, "is_admin"),
        ({"email": 42}, "email"),
    ],
)
def test_a_bad_registration_is_a_422_naming_the_field_and_writes_nothing(
    client: TestClient, count_rows: Callable[[], dict[str, int]], overrides: dict[str, Any], field: str
) -> None:
    before = count_rows()
    response = client.post("/api/v1/auth/register", json=_registration(**overrides))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert count_rows() == before


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"password": PASSWORD}, ["email", "phone"]),
        ({"email": "a@b.co", "phone": "+919812345678", "password": PASSWORD}, ["email", "phone"]),
        ({"email": "a@b.co"}, ["password"]),
    ],
)
def test_a_login_needs_exactly_one_of_email_and_phone_and_a_password(
    client: TestClient, body: dict[str, Any], fields: list[str]
) -> None:
    response = client.post("/api/v1/auth/login", json=body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == fields


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"lat": 90.5}, "lat"),
        ({"lon": -181}, "lon"),
        ({"lat": "north"}, "lat"),
        ({"label": ""}, "label"),
        ({"user_id": "00000000-0000-0000-0000-000000000000"}, "user_id"),
    ],
)
def test_a_bad_address_is_a_422_naming_the_field_and_writes_nothing(
    client: TestClient,
    new_user: Callable[..., User],
    count_rows: Callable[[], dict[str, int]],
    overrides: dict[str, Any],
    field: str,
) -> None:
    user = new_user()
    before = count_rows()
    response = client.post("/api/v1/users/me/addresses", json={**ADDRESS, **overrides}, headers=user.headers)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert count_rows() == before


def test_malformed_json_bodies_are_422s_never_500s(client: TestClient, new_user: Callable[..., User]) -> None:
    user = new_user()
    for path in ("/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/users/me/addresses"):
        for content in (b"{", b"[]", b"\xff\xfe", b"null"):
            response = client.post(path, content=content, headers={**user.headers, "Content-Type": "application/json"})
            assert response.status_code == 422, (path, content)
