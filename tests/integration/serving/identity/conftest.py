"""Fixtures for the identity tests: real PostgreSQL and Redis, users registered through the API."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from ops.stack.config import StackConfig
from serving.settings import ServingSettings
from tests.utils.apps import client_maker
from tests.utils.logs import LogRecords, collected_logs
from tests.utils.people import User, user_maker
from tests.utils.settings import UNREACHED_RATE_LIMITS, settings_for


@pytest.fixture(scope="module")
def settings(database_url: str, stack: StackConfig) -> ServingSettings:
    """Overrides the serving conftest's: Redis of the test stack, limits no test reaches."""
    return settings_for(database_url, stack, "identity-test", **UNREACHED_RATE_LIMITS)


@pytest.fixture
def make_client(settings: ServingSettings) -> Iterator[Callable[..., TestClient]]:
    """``make_client(**setting_overrides)`` -> a client of an app with its own settings."""
    with client_maker(settings, "identity-test") as make:
        yield make


@pytest.fixture(scope="module")
def new_user(client: TestClient, engine: Engine) -> Callable[..., User]:
    """``new_user(role)`` -> a registered, logged-in user with a phone (admins are made like the CLI does)."""
    return user_maker(client, engine)


@pytest.fixture
def logs() -> Iterator[LogRecords]:
    """What the root logger receives during the test."""
    with collected_logs() as records:
        yield records
