"""Running a service use case inside the consumer's transaction.

``Payments`` opens its own transactions (``engine.begin()``). Given this adapter
instead of an engine, each of its transactions becomes a SAVEPOINT in the
consumer's transaction: the refund, its ledger entry, its outbox event and the
``processed_events`` row commit together, and a refused refund rolls back only its
savepoint.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection


class ConnectionAsEngine:
    """The ``begin``/``connect`` of an Engine, on one connection already in a transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self._connection.begin_nested():
            yield self._connection

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        yield self._connection
