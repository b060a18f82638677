"""Order use cases: each runs in one database transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from serving.auth import Principal, Role
from serving.orders import domain, repository
from serving.orders.events import order_placed_envelope
from serving.orders.schemas import PlaceOrderRequest


def _utc_now() -> datetime:
    return datetime.now(UTC)


def place_order(
    engine: Engine,
    customer_id: str,
    request: PlaceOrderRequest,
    *,
    now: Callable[[], datetime] = _utc_now,
    trace_id: str | None = None,
) -> domain.Order:
    """Price and store a new order with its OrderPlaced event, all or nothing.

    Raises domain.OrderRejected (before touching the database) on a broken rule.
    """
    order = domain.place_order(
        order_id=uuid.uuid4(),
        customer_id=customer_id,
        restaurant_id=request.restaurant_id,
        city=request.city,
        currency=request.currency,
        lines=request.line_items(),
        delivery_fee_minor=request.delivery_fee_minor,
        placed_at=now(),
    )
    event = order_placed_envelope(order, trace_id=trace_id)
    with engine.begin() as connection:
        repository.insert_order(connection, order, event)
    return order


def order_visible_to(order: domain.Order, principal: Principal) -> bool:
    """Customers see their own orders; admins see every order."""
    return principal.role is Role.ADMIN or (
        principal.role is Role.CUSTOMER and order.customer_id == principal.subject
    )


def get_order(engine: Engine, order_id: uuid.UUID, principal: Principal) -> domain.Order | None:
    """The order if it exists and the principal may see it; otherwise None (a 404)."""
    with engine.connect() as connection:
        order = repository.find_order(connection, order_id)
    if order is None or not order_visible_to(order, principal):
        return None
    return order
