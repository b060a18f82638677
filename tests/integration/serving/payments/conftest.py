"""Fixtures for the payments tests: a real PostgreSQL, the app with a sandbox gateway
the test can inspect, and helpers that pay, top up and count rows."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from ops.stack.config import StackConfig
from serving.app import create_app
from serving.kernel.db import create_engine
from serving.payments.adapters import tables
from serving.payments.adapters.retry import RetryPolicy
from serving.payments.adapters.sandbox import SandboxGateway
from serving.payments.bootstrap import payments_service
from serving.payments.entrypoints import deps as payments_deps
from serving.payments.service import Payments
from serving.settings import ServingSettings
from tests.utils.payments import card, new_key
from tests.utils.people import auth_for, customer_id
from tests.utils.rows import row_counts
from tests.utils.settings import settings_for

TRANSIENT_FAILURES = 2
MAX_ATTEMPTS = 4


@pytest.fixture(scope="module")
def settings(database_url: str, stack: StackConfig) -> ServingSettings:
    """Overrides the serving conftest's: fast retries, no rate limits, the stack's Redis."""
    return settings_for(
        database_url,
        stack,
        "payments-test",
        payments_gateway_max_attempts=MAX_ATTEMPTS,
        payments_retry_initial_seconds=0.001,
        payments_retry_cap_seconds=0.005,
        payments_sandbox_transient_failures=TRANSIENT_FAILURES,
        rate_limit_enabled=False,
    )


@pytest.fixture(scope="module")
def gateway() -> SandboxGateway:
    return SandboxGateway(transient_failures=TRANSIENT_FAILURES)


@pytest.fixture(scope="module")
def client(settings: ServingSettings, gateway: SandboxGateway, engine: Engine) -> Iterator[TestClient]:
    service = payments_service(settings, engine, gateway)  # with the gateway the tests inspect
    app = create_app(settings, overrides={payments_deps.payments_service: lambda: service})
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def payments(database_url: str, gateway: SandboxGateway) -> Iterator[Payments]:
    """The service called in-process (as the order saga will), with a pool for 20+ threads."""
    engine = create_engine(database_url, pool_size=30, max_overflow=10)
    yield Payments(engine, gateway, RetryPolicy(max_attempts=MAX_ATTEMPTS, initial_seconds=0.001, cap_seconds=0.005))
    engine.dispose()


@pytest.fixture(scope="module")
def auth(settings: ServingSettings) -> Callable[..., dict[str, str]]:
    """``auth(subject, role=CUSTOMER, key=None)`` -> headers (with an Idempotency-Key if given)."""
    return auth_for(settings)


def payment_body(
    order_id: uuid.UUID | str, method: str = "card", amount_minor: int = 27500, **overrides: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "order_id": str(order_id),
        "method": method,
        "amount_minor": amount_minor,
        "currency": "INR",
    }
    if method == "card":
        body["card"] = card()
    body.update(overrides)
    return body


@pytest.fixture(scope="module")
def top_up(client: TestClient, auth: Callable[..., dict[str, str]]) -> Callable[[str, int], dict[str, Any]]:
    def top(customer: str, amount_minor: int) -> dict[str, Any]:
        response = client.post(
            "/api/v1/wallet/topups",
            json={"amount_minor": amount_minor, "currency": "INR", "card": card()},
            headers=auth(customer, key=new_key()),
        )
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    return top


@pytest.fixture(scope="module")
def pay(
    client: TestClient, auth: Callable[..., dict[str, str]], store_order: Callable[..., uuid.UUID]
) -> Callable[..., dict[str, Any]]:
    """``pay(customer, order_id=None, **payment_body_args)`` -> the 201 payment (for a new
    order of the customer costing ``amount_minor`` unless ``order_id`` is given)."""

    def make(customer: str, order_id: str | None = None, **body: Any) -> dict[str, Any]:
        amount = body.get("amount_minor", 27500)
        target = order_id or store_order(customer, amount)
        response = client.post(
            "/api/v1/payments", json=payment_body(target, **body), headers=auth(customer, key=new_key())
        )
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    return make


@pytest.fixture(scope="module")
def db(engine: Engine) -> Engine:
    """The serving conftest's ``engine``, by the name these tests use."""
    return engine


@pytest.fixture
def count_rows(db: Engine) -> Callable[[], dict[str, int]]:
    """Rows in every payments table now; compare before and after a request."""
    return lambda: row_counts(db, tables.metadata.sorted_tables)


@pytest.fixture
def events_for(db: Engine) -> Callable[[str], list[dict[str, Any]]]:
    """``events_for(order_id)`` -> the payments outbox envelopes keyed by that order, in id order."""

    def events(order_id: str) -> list[dict[str, Any]]:
        with db.connect() as connection:
            rows = connection.execute(
                sa.select(tables.outbox.c.topic, tables.outbox.c.payload)
                .where(tables.outbox.c.message_key == order_id)
                .order_by(tables.outbox.c.id)
            ).all()
        assert all(row.topic == "payments.v1" for row in rows)
        return [dict(row.payload) for row in rows]

    return events


@pytest.fixture(scope="module")
def new_customer() -> Callable[[], str]:
    """A random customer id, so tests never share wallets."""
    return customer_id


@pytest.fixture(scope="module")
def new_idempotency_key() -> Callable[[], str]:
    return new_key


@pytest.fixture(scope="module")
def make_payment_body(store_order: Callable[..., uuid.UUID]) -> Callable[..., dict[str, Any]]:
    """``make_payment_body(customer, method="card", amount_minor=27500, **overrides)`` -> a valid
    POST /payments body for a new order of that customer costing ``amount_minor``."""

    def make(customer: str, method: str = "card", amount_minor: int = 27500, **overrides: Any) -> dict[str, Any]:
        return payment_body(store_order(customer, amount_minor), method, amount_minor, **overrides)

    return make


@pytest.fixture(scope="module")
def make_card() -> Callable[..., dict[str, Any]]:
    """``make_card(number=CARD_SUCCEEDS)`` -> a card object for a request body."""
    return card
