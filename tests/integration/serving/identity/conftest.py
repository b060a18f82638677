"""Fixtures for the identity tests: real PostgreSQL and Redis, users registered through the API."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from ops.stack.config import StackConfig
from serving.app import create_app
from serving.identity.use_cases import accounts
from serving.kernel.auth import Role
from serving.settings import ServingSettings

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def settings(database_url: str, stack: StackConfig) -> ServingSettings:
    """Overrides the serving conftest's: Redis of the test stack, limits no test reaches."""
    return ServingSettings.of(
        database_url=database_url,
        kafka_bootstrap=stack.kafka_bootstrap,
        redis_url=stack.redis_url,
        jwt_secret=f"test-secret-{uuid.uuid4().hex}{uuid.uuid4().hex}",
        service_name=f"identity-test-{uuid.uuid4().hex[:6]}",
        rate_limit_ip_capacity=100_000,
        rate_limit_user_capacity=100_000,
        rate_limit_auth_capacity=100_000,
    )


@pytest.fixture
def make_client(settings: ServingSettings) -> Iterator[Callable[..., TestClient]]:
    """``make_client(**setting_overrides)`` -> a client of an app with its own settings."""
    clients: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        options = {"service_name": f"identity-test-{uuid.uuid4().hex[:6]}", **overrides}
        client = TestClient(create_app(settings.changed(**options)), raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def unique_email(prefix: str = "user") -> str:
    # Mixed case on purpose: the service must treat emails case-insensitively.
    return f"{prefix}-{uuid.uuid4().hex[:10]}@Example.COM"


def unique_phone() -> str:
    return f"+91{uuid.uuid4().int % 10**10:010d}"


@dataclass
class User:
    user_id: str
    email: str
    phone: str
    role: Role
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


@pytest.fixture(scope="module")
def new_user(client: TestClient, engine: Engine) -> Callable[..., User]:
    """``new_user(role)`` -> a registered, logged-in user (admins are made like the CLI does)."""

    def make(role: Role = Role.CUSTOMER) -> User:
        email, phone = unique_email(role.value.lower()), unique_phone()
        if role is Role.ADMIN:
            admin = accounts.create_admin(engine, email=email, password=PASSWORD, name="Ops", phone=phone)
            user_id = str(admin.user_id)
        else:
            body = {"email": email, "phone": phone, "password": PASSWORD, "name": "Test User", "role": role.value}
            response = client.post("/api/v1/auth/register", json=body)
            assert response.status_code == 201, response.text
            user_id = response.json()["user_id"]
        login = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        tokens = login.json()
        return User(user_id, email.lower(), phone, role, tokens["access_token"], tokens["refresh_token"])

    return make


ADDRESS = {"label": "Home", "line": "12 MG Road", "city": "Bengaluru", "lat": 12.97, "lon": 77.59}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def served(app: FastAPI, **config: Any) -> Iterator[str]:
    """``app`` behind a real uvicorn in a thread (as in production); yields its base URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **config))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
