"""Who calls the API in a test: customers, restaurant owners, couriers and admins, as
development tokens for any subject or as accounts registered and logged in through
the identity API."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from serving.identity.use_cases import accounts as identity
from serving.kernel.auth import Role, issue_access_token
from serving.settings import ServingSettings

PASSWORD = "correct horse battery staple"


def customer_id() -> str:
    """A new customer subject, so tests never share carts, orders or wallets."""
    return f"cust-{uuid.uuid4().hex[:10]}"


def unique_email(prefix: str = "user") -> str:
    # Mixed case on purpose: the service must treat emails case-insensitively.
    return f"{prefix}-{uuid.uuid4().hex[:10]}@Example.COM"


def unique_phone() -> str:
    return f"+91{uuid.uuid4().int % 10**10:010d}"


def bearer(subject: str, role: Role, settings: ServingSettings, key: str | None = None) -> dict[str, str]:
    """Headers of a development token for ``subject`` (no account needed), with an
    Idempotency-Key if ``key`` is given."""
    headers = {"Authorization": f"Bearer {issue_access_token(subject, role, settings)}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return headers


def auth_for(settings: ServingSettings, default_subject: str | None = None) -> Callable[..., dict[str, str]]:
    """``auth(subject, role=CUSTOMER, key=None)`` -> ``bearer`` headers for an app on
    ``settings`` (``subject`` may be left out where ``default_subject`` is given)."""

    def auth(
        subject: str | None = default_subject, role: Role = Role.CUSTOMER, key: str | None = None
    ) -> dict[str, str]:
        assert subject is not None, "auth() needs a subject"
        return bearer(subject, role, settings, key)

    return auth


@dataclass
class User:
    """A registered, logged-in account."""

    user_id: str
    email: str
    phone: str | None
    role: Role
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


def log_in(http: httpx.Client, email: str, password: str = PASSWORD) -> dict[str, str]:
    """The token pair of a good login (asserted)."""
    response = http.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    tokens: dict[str, str] = response.json()
    return tokens


def register(
    http: httpx.Client, role: Role = Role.CUSTOMER, *, engine: Engine | None = None, email: str | None = None,
    phone: str | None = None, name: str = "Test User",
) -> User:  # fmt: skip
    """A new account of ``role``, logged in: through ``POST /auth/register``, or for an
    admin (whom no HTTP route makes) with the operator's ``create_admin`` on ``engine``.
    Each costs two Argon2 hashes: make few."""
    email = email or unique_email(role.value.lower())
    if role is Role.ADMIN:
        assert engine is not None, "admins are made in the database: pass engine"
        user_id = str(identity.create_admin(engine, email=email, password=PASSWORD, name=name, phone=phone).user_id)
    else:
        body = {"email": email, "password": PASSWORD, "name": name, "role": role.value}
        if phone is not None:
            body["phone"] = phone
        response = http.post("/api/v1/auth/register", json=body)
        assert response.status_code == 201, response.text
        user_id = response.json()["user_id"]
    tokens = log_in(http, email)
    return User(user_id, email.lower(), phone, role, tokens["access_token"], tokens["refresh_token"])


@pytest.fixture(scope="module")
def new_user(client: TestClient, engine: Engine) -> Callable[..., User]:
    """``new_user(role=CUSTOMER)`` -> ``register``: a new account of that role, with an
    email and a phone of its own, logged in on the module's app (a fixture: a conftest
    imports it where the tests want it)."""
    return lambda role=Role.CUSTOMER: register(client, role, engine=engine, phone=unique_phone())


# An address body the identity API accepts (POST /users/me/addresses).
ADDRESS = {"label": "Home", "line": "12 MG Road", "city": "Bengaluru", "lat": 12.97, "lon": 77.59}
