from types import SimpleNamespace
from typing import cast

import pytest
from fastapi import Request
from fastapi.testclient import TestClient

from serving.app import create_app
from serving.kernel.db import create_engine
from serving.payments import bootstrap
from serving.payments.adapters.razorpay import RazorpayGateway
from serving.payments.adapters.sandbox import SandboxGateway
from serving.payments.adapters.sandbox_postgres import PostgresSandboxStore
from serving.payments.bootstrap import build_gateway, retry_policy
from serving.payments.entrypoints import deps
from serving.settings import ServingSettings


def test_the_app_mounts_every_payments_route_without_touching_a_database() -> None:
    paths = create_app(ServingSettings()).openapi()["paths"]
    assert {
        "/api/v1/payments",
        "/api/v1/payments/transactions",
        "/api/v1/payments/{payment_id}",
        "/api/v1/payments/{payment_id}/refund",
        "/api/v1/payments/cod/{order_id}/settle",
        "/api/v1/wallet/topups",
        "/api/v1/wallet",
    } <= set(paths)


def test_settings_choose_the_gateway_and_the_retry_policy() -> None:
    assert isinstance(build_gateway(ServingSettings()), SandboxGateway)
    razorpay = build_gateway(ServingSettings.of(payments_gateway="razorpay", razorpay_key_id="rzp_test_x"))
    assert isinstance(razorpay, RazorpayGateway)
    razorpay.close()
    policy = retry_policy(ServingSettings.of(payments_gateway_max_attempts=7, payments_retry_cap_seconds=2.5))
    assert (policy.max_attempts, policy.cap_seconds) == (7, 2.5)


# Nothing listens on port 9: any attempt to connect would fail the test.
UNREACHABLE_DATABASE = "postgresql+psycopg://nobody@127.0.0.1:9/nowhere"


def test_the_sandbox_from_settings_keeps_its_state_in_postgresql_and_connects_only_when_used() -> None:
    gateway = build_gateway(ServingSettings.of(database_url=UNREACHABLE_DATABASE))
    assert isinstance(gateway, SandboxGateway) and isinstance(gateway.store, PostgresSandboxStore)
    gateway.close()


class _ClosableGateway(SandboxGateway):
    def __init__(self) -> None:
        super().__init__()
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


def test_the_app_builds_its_payments_once_and_closes_the_gateway_it_built_but_not_one_a_test_gave_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = ServingSettings.of(database_url=UNREACHABLE_DATABASE)
    built = _ClosableGateway()
    monkeypatch.setattr(bootstrap, "build_gateway", lambda _settings: built)
    app = create_app(settings)
    with TestClient(app):
        first = deps.payments_service(cast(Request, SimpleNamespace(app=app)))
        assert first.gateway is built
        assert deps.payments_service(cast(Request, SimpleNamespace(app=app))) is first
        assert built.closed == 0
    assert built.closed == 1

    given = _ClosableGateway()
    service = bootstrap.payments_service(settings, create_engine(UNREACHABLE_DATABASE), given)
    app = create_app(settings, overrides={deps.payments_service: lambda: service})
    with TestClient(app) as client:
        client.get("/healthz")
    assert given.closed == 0
