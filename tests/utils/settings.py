"""Settings of an app under test: a test database, the test stack's Redis and Kafka."""

from __future__ import annotations

import uuid
from typing import Any

from ops.stack.config import StackConfig
from serving.settings import ServingSettings

# Buckets no test empties: the rate limiter runs (and reads every token) but never refuses.
UNREACHED_RATE_LIMITS = {f"rate_limit_{kind}_capacity": 100_000 for kind in ("ip", "user", "auth")}


def new_jwt_secret(prefix: str = "test") -> str:
    """A secret of its own, so tokens of one test's app mean nothing to another's."""
    return f"{prefix}-secret-{uuid.uuid4().hex}{uuid.uuid4().hex}"


def settings_for(database_url: str, stack: StackConfig, name: str, **overrides: Any) -> ServingSettings:
    """Settings on ``database_url`` and the test stack's Redis and Kafka, with a new JWT
    secret and a service name ``<name>-<random>`` (its Redis keys and Kafka client ids are
    its own); ``overrides`` are flat setting names (``rate_limit_enabled=False``, ...)."""
    options: dict[str, Any] = {
        "database_url": database_url,
        "redis_url": stack.redis_url,
        "kafka_bootstrap": stack.kafka_bootstrap,
        "jwt_secret": new_jwt_secret(),
        "service_name": f"{name}-{uuid.uuid4().hex[:6]}",
        **overrides,
    }
    return ServingSettings.of(**options)
