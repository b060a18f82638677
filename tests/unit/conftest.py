"""Unit tests need no stack and start no process: both fail here at once, with where
such a test belongs instead (docs/testing.md)."""

from __future__ import annotations

import subprocess
from typing import Any, NoReturn

import pytest


@pytest.fixture(scope="session")
def stack() -> NoReturn:
    pytest.fail("a unit test needs no stack: a test on PostgreSQL, Redis or Kafka belongs in tests/integration/")


@pytest.fixture(autouse=True)
def no_child_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> NoReturn:
        raise AssertionError("a unit test starts no process: a test that does belongs in tests/integration/")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)
