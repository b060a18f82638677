"""Cancelling an order on the platform's behalf (system actor), inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Connection

from serving.orders.adapters import repository
from serving.orders.domain import Order, OrderStatus, lifecycle
from serving.orders.domain.events import transition_envelope
from serving.orders.ports import NoStock, StockKeeper


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

    The same table and repository calls as ``serving.orders.use_cases.placement.change_status``
    (which has no system principal), stock hook included: an ACCEPTED order's
    reserved portions go back (its MenuItemChanged events reach the restaurants
    cache through the outbox). An illegal move raises, nothing is written.
    """
    change = lifecycle.apply(
        order, OrderStatus.CANCELLED, actor=lifecycle.Actor.SYSTEM, actor_id=actor_id, now=now, reason=reason
    )
    (stock or NoStock()).on_transition(connection, change, trace_id=trace_id)
    repository.save_transition(connection, change, transition_envelope(change, trace_id=trace_id))
    return change.after
