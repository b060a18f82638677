"""The accept-timeout sweeper (``accept-timeout``): cancels orders no restaurant answered in time.

Each sweep is ``use_cases.system_cancel.sweep_accept_timeouts``: it locks up to a
batch of overdue PENDING orders with ``FOR UPDATE SKIP LOCKED`` and cancels them
with reason ``accept_timeout``. ``bootstrap.accept_timeout_sweeper`` builds it for
the ``serving.consumers`` root.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy.engine import Engine

from serving.orders.use_cases.system_cancel import sweep_accept_timeouts

log = logging.getLogger(__name__)

BATCH_SIZE = 100


class AcceptTimeoutSweeper:
    """Sweeps every ``interval_seconds`` until stopped (same run/close shape as a consumer)."""

    name = "accept-timeout"

    def __init__(self, engine: Engine, timeout: timedelta, interval_seconds: float) -> None:
        self._engine = engine
        self._timeout = timeout
        self._interval = interval_seconds

    def run(self, stop: threading.Event) -> None:
        log.info("accept-timeout sweeper started (timeout %s)", self._timeout)
        while not stop.is_set():
            try:
                # Drain: a backlog larger than one batch is cleared without waiting.
                while not stop.is_set() and (
                    len(sweep_accept_timeouts(self._engine, self._timeout, batch_size=BATCH_SIZE)) == BATCH_SIZE
                ):
                    pass
            except Exception:
                log.exception("accept-timeout sweep failed; trying again next interval")
            stop.wait(self._interval)
        log.info("accept-timeout sweeper stopped")

    def close(self) -> None:
        """Nothing to close: the engine belongs to the caller."""
