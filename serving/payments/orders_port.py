"""How payments learns what an order costs and whose it is: a narrow read of the orders
service's table, the synchronous answer a payment needs before it moves money.

In the embedded deployment both schemas live in one database, so the read runs on the
payment's own transaction and takes a ``FOR SHARE`` lock on the order row: a
cancellation (which locks the row ``FOR UPDATE``) then either commits first and this
payment is refused, or waits until the payment has committed and its ``OrderCancelled``
is refunded by the saga. A split deployment replaces this adapter with a call to the
orders service and relies on the saga alone.
"""

from __future__ import annotations

import uuid
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from serving.payments.domain import OrderToPay

_orders = sa.table(
    "orders",
    sa.column("order_id"),
    sa.column("customer_id"),
    sa.column("status"),
    sa.column("total_minor"),
    sa.column("currency"),
    schema="orders",
)


class PayableOrders(Protocol):
    def order_to_pay(self, connection: Connection, order_id: uuid.UUID) -> OrderToPay | None: ...


class OrdersTable:
    """``PayableOrders`` over ``orders.orders``, locked ``FOR SHARE`` until the payment commits."""

    def order_to_pay(self, connection: Connection, order_id: uuid.UUID) -> OrderToPay | None:
        row = connection.execute(
            sa.select(_orders).where(_orders.c.order_id == order_id).with_for_update(read=True)
        ).first()
        if row is None:
            return None
        return OrderToPay(row.order_id, row.customer_id, row.status, row.total_minor, row.currency)
