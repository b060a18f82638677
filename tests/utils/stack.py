"""The tests' own local stack (.stack-test, on ports of its own) and what outage tests
need of it: stopping and starting one component, and throw-away databases."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field

import psycopg

from contracts.topics import ALL_TOPICS
from ops.paths import REPO_ROOT
from ops.stack.config import StackConfig
from ops.stack.manager import LocalStack
from ops.stack.topics import ensure_topics

TEST_STACK = StackConfig(
    root=REPO_ROOT / ".stack-test",
    postgres_port=int(os.environ.get("TIFFIN_TEST_PG_PORT", 55532)),
    redis_port=int(os.environ.get("TIFFIN_TEST_REDIS_PORT", 56479)),
    kafka_port=int(os.environ.get("TIFFIN_TEST_KAFKA_PORT", 59192)),
    kafka_controller_port=int(os.environ.get("TIFFIN_TEST_KAFKA_CONTROLLER_PORT", 59193)),
)


@dataclass
class ComponentControl:
    """Stops and starts one real component of the session's stack, for outage tests."""

    local: LocalStack
    name: str

    def stop(self) -> None:
        self.local.component(self.name).stop()

    def start(self) -> None:
        self.local.component(self.name).start()  # returns once it accepts connections


class KafkaControl(ComponentControl):
    """The broker; a restarted one gets the topics again (a fresh log has none)."""

    def __init__(self, local: LocalStack) -> None:
        super().__init__(local, "kafka")

    def start(self) -> None:
        super().start()
        ensure_topics(self.local.config.kafka_bootstrap, ALL_TOPICS)


class PostgresControl(ComponentControl):
    """PostgreSQL. Every test database of the session lives on it: a test using this
    belongs in a module of its own."""

    def __init__(self, local: LocalStack) -> None:
        super().__init__(local, "postgres")


@dataclass
class Databases:
    """Empty databases on the stack's PostgreSQL, dropped together by ``drop_all``."""

    stack: StackConfig
    created: list[str] = field(default_factory=list)

    @property
    def _admin_dsn(self) -> str:
        return self.stack.postgres_dsn.rsplit("/", 1)[0] + "/postgres"

    def create(self) -> str:
        """A new empty database; its SQLAlchemy URL."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self._admin_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return self.stack.postgres_url_for(name)

    def drop_all(self) -> None:
        with psycopg.connect(self._admin_dsn, autocommit=True) as conn:
            for name in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()
