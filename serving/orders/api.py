"""The orders service's public API: the only module another service may import.

Functions take the caller's ``Connection``: in the embedded deployment every schema
lives in one database, so a peer's question is answered inside the peer's own
transaction (ADR 0004). A split deployment replaces these functions' bodies with
calls to the orders service; callers do not change.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from serving.orders.adapters.tables import orders


@dataclass(frozen=True)
class OrderToPay:
    """What a payment needs of an order: whose it is, its state and what it costs."""

    order_id: uuid.UUID
    customer_id: str
    status: str
    total_minor: int
    currency: str


@dataclass(frozen=True)
class OrderFacts:
    """Who ordered from which restaurant, and where the order stands."""

    order_id: uuid.UUID
    customer_id: str
    restaurant_id: str
    status: str


def order_to_pay(connection: Connection, order_id: uuid.UUID) -> OrderToPay | None:
    """The order, locked ``FOR SHARE`` until the caller commits.

    A cancellation locks the row ``FOR UPDATE``, so it is ordered before or after the
    payment that asked, never across it.
    """
    row = connection.execute(
        sa.select(orders.c.order_id, orders.c.customer_id, orders.c.status, orders.c.total_minor, orders.c.currency)
        .where(orders.c.order_id == order_id)
        .with_for_update(read=True)
    ).first()
    if row is None:
        return None
    return OrderToPay(row.order_id, row.customer_id, row.status, row.total_minor, row.currency)


def order_facts(connection: Connection, order_id: uuid.UUID) -> OrderFacts | None:
    """The order's customer, restaurant and status; no lock."""
    row = connection.execute(
        sa.select(orders.c.order_id, orders.c.customer_id, orders.c.restaurant_id, orders.c.status).where(
            orders.c.order_id == order_id
        )
    ).first()
    if row is None:
        return None
    return OrderFacts(row.order_id, row.customer_id, row.restaurant_id, row.status)
