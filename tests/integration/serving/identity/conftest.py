"""Fixtures for the identity tests: real PostgreSQL and Redis, users registered through the API."""

from __future__ import annotations

import pytest

from ops.stack.config import StackConfig
from serving.settings import ServingSettings
from tests.utils.apps import make_client  # noqa: F401 (fixture)
from tests.utils.people import new_user  # noqa: F401 (fixture)
from tests.utils.settings import UNREACHED_RATE_LIMITS, settings_for


@pytest.fixture(scope="module")
def settings(database_url: str, stack: StackConfig) -> ServingSettings:
    """Overrides the serving conftest's: Redis of the test stack, limits no test reaches."""
    return settings_for(database_url, stack, "identity-test", **UNREACHED_RATE_LIMITS)
