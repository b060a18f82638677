"""Session fixtures: one real local stack (PostgreSQL, Redis, Kafka) for the whole test run.

The tests' stack lives in .stack-test on its own ports, so a developer's `tiffin stack up`
is never touched. It starts on first use and stops at the end unless it was already
running (or TIFFIN_TEST_KEEP_STACK=1), which makes reruns fast.

What fixtures build lives in tests/utils/ (docs/testing.md); conftests only wire it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

from ops.environment import patched_environ
from ops.stack.config import StackConfig
from ops.stack.manager import LocalStack

# TEST_STACK is also imported from here by the command that stops the stack (docs/testing.md).
from tests.utils.stack import TEST_STACK, Databases, KafkaControl, PostgresControl

# Like the CLI for a developer's stack: the tests' stack keeps its own random JWT secret
# (.stack-test/jwt-secret), and every process of the run — these tests, the APIs and
# tools they start — signs and checks tokens with it. No public default exists.
os.environ["TIFFIN_JWT_SECRET"] = TEST_STACK.jwt_secret()


@pytest.fixture(scope="session")
def stack() -> Iterator[StackConfig]:
    local = LocalStack(TEST_STACK)
    already_running = all(s.running for s in local.status())
    local.up()
    try:
        with patched_environ(TEST_STACK.env()):
            yield TEST_STACK
    finally:
        if not already_running and os.environ.get("TIFFIN_TEST_KEEP_STACK") != "1":
            local.down()


@pytest.fixture(scope="session")
def make_database(stack: StackConfig) -> Iterator[Callable[[], str]]:
    """Creates empty databases on the test PostgreSQL; returns their SQLAlchemy URLs."""
    databases = Databases(stack)
    yield databases.create
    databases.drop_all()


@pytest.fixture
def kafka_control(stack: StackConfig) -> Iterator[KafkaControl]:
    control = KafkaControl(LocalStack(stack))
    try:
        yield control
    finally:
        control.start()  # never leave the session's broker down for the next test


@pytest.fixture
def postgres_control(stack: StackConfig) -> Iterator[PostgresControl]:
    control = PostgresControl(LocalStack(stack))
    try:
        yield control
    finally:
        control.start()  # never leave the session's database down for the next test
