"""Apps under test, each on settings of its own (``make_client`` is a fixture: a conftest
imports it where the tests want it)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient

from serving.app import create_app
from serving.settings import ServingSettings


@contextmanager
def client_maker(settings: ServingSettings, name: str) -> Iterator[Callable[..., TestClient]]:
    """``make(**setting_overrides)`` -> a started client of a new app on ``settings``
    changed so, with a service name ``<name>-<random>`` (Redis buckets of its own)
    unless given; every client is closed when the block ends."""
    with ExitStack() as clients:

        def make(**overrides: Any) -> TestClient:
            options = {"service_name": f"{name}-{uuid.uuid4().hex[:6]}", **overrides}
            app = create_app(settings.changed(**options))
            return clients.enter_context(TestClient(app, raise_server_exceptions=False))

        yield make


@pytest.fixture
def make_client(settings: ServingSettings) -> Iterator[Callable[..., TestClient]]:
    """``make_client(**setting_overrides)`` -> a client of an app with its own settings
    (the module's ``settings`` changed so)."""
    with client_maker(settings, "test-app") as make:
        yield make
