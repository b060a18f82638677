"""How payments learns what an order costs and whose it is: the orders service's
``api.order_to_pay``, the synchronous answer a payment needs before it moves money.

It runs on the payment's own transaction and locks the order row ``FOR SHARE``: a
cancellation (which locks the row ``FOR UPDATE``) then either commits first and this
payment is refused, or waits until the payment has committed and its ``OrderCancelled``
is refunded by the saga. A split deployment relies on the saga alone.
"""

from __future__ import annotations

import uuid
from typing import Protocol

from sqlalchemy.engine import Connection

from serving.orders import api as orders_api
from serving.payments.domain.payable import OrderToPay


class PayableOrders(Protocol):
    def order_to_pay(self, connection: Connection, order_id: uuid.UUID) -> OrderToPay | None: ...


class OrdersApi:
    """``PayableOrders`` through the orders service's API."""

    def order_to_pay(self, connection: Connection, order_id: uuid.UUID) -> OrderToPay | None:
        order = orders_api.order_to_pay(connection, order_id)
        if order is None:
            return None
        return OrderToPay(order.order_id, order.customer_id, order.status, order.total_minor, order.currency)
