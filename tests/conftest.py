"""Session fixtures: one real local stack (PostgreSQL, Redis, Kafka) for the whole test run.

The tests' stack lives in .stack-test on its own ports, so a developer's `tiffin stack up`
is never touched. It starts on first use and stops at the end unless it was already
running (or TIFFIN_TEST_KEEP_STACK=1), which makes reruns fast.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import psycopg
import pytest

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
# Like the CLI for a developer's stack: the tests' stack keeps its own random JWT secret
# (.stack-test/jwt-secret), and every process of the run — these tests, the APIs and
# tools they start — signs and checks tokens with it. No public default exists.
os.environ["TIFFIN_JWT_SECRET"] = TEST_STACK.jwt_secret()


@pytest.fixture(scope="session")
def stack() -> Iterator[StackConfig]:
    local = LocalStack(TEST_STACK)
    already_running = all(s.running for s in local.status())
    local.up()
    saved = {k: os.environ.get(k) for k in TEST_STACK.env()}
    os.environ.update(TEST_STACK.env())
    try:
        yield TEST_STACK
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if not already_running and os.environ.get("TIFFIN_TEST_KEEP_STACK") != "1":
            local.down()


@pytest.fixture(scope="session")
def make_database(stack: StackConfig) -> Iterator[Callable[[], str]]:
    """Creates empty databases on the test PostgreSQL; returns their SQLAlchemy URLs."""
    created: list[str] = []
    admin_dsn = stack.postgres_dsn.rsplit("/", 1)[0] + "/postgres"

    def create() -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return stack.postgres_url_for(name)

    yield create
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class KafkaControl:
    """Stops and starts the real broker, for outage tests."""

    local: LocalStack

    def stop(self) -> None:
        self.local.component("kafka").stop()

    def start(self) -> None:
        self.local.component("kafka").start()
        ensure_topics(self.local.config.kafka_bootstrap, ALL_TOPICS)


@pytest.fixture
def kafka_control(stack: StackConfig) -> Iterator[KafkaControl]:
    control = KafkaControl(LocalStack(stack))
    try:
        yield control
    finally:
        control.start()  # never leave the session's broker down for the next test


@dataclass
class PostgresControl:
    """Stops and starts the real PostgreSQL, for outage tests. Every test database of
    the session lives on it: a test using this belongs in a module of its own."""

    local: LocalStack

    def stop(self) -> None:
        self.local.component("postgres").stop()

    def start(self) -> None:
        self.local.component("postgres").start()  # returns once it accepts connections


@pytest.fixture
def postgres_control(stack: StackConfig) -> Iterator[PostgresControl]:
    control = PostgresControl(LocalStack(stack))
    try:
        yield control
    finally:
        control.start()  # never leave the session's database down for the next test
