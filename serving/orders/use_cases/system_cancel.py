"""The platform cancelling orders by itself (system actor): unpaid orders, and orders no
restaurant accepted in time.

Each goes through the lifecycle table with its ``OrderCancelled`` event, the order row
locked, like every status change. See docs/saga.md.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Connection, Engine

from contracts.events.payments import PaymentFailed
from serving.kernel.clock import utc_now
from serving.orders.adapters import repository
from serving.orders.domain import Order, OrderStatus, lifecycle
from serving.orders.domain.events import transition_envelope
from serving.orders.domain.system_cancels import accept_deadline, cancels_for_failed_payment
from serving.orders.ports import StockKeeper

log = logging.getLogger(__name__)

PAYMENT_ACTOR_ID = "saga"
SWEEPER_ACTOR_ID = "accept-timeout-sweeper"


def system_cancel(
    connection: Connection,
    order: Order,
    reason: lifecycle.CancelReason,
    *,
    actor_id: str,
    now: datetime,
    trace_id: str | None = None,
    stock: StockKeeper | None = None,
) -> Order:
    """Move a row-locked order to CANCELLED through the lifecycle table, with its event.

    The same table and repository calls as ``transitions.change_status`` (which has no
    system principal), stock hook included: an ACCEPTED order's reserved portions go
    back (its MenuItemChanged events reach the restaurants cache through the outbox).
    Without ``stock`` the order must hold none: a PENDING one (stock is taken on accept).
    An illegal move raises, nothing is written.
    """
    change = lifecycle.apply(
        order, OrderStatus.CANCELLED, actor=lifecycle.Actor.SYSTEM, actor_id=actor_id, now=now, reason=reason
    )
    if stock is not None:
        stock.on_transition(connection, change, trace_id=trace_id)
    repository.save_transition(connection, change, transition_envelope(change, trace_id=trace_id))
    return change.after


@dataclass(frozen=True)
class Unpaid:
    order: Order  # as it is now
    cancelled: bool  # False: the lifecycle no longer lets it go, so it was left as it was


def cancel_unpaid(
    connection: Connection,
    order_id: uuid.UUID,
    *,
    now: datetime,
    stock: StockKeeper,
    trace_id: str | None = None,
) -> Unpaid | None:
    """A failed payment cancels its order (reason ``payment_failed``) in the caller's
    transaction, while the lifecycle allows it; None if there is no such order."""
    order = repository.find_order(connection, order_id, for_update=True)
    if order is None:
        return None
    if not cancels_for_failed_payment(PaymentFailed.event_type, order.status):
        return Unpaid(order, cancelled=False)
    cancelled = system_cancel(
        connection,
        order,
        lifecycle.CancelReason.PAYMENT_FAILED,
        actor_id=PAYMENT_ACTOR_ID,
        now=now,
        trace_id=trace_id,
        stock=stock,
    )
    return Unpaid(cancelled, cancelled=True)


def sweep_accept_timeouts(
    engine: Engine,
    timeout: timedelta,
    *,
    now: Callable[[], datetime] = utc_now,
    batch_size: int = 100,
) -> list[uuid.UUID]:
    """Cancel overdue PENDING orders (reason ``accept_timeout``; one batch, one
    transaction); returns their ids.

    Idempotent: a cancelled order is no longer PENDING, so the next sweep does not see
    it. Each ``OrderCancelled`` makes the payments consumer refund.
    """
    at = now()
    with engine.begin() as connection:
        overdue = repository.lock_overdue_pending(connection, accept_deadline(at, timeout), batch_size)
        for order_id in overdue:
            order = repository.find_order(connection, order_id)  # locked above
            assert order is not None
            system_cancel(connection, order, lifecycle.CancelReason.ACCEPT_TIMEOUT, actor_id=SWEEPER_ACTOR_ID, now=at)
    if overdue:
        log.info("cancelled %d orders not accepted within %s", len(overdue), timeout)
    return overdue
