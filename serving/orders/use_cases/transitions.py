"""Moving an order through its lifecycle on a person's behalf (customer, restaurant,
courier, admin); the platform's own cancellations are ``system_cancel``."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine

from contracts.envelope import EventEnvelope
from serving.kernel.auth import Principal, Role
from serving.kernel.clock import utc_now
from serving.orders.adapters import repository
from serving.orders.domain import Order, OrderStatus, lifecycle
from serving.orders.domain.events import transition_envelope
from serving.orders.ports import RestaurantOwnership, StockKeeper
from serving.orders.use_cases.queries import order_visible_to, owns

_ACTOR_BY_ROLE = {
    Role.CUSTOMER: lifecycle.Actor.CUSTOMER,
    Role.RESTAURANT: lifecycle.Actor.RESTAURANT,
    Role.COURIER: lifecycle.Actor.COURIER,
    Role.ADMIN: lifecycle.Actor.ADMIN,
}


def change_status(
    engine: Engine,
    order_id: uuid.UUID,
    principal: Principal,
    target: OrderStatus,
    *,
    ownership: RestaurantOwnership,
    stock: StockKeeper,
    reason: lifecycle.CancelReason | None = None,
    prep_time_minutes: int | None = None,
    rejection_reason: lifecycle.RejectionReason | None = None,
    now: Callable[[], datetime] = utc_now,
    trace_id: str | None = None,
    after_commit: Callable[[EventEnvelope], object] = lambda _envelope: None,
) -> Order | None:
    """Apply one lifecycle move with the order row locked; None if not visible (not found).

    Raises IllegalTransition, ActorNotPermitted, MissingDetail or (from ``stock`` on
    an accept) OutOfStock, and then writes nothing. ``after_commit`` gets each stock
    event once the move is committed (the cache invalidation).
    """
    stock_events: list[EventEnvelope] = []
    with engine.begin() as connection:
        order = repository.find_order(connection, order_id, for_update=True)
        if order is None or not order_visible_to(
            order, principal, owns_restaurant=lambda: owns(ownership, connection, principal, order)
        ):
            return None
        change = lifecycle.apply(
            order,
            target,
            actor=_ACTOR_BY_ROLE[principal.role],
            actor_id=principal.subject,
            now=now(),
            reason=reason,
            prep_time_minutes=prep_time_minutes,
            rejection_reason=rejection_reason,
        )
        stock_events = stock.on_transition(connection, change, trace_id=trace_id)
        repository.save_transition(connection, change, transition_envelope(change, trace_id=trace_id))
    for envelope in stock_events:
        after_commit(envelope)
    return change.after
