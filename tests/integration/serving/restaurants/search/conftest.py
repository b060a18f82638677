"""Fixtures for the search tests: one database per module, seeded with the real-data sample."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from ops.stack.config import StackConfig
from serving.app import create_app
from serving.restaurants.entrypoints.seed import seed
from serving.settings import ServingSettings
from tests.utils.people import auth_for
from tests.utils.settings import settings_for


@pytest.fixture(scope="module")
def seeded(engine: Engine) -> Engine:
    seed(engine)
    return engine


@pytest.fixture(scope="module")
def settings(database_url: str, stack: StackConfig) -> ServingSettings:
    return settings_for(database_url, stack, "search-test", rate_limit_enabled=False)  # many searches as one user


@pytest.fixture(scope="module")
def client(settings: ServingSettings, seeded: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def auth(settings: ServingSettings) -> Callable[..., dict[str, str]]:
    return auth_for(settings, default_subject="searcher")
