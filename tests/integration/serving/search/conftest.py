"""Fixtures for the search tests: one database per module, seeded with the real-data sample."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from ops.stack.config import StackConfig
from serving.app import create_app
from serving.kernel.auth import Role, issue_access_token
from serving.restaurants.entrypoints.seed import seed
from serving.settings import ServingSettings


@pytest.fixture(scope="module")
def seeded(engine: Engine) -> Engine:
    seed(engine)
    return engine


@pytest.fixture(scope="module")
def settings(database_url: str, stack: StackConfig) -> ServingSettings:
    return ServingSettings.of(
        database_url=database_url,
        redis_url=stack.redis_url,
        kafka_bootstrap=stack.kafka_bootstrap,
        jwt_secret=f"test-secret-{uuid.uuid4().hex}{uuid.uuid4().hex}",
        service_name=f"search-test-{uuid.uuid4().hex[:6]}",
        rate_limit_enabled=False,  # many searches as one user
    )


@pytest.fixture(scope="module")
def client(settings: ServingSettings, seeded: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def auth(settings: ServingSettings) -> Callable[..., dict[str, str]]:
    def header(subject: str = "searcher", role: Role = Role.CUSTOMER) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_access_token(subject, role, settings)}"}

    return header


