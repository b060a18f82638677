"""What reviews need from the orders service: one order's customer, restaurant and status.

A narrow port like ``serving.orders.ports.TableRestaurantOwnership`` the other way round.
In the embedded deployment both schemas live in one database, so ``OrdersTable`` reads
``orders.orders`` on the review's own transaction; a split deployment swaps in a client
of the orders API (``app.state.reviewable_orders``). Whether the order may be reviewed
is decided by ``reviews.check_reviewable``, not here.
"""

from __future__ import annotations

import logging
import uuid
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.engine import Connection

from serving.restaurants.reviews import OrderFacts

log = logging.getLogger(__name__)


class ReviewableOrders(Protocol):
    def find(self, connection: Connection, order_id: uuid.UUID) -> OrderFacts | None: ...


class OrdersTable:
    """``ReviewableOrders`` over ``<schema>.orders``; an unreadable table means "no such order".

    No row lock: a delivered order can only become COMPLETED, which is reviewable too,
    so the answer cannot turn stale before the review commits.
    """

    def __init__(self, schema: str = "orders") -> None:
        self._orders = sa.table(
            "orders",
            sa.column("order_id", pg.UUID(as_uuid=True)),
            sa.column("customer_id", sa.Text),
            sa.column("restaurant_id", sa.Text),
            sa.column("status", sa.Text),
            schema=schema,
        )

    def find(self, connection: Connection, order_id: uuid.UUID) -> OrderFacts | None:
        orders = self._orders
        query = sa.select(orders.c.order_id, orders.c.customer_id, orders.c.restaurant_id, orders.c.status).where(
            orders.c.order_id == order_id
        )
        try:
            # A savepoint: without the orders schema (a restaurants-only database) only
            # this read fails, and the review is refused instead of the request crashing.
            with connection.begin_nested():
                row = connection.execute(query).first()
        except sa.exc.ProgrammingError:
            log.exception("cannot read orders from %s; refusing the review", orders.fullname)
            return None
        if row is None:
            return None
        return OrderFacts(row.order_id, str(row.customer_id), str(row.restaurant_id), str(row.status))
