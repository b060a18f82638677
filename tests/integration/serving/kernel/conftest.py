"""Fixtures for the kernel's tests on the real stack (gateway, problems, database
outages, relay, consumer framework): an app with the test stack's Redis and rate limits
no test reaches unless it asks, and accounts registered through the identity API."""

from __future__ import annotations

import pytest

from ops.stack.config import StackConfig
from serving.settings import ServingSettings
from tests.utils.apps import make_client  # noqa: F401 (fixture)
from tests.utils.logs import logs  # noqa: F401 (fixture)
from tests.utils.people import new_user  # noqa: F401 (fixture)
from tests.utils.settings import UNREACHED_RATE_LIMITS, settings_for


@pytest.fixture(scope="module")
def settings(database_url: str, stack: StackConfig) -> ServingSettings:
    """Overrides the serving conftest's: Redis of the test stack, limits no test reaches."""
    return settings_for(database_url, stack, "kernel-test", **UNREACHED_RATE_LIMITS)
