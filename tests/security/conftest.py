"""Fixtures of the security suite: the real app on its own migrated database, on the
test stack's PostgreSQL and Redis, built once per session, and a ``Kit`` that drives
it through the public API the way an outside client would.

One database and one app for the whole suite keeps it fast; tests never share actors
(each makes its own customers, owners and restaurants), so they stay independent.
The app runs without rate limits (thousands of requests from one host);
``gated_client`` serves the same settings with the rate limiter installed, as in
production, for the forged tokens: the limiter decodes every bearer token too.

``live_kit`` serves a second app on the same settings through a real uvicorn server
with two worker processes on a free port, for the races: concurrent requests then go
through sockets, the servers' event loops and thread pools, as a hostile client's would.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from ops.processes import start_api
from ops.stack.config import StackConfig
from serving.app import create_app
from serving.kernel.auth import Role, issue_access_token
from serving.kernel.db import create_engine
from serving.migrations.registry import migrate
from serving.payments.adapters.sandbox import CARD_SUCCEEDS
from serving.settings import ServingSettings
from tests.utils.payments import card, new_key
from tests.utils.people import register
from tests.utils.ports import free_port

ALL_DAY = {day: [{"open": "00:00", "close": "00:00"}] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
DELIVERY_STEPS = ("ACCEPTED", "PREPARING", "READY", "ASSIGNED", "PICKED", "OUT_FOR_DELIVERY", "DELIVERED")
PROBLEM = "application/problem+json"


def problem_fields(response: httpx.Response) -> list[str]:
    """The fields a problem names; asserts it is a problem-details answer."""
    assert response.headers.get("content-type") == PROBLEM, (response.status_code, response.text[:300])
    body = response.json()
    assert body["status"] == response.status_code and body["type"].startswith("urn:tiffin:problem:"), body
    return [error["field"] for error in body["errors"]]


@dataclass
class Actor:
    """Someone holding a token: a registered user or a development token's subject."""

    subject: str
    role: Role
    token: str
    email: str | None = None

    def headers(self, key: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers


@dataclass
class Kitchen:
    """A restaurant (open all day) with its owner and menu items, made through the API."""

    owner: Actor
    restaurant: dict[str, Any]
    items: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def rid(self) -> str:
        return str(self.restaurant["restaurant_id"])

    def item_id(self, name: str) -> str:
        return str(self.items[name]["item_id"])


class Kit:
    """The public API, driven like a client: register, log in, run restaurants, order, pay."""

    def __init__(self, http: httpx.Client, settings: ServingSettings) -> None:
        self.http = http
        self.settings = settings

    # --- who -------------------------------------------------------------------------

    def token(self, subject: str, role: Role) -> str:
        return issue_access_token(subject, role, self.settings)

    def dev(self, role: Role = Role.CUSTOMER) -> Actor:
        """A development token (serving.kernel.auth.issue_access_token), no account."""
        subject = f"{role.value.lower()}-{uuid.uuid4().hex[:10]}"
        return Actor(subject, role, self.token(subject, role))

    def admin(self) -> Actor:
        return self.dev(Role.ADMIN)  # admins are made from the operator's shell, never over HTTP

    def register(self, role: Role = Role.CUSTOMER, phone: str | None = None) -> Actor:
        """A registered, logged-in user (Argon2 twice: keep these few)."""
        user = register(self.http, role, phone=phone, name="Security Probe")
        return Actor(user.user_id, role, user.access_token, user.email)

    # --- restaurants -------------------------------------------------------------------

    def kitchen(self, owner: Actor | None = None, **items: dict[str, Any]) -> Kitchen:
        """A restaurant of ``owner`` (a new development owner by default) open all day, with
        ``items`` by name (each a body override: ``price_minor``, ``stock``, ...)."""
        owner = owner or self.dev(Role.RESTAURANT)
        body = {"name": "Probe Dhaba", "address": "1 MG Road", "city": "Pune", "lat": 18.52, "lon": 73.85,
                "cuisines": ["North Indian"], "opening_hours": ALL_DAY}  # fmt: skip
        created = self.http.post("/api/v1/restaurants", json=body, headers=owner.headers())
        assert created.status_code == 201, created.text
        kitchen = Kitchen(owner, created.json())
        for name, overrides in (items or {"Dal": {}}).items():
            kitchen.items[name] = self.add_item(kitchen, name, **overrides)
        return kitchen

    def add_item(self, kitchen: Kitchen, name: str, **overrides: Any) -> dict[str, Any]:
        body = {"name": name, "price_minor": 10_000, "is_veg": True, **overrides}
        response = self.http.post(
            f"/api/v1/restaurants/{kitchen.rid}/menu/items", json=body, headers=kitchen.owner.headers()
        )
        assert response.status_code == 201, response.text
        item: dict[str, Any] = response.json()
        return item

    def offer(self, kitchen: Kitchen, code: str, **overrides: Any) -> dict[str, Any]:
        body = {"code": code, "kind": "FLAT", "value": 1_000, "valid_until": "2099-01-01T00:00:00Z", **overrides}
        response = self.http.post(
            f"/api/v1/restaurants/{kitchen.rid}/offers", json=body, headers=kitchen.owner.headers()
        )
        assert response.status_code == 201, response.text
        offer: dict[str, Any] = response.json()
        return offer

    # --- orders and money ---------------------------------------------------------------

    def order_body(self, kitchen: Kitchen, quantities: dict[str, int] | None = None, **extra: Any) -> dict[str, Any]:
        """A catalog-priced order: item ids and quantities, no prices (the menu's apply)."""
        quantities = quantities or {next(iter(kitchen.items)): 1}
        lines = [{"item_id": kitchen.item_id(name), "quantity": qty} for name, qty in quantities.items()]
        return {"restaurant_id": kitchen.rid, "lines": lines, "currency": "INR", **extra}

    def order(self, customer: Actor, kitchen: Kitchen, quantities: dict[str, int] | None = None,
              **extra: Any) -> dict[str, Any]:  # fmt: skip
        response = self.http.post(
            "/api/v1/orders", json=self.order_body(kitchen, quantities, **extra), headers=customer.headers()
        )
        assert response.status_code == 201, response.text
        order: dict[str, Any] = response.json()
        return order

    def walk(self, order_id: str, to: str) -> None:
        """Move an order along the main line to ``to``, as an admin would."""
        admin = self.admin()
        for step in DELIVERY_STEPS[: DELIVERY_STEPS.index(to) + 1]:
            move: dict[str, Any] = {"status": step} | ({"prep_time_minutes": 10} if step == "ACCEPTED" else {})
            moved = self.http.post(f"/api/v1/orders/{order_id}/status", json=move, headers=admin.headers())
            assert moved.status_code == 200, moved.text

    def pay_body(self, order: dict[str, Any], method: str = "card", number: str = CARD_SUCCEEDS) -> dict[str, Any]:
        body: dict[str, Any] = {"order_id": order["order_id"], "method": method,
                                "amount_minor": order["total_minor"], "currency": "INR"}  # fmt: skip
        if method == "card":
            body["card"] = card(number)
        return body

    def pay(self, customer: Actor, order: dict[str, Any], method: str = "card") -> dict[str, Any]:
        response = self.http.post(
            "/api/v1/payments", json=self.pay_body(order, method), headers=customer.headers(new_key())
        )
        assert response.status_code == 201, response.text
        payment: dict[str, Any] = response.json()
        assert payment["status"] == ("PENDING" if method == "cod" else "SUCCEEDED"), payment
        return payment

    def top_up(self, customer: Actor, amount_minor: int) -> None:
        body = {"amount_minor": amount_minor, "currency": "INR", "card": card()}
        response = self.http.post("/api/v1/wallet/topups", json=body, headers=customer.headers(new_key()))
        assert response.status_code == 201, response.text

    def balance(self, customer: Actor) -> int:
        response = self.http.get("/api/v1/wallet", headers=customer.headers())
        assert response.status_code == 200, response.text
        return int(response.json()["balance_minor"])

    def get_order(self, order_id: str) -> dict[str, Any]:
        response = self.http.get(f"/api/v1/orders/{order_id}", headers=self.admin().headers())
        assert response.status_code == 200, response.text
        order: dict[str, Any] = response.json()
        return order

    def raw(self, method: str, path: str, body: Any, headers: dict[str, str]) -> httpx.Response:
        """Send ``body`` serialised here (ASCII-escaped, so a lone surrogate travels as the
        JSON escape ``\\ud800``; NaN and Infinity as the tokens Python writes), not by httpx."""
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return self.http.request(method, path, content=content,
                                 headers={"Content-Type": "application/json", **headers})  # fmt: skip


# --- the app, once per session ----------------------------------------------------------


@pytest.fixture(scope="session")
def security_settings(make_database: Callable[[], str], stack: StackConfig) -> ServingSettings:
    url = make_database()
    migrate(url)
    return ServingSettings.of(
        database_url=url,
        redis_url=stack.redis_url,
        kafka_bootstrap=stack.kafka_bootstrap,
        jwt_secret=f"security-secret-{uuid.uuid4().hex}{uuid.uuid4().hex}",
        service_name=f"security-{uuid.uuid4().hex[:6]}",
        kafka_timeout_ms=3000,
        rate_limit_enabled=False,
        payments_retry_initial_seconds=0.001,
        payments_retry_cap_seconds=0.005,
    )


@pytest.fixture(scope="session")
def engine(security_settings: ServingSettings) -> Iterator[Engine]:
    """For checking what the requests left behind (counts of rows, charges, ledger lines)."""
    engine = create_engine(security_settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def app(security_settings: ServingSettings) -> FastAPI:
    return create_app(security_settings)


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def gated_client(security_settings: ServingSettings) -> Iterator[TestClient]:
    """The app with its rate limiter, on buckets no test empties."""
    limits = {f"rate_limit_{kind}_capacity": 1_000_000 for kind in ("ip", "user", "auth")}
    app = create_app(security_settings.changed(rate_limit_enabled=True, **limits))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def kit(client: TestClient, security_settings: ServingSettings) -> Kit:
    return Kit(client, security_settings)


@pytest.fixture(scope="session")
def live_url(security_settings: ServingSettings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The same settings served as ``tiffin serve`` serves them: uvicorn with two worker
    processes, so racing requests also race across processes (anything a worker kept to
    itself would show)."""
    port = free_port()
    log = tmp_path_factory.mktemp("live-api") / "api.log"
    api = start_api(security_settings.as_environment(), port, log, workers=2)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        api.stop()


@pytest.fixture(scope="session")
def live_kit(live_url: str, security_settings: ServingSettings) -> Iterator[Kit]:
    with httpx.Client(base_url=live_url, timeout=60) as http:
        yield Kit(http, security_settings)


@pytest.fixture(scope="session")
def race(live_url: str) -> Callable[[list[Callable[[httpx.Client], httpx.Response]]], list[httpx.Response]]:
    """``race([send, ...])`` -> the responses: each ``send(http)`` runs in its own thread
    with its own connection to the live server, all released at once by a barrier."""

    def run(sends: list[Callable[[httpx.Client], httpx.Response]]) -> list[httpx.Response]:
        barrier = threading.Barrier(len(sends))
        results: list[httpx.Response | BaseException | None] = [None] * len(sends)
        clients = [httpx.Client(base_url=live_url, timeout=60) for _ in sends]

        def go(index: int) -> None:
            clients[index].get("/healthz")  # connect first, so the barrier releases requests, not handshakes
            barrier.wait()
            try:
                results[index] = sends[index](clients[index])
            except BaseException as exc:  # surfaced below with the others' answers
                results[index] = exc

        threads = [threading.Thread(target=go, args=(i,)) for i in range(len(sends))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=90)
        for http in clients:
            http.close()
        failures = [r for r in results if not isinstance(r, httpx.Response)]
        assert not failures, failures
        return [r for r in results if isinstance(r, httpx.Response)]

    return run
