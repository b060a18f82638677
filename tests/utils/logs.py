"""What the code under test logs, kept for the test to read (``logs`` is a fixture: a
conftest imports it where the tests want it)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


class LogRecords(logging.Handler):
    """Every record the root logger passes on, in order."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def at_least(self, level: int) -> list[logging.LogRecord]:
        """Records of ``level`` or worse, without the access log's "request finished" lines."""
        return [r for r in self.records if r.levelno >= level and r.getMessage() != "request finished"]


@contextmanager
def collected_logs(*filters: logging.Filter) -> Iterator[LogRecords]:
    """The root logger's records while the block runs, through ``filters`` (as a real
    handler would run them, e.g. the gateway's ``RequestIdFilter``)."""
    handler = LogRecords()
    for log_filter in filters:
        handler.addFilter(log_filter)
    logging.getLogger().addHandler(handler)
    try:
        yield handler
    finally:
        logging.getLogger().removeHandler(handler)


@pytest.fixture
def logs() -> Iterator[LogRecords]:
    """What the root logger receives during the test."""
    with collected_logs() as records:
        yield records
