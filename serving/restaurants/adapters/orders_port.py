"""What reviews need from the orders service: one order's customer, restaurant and status,
through ``serving.orders.api.order_facts`` on the review's own transaction. Whether the
order may be reviewed is decided by ``reviews.check_reviewable``, not here.
"""

from __future__ import annotations

import logging
import uuid
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from serving.orders import api as orders_api
from serving.restaurants.domain.reviews import OrderFacts

log = logging.getLogger(__name__)


class ReviewableOrders(Protocol):
    def find(self, connection: Connection, order_id: uuid.UUID) -> OrderFacts | None: ...


class OrdersApi:
    """``ReviewableOrders`` through the orders API; an unreadable answer means "no such order".

    No row lock: a delivered order can only become COMPLETED, which is reviewable too,
    so the answer cannot turn stale before the review commits.
    """

    def find(self, connection: Connection, order_id: uuid.UUID) -> OrderFacts | None:
        try:
            # A savepoint: without the orders schema (a restaurants-only database) only
            # this read fails, and the review is refused instead of the request crashing.
            with connection.begin_nested():
                order = orders_api.order_facts(connection, order_id)
        except sa.exc.ProgrammingError:
            log.exception("cannot read orders; refusing the review")
            return None
        if order is None:
            return None
        return OrderFacts(order.order_id, order.customer_id, order.restaurant_id, order.status)
