"""Reading orders: one order to whoever may see it, and history pages."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Connection, Engine

from serving.kernel.auth import Principal, Role
from serving.kernel.http.keyset_cursor import Cursor, encode_cursor
from serving.orders.adapters import history, repository
from serving.orders.domain import Order, OrderStatus
from serving.orders.ports import RestaurantOwnership


def owns(ownership: RestaurantOwnership, connection: Connection, principal: Principal, order: Order) -> bool:
    return ownership.owns(connection, principal.subject, order.restaurant_id)


def order_visible_to(
    order: Order,
    principal: Principal,
    *,
    owns_restaurant: Callable[[], bool] = lambda: False,
) -> bool:
    """Customers see their own orders, restaurants their restaurants' orders, admins all."""
    if principal.role is Role.ADMIN:
        return True
    if principal.role is Role.CUSTOMER:
        return order.customer_id == principal.subject
    if principal.role is Role.RESTAURANT:
        return owns_restaurant()
    return False


def get_order(
    engine: Engine,
    order_id: uuid.UUID,
    principal: Principal,
    ownership: RestaurantOwnership | None = None,
) -> Order | None:
    """The order if it exists and the principal may see it; otherwise None (not found)."""
    with engine.connect() as connection:
        order = repository.find_order(connection, order_id)
        if order is None:
            return None
        visible = order_visible_to(
            order,
            principal,
            owns_restaurant=lambda: ownership is not None and owns(ownership, connection, principal, order),
        )
    return order if visible else None


@dataclass(frozen=True)
class HistoryPage:
    orders: list[Order]
    next_cursor: str | None


def order_history(
    engine: Engine,
    principal: Principal,
    *,
    ownership: RestaurantOwnership,
    limit: int,
    after: Cursor | None = None,
    statuses: Sequence[OrderStatus] = (),
    placed_from: datetime | None = None,
    placed_to: datetime | None = None,
    restaurant_id: str | None = None,
) -> HistoryPage:
    """One page of the caller's orders, newest first; ``next_cursor`` None on the last page."""
    with engine.connect() as connection:
        customer_id: str | None = None
        restaurant_ids: list[str] | None = [restaurant_id] if restaurant_id else None
        if principal.role is Role.CUSTOMER:
            customer_id = principal.subject
        elif principal.role is Role.RESTAURANT:
            owned = ownership.restaurants_of(connection, principal.subject)
            restaurant_ids = [r for r in owned if restaurant_id in (None, r)]
        elif principal.role is not Role.ADMIN:
            raise AssertionError("the router admits customers, restaurants and admins only")
        where = history.HistoryFilter(
            customer_id=customer_id,
            restaurant_ids=restaurant_ids,
            statuses=statuses,
            placed_from=placed_from,
            placed_to=placed_to,
        )
        # One extra row tells whether another page exists without a COUNT.
        rows = history.list_orders(connection, where, after, limit + 1)
    page, more = rows[:limit], len(rows) > limit
    next_cursor = encode_cursor(Cursor(page[-1].placed_at, page[-1].order_id)) if more else None
    return HistoryPage(page, next_cursor)
