"""Reading and writing orders in PostgreSQL, on a connection the caller controls."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from contracts.envelope import EventEnvelope
from serving.orders.domain import LineItem, Order, OrderStatus, OrderTotals
from serving.orders.tables import order_lines, orders, outbox
from serving.outbox.writer import append_to_outbox


def insert_order(connection: Connection, order: Order, event: EventEnvelope) -> None:
    """Write the order, its lines and its event; the caller's transaction makes it atomic."""
    connection.execute(
        sa.insert(orders).values(
            order_id=order.order_id,
            customer_id=order.customer_id,
            restaurant_id=order.restaurant_id,
            city=order.city,
            status=order.status.value,
            currency=order.currency,
            subtotal_minor=order.totals.subtotal_minor,
            delivery_fee_minor=order.totals.delivery_fee_minor,
            total_minor=order.totals.total_minor,
            placed_at=order.placed_at,
        )
    )
    connection.execute(
        sa.insert(order_lines),
        [
            {
                "order_id": order.order_id,
                "line_no": line_no,
                "item_id": line.item_id,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price_minor": line.unit_price_minor,
                "line_total_minor": line.line_total_minor,
            }
            for line_no, line in enumerate(order.lines, start=1)
        ],
    )
    append_to_outbox(connection, outbox, event)


def find_order(connection: Connection, order_id: uuid.UUID) -> Order | None:
    head = connection.execute(sa.select(orders).where(orders.c.order_id == order_id)).first()
    if head is None:
        return None
    lines = connection.execute(
        sa.select(order_lines).where(order_lines.c.order_id == order_id).order_by(order_lines.c.line_no)
    ).all()
    return Order(
        order_id=head.order_id,
        customer_id=head.customer_id,
        restaurant_id=head.restaurant_id,
        city=head.city,
        currency=head.currency,
        lines=tuple(
            LineItem(
                item_id=line.item_id,
                name=line.name,
                quantity=line.quantity,
                unit_price_minor=line.unit_price_minor,
            )
            for line in lines
        ),
        totals=OrderTotals(
            subtotal_minor=head.subtotal_minor,
            delivery_fee_minor=head.delivery_fee_minor,
            total_minor=head.total_minor,
        ),
        status=OrderStatus(head.status),
        placed_at=head.placed_at,
    )
