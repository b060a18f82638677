"""The accept-timeout sweeper: cancels orders no restaurant answered in time.

Each sweep locks up to ``batch_size`` overdue PENDING orders with ``FOR UPDATE
SKIP LOCKED`` (several sweepers never wait on or double-cancel each other, and an
order a restaurant is accepting right now is skipped, not overwritten) and moves
them to CANCELLED with reason ``accept_timeout`` (system actor), each with its
``OrderCancelled`` event, which makes the payments consumer refund. Idempotent: a
cancelled order is no longer PENDING, so the next sweep does not see it.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from serving.kernel.clock import utc_now
from serving.orders.adapters import repository
from serving.orders.adapters.tables import orders
from serving.orders.domain import OrderStatus, lifecycle
from serving.orders.use_cases.system_cancel import system_cancel
from serving.saga.decisions import accept_deadline

log = logging.getLogger(__name__)

ACTOR_ID = "accept-timeout-sweeper"


def sweep_accept_timeouts(
    engine: Engine,
    timeout: timedelta,
    *,
    now: Callable[[], datetime] = utc_now,
    batch_size: int = 100,
) -> list[uuid.UUID]:
    """Cancel overdue PENDING orders (one batch, one transaction); returns their ids."""
    at = now()
    with engine.begin() as connection:
        overdue: list[uuid.UUID] = list(
            connection.execute(
                sa.select(orders.c.order_id)
                .where(
                    orders.c.status == OrderStatus.PENDING.value,
                    orders.c.placed_at < accept_deadline(at, timeout),
                )
                .order_by(orders.c.placed_at)
                .limit(batch_size)
                .with_for_update(skip_locked=True)
            ).scalars()
        )
        for order_id in overdue:
            order = repository.find_order(connection, order_id)  # locked above
            assert order is not None
            system_cancel(connection, order, lifecycle.CancelReason.ACCEPT_TIMEOUT, actor_id=ACTOR_ID, now=at)
    if overdue:
        log.info("cancelled %d orders not accepted within %s", len(overdue), timeout)
    return overdue


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
                while len(sweep_accept_timeouts(self._engine, self._timeout)) == 100 and not stop.is_set():
                    pass
            except Exception:
                log.exception("accept-timeout sweep failed; trying again next interval")
            stop.wait(self._interval)
        log.info("accept-timeout sweeper stopped")

    def close(self) -> None:
        """Nothing to close: the engine belongs to the caller."""
