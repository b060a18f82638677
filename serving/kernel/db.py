"""Engines for the serving layer's PostgreSQL database (knows no service)."""

from __future__ import annotations

import threading

import sqlalchemy as sa
from sqlalchemy.engine import Engine


def create_engine(database_url: str, **kwargs: object) -> Engine:
    """An engine whose sessions run in UTC, so TIMESTAMPTZ values come back in UTC.

    Creating it opens no connection; the pool connects on first use.
    """
    options = {
        "pool_pre_ping": True,  # survive a PostgreSQL restart without failing requests
        "connect_args": {"options": "-c timezone=UTC"},
    }
    options.update(kwargs)
    return sa.create_engine(database_url, **options)


class LazyEngine:
    """An engine created on first use, so building an app opens nothing."""

    def __init__(self, database_url: str) -> None:
        self._database_url = database_url
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = create_engine(self._database_url)
            return self._engine

    def dispose(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None
