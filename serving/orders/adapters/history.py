"""Order history pages: newest first, keyset-paged over (placed_at, order_id)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from serving.kernel.http.keyset_cursor import Cursor
from serving.orders.adapters import repository
from serving.orders.adapters.tables import orders
from serving.orders.domain.order import Order, OrderStatus


@dataclass(frozen=True)
class HistoryFilter:
    """Which orders a history page may contain; ``None`` means "no restriction"."""

    customer_id: str | None = None
    restaurant_ids: Sequence[str] | None = None
    statuses: Sequence[OrderStatus] = ()
    placed_from: datetime | None = None
    placed_to: datetime | None = None


def list_orders(connection: Connection, where: HistoryFilter, after: Cursor | None, limit: int) -> list[Order]:
    """Up to ``limit`` orders, newest first, strictly after ``after`` (keyset paging)."""
    query = sa.select(orders)
    if where.customer_id is not None:
        query = query.where(orders.c.customer_id == where.customer_id)
    if where.restaurant_ids is not None:
        if not where.restaurant_ids:
            return []
        query = query.where(orders.c.restaurant_id.in_(list(where.restaurant_ids)))
    if where.statuses:
        query = query.where(orders.c.status.in_([s.value for s in where.statuses]))
    if where.placed_from is not None:
        query = query.where(orders.c.placed_at >= where.placed_from)
    if where.placed_to is not None:
        query = query.where(orders.c.placed_at < where.placed_to)
    if after is not None:
        query = query.where(sa.tuple_(orders.c.placed_at, orders.c.order_id) < (after.at, after.row_id))
    query = query.order_by(orders.c.placed_at.desc(), orders.c.order_id.desc()).limit(limit)
    return repository.with_lines(connection, connection.execute(query).all())
