"""Apps under test, each on settings of its own."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

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
