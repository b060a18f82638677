"""Reading and writing orders in PostgreSQL, on a connection the caller controls."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from contracts.envelope import EventEnvelope
from serving.kernel.messaging.outbox_writer import append_to_outbox
from serving.orders.adapters.tables import order_lines, order_status_history, orders, outbox
from serving.orders.domain import LineItem, Order, OrderStatus, OrderTotals
from serving.orders.domain.lifecycle import Actor, Transitioned

# Built once: executing a prebuilt INSERT with a parameter dict skips building the
# statement and its cache key on every order (a hot path: every placement).
_INSERT_ORDER = sa.insert(orders)
_INSERT_LINE = sa.insert(order_lines)
_INSERT_HISTORY = sa.insert(order_status_history)


def insert_order(connection: Connection, order: Order, event: EventEnvelope) -> None:
    """Write the order, its lines and its event; the caller's transaction makes it atomic."""
    connection.execute(
        _INSERT_ORDER,
        {
            "order_id": order.order_id,
            "customer_id": order.customer_id,
            "restaurant_id": order.restaurant_id,
            "city": order.city,
            "status": order.status.value,
            "currency": order.currency,
            "subtotal_minor": order.totals.subtotal_minor,
            "delivery_fee_minor": order.totals.delivery_fee_minor,
            "total_minor": order.totals.total_minor,
            "discount_minor": order.totals.discount_minor,
            "tax_minor": order.totals.tax_minor,
            "packaging_minor": order.totals.packaging_minor,
            "offer_code": order.offer_code,
            "placed_at": order.placed_at,
        },
    )
    connection.execute(
        _INSERT_LINE,
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
    connection.execute(
        _INSERT_HISTORY,
        {
            "order_id": order.order_id,
            "from_status": None,
            "to_status": order.status.value,
            "actor": Actor.CUSTOMER.value,
            "actor_id": order.customer_id,
            "changed_at": order.placed_at,
        },
    )
    append_to_outbox(connection, outbox, event)


def _lines_by_order(connection: Connection, order_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Any]]:
    by_order: dict[uuid.UUID, list[Any]] = {order_id: [] for order_id in order_ids}
    if order_ids:
        query = (
            sa.select(order_lines)
            .where(order_lines.c.order_id.in_(order_ids))
            .order_by(order_lines.c.order_id, order_lines.c.line_no)
        )
        for line in connection.execute(query):
            by_order[line.order_id].append(line)
    return by_order


def _to_order(head: Any, lines: Sequence[Any]) -> Order:
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
            discount_minor=head.discount_minor,
            tax_minor=head.tax_minor,
            packaging_minor=head.packaging_minor,
        ),
        status=OrderStatus(head.status),
        placed_at=head.placed_at,
        estimated_ready_at=head.estimated_ready_at,
        cancellation_reason=head.cancellation_reason,
        offer_code=head.offer_code,
    )


def with_lines(connection: Connection, heads: Sequence[Any]) -> list[Order]:
    """The orders of ``orders`` rows, each with its lines (one query for all of them)."""
    lines = _lines_by_order(connection, [head.order_id for head in heads])
    return [_to_order(head, lines[head.order_id]) for head in heads]


def find_order(connection: Connection, order_id: uuid.UUID, *, for_update: bool = False) -> Order | None:
    """The order; ``for_update`` locks its row until the transaction ends.

    Every status change reads the order with the lock, so two racing changes are
    serialised: the second sees the first one's status and is judged against it.
    """
    query = sa.select(orders).where(orders.c.order_id == order_id)
    if for_update:
        query = query.with_for_update(of=orders)
    head = connection.execute(query).first()
    return None if head is None else with_lines(connection, [head])[0]


def save_transition(connection: Connection, change: Transitioned, event: EventEnvelope) -> None:
    """Store the new status, its history row and its event (call with the row locked)."""
    order = change.after
    connection.execute(
        sa.update(orders)
        .where(orders.c.order_id == order.order_id)
        .values(
            status=order.status.value,
            estimated_ready_at=order.estimated_ready_at,
            cancellation_reason=order.cancellation_reason,
        )
    )
    connection.execute(
        sa.insert(order_status_history).values(
            order_id=order.order_id,
            from_status=change.before.status.value,
            to_status=order.status.value,
            reason=change.reason.value if change.reason else None,
            actor=change.actor.value,
            actor_id=change.actor_id,
            changed_at=change.changed_at,
        )
    )
    append_to_outbox(connection, outbox, event)


def lock_offer_redemptions(connection: Connection, customer_id: str, restaurant_id: str, offer_code: str) -> None:
    """Serialise one customer's placements with one offer until the transaction ends.

    Counting redemptions and then inserting the order is a check-then-act: without
    this lock two concurrent placements would both count 0 and both get a
    once-per-customer discount. The lock is transaction-scoped, so the second
    placement counts after the first has committed (or rolled back).
    """
    key = f"tiffin:offer-redemption:{customer_id}:{restaurant_id}:{offer_code}"
    connection.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(key, 0))))


def count_offer_redemptions(connection: Connection, customer_id: str, restaurant_id: str, offer_code: str) -> int:
    """The customer's orders at the restaurant that used the offer and still stand (not CANCELLED)."""
    query = (
        sa.select(sa.func.count())
        .select_from(orders)
        .where(
            orders.c.customer_id == customer_id,
            orders.c.restaurant_id == restaurant_id,
            orders.c.offer_code == offer_code,
            orders.c.status != OrderStatus.CANCELLED.value,
        )
    )
    return int(connection.execute(query).scalar_one())


def lock_overdue_pending(connection: Connection, placed_before: datetime, limit: int) -> list[uuid.UUID]:
    """Up to ``limit`` PENDING orders placed before ``placed_before``, oldest first, locked.

    ``SKIP LOCKED``: several sweepers never wait on or double-cancel each other, and an
    order a restaurant is accepting right now is skipped, not overwritten.
    """
    query = (
        sa.select(orders.c.order_id)
        .where(orders.c.status == OrderStatus.PENDING.value, orders.c.placed_at < placed_before)
        .order_by(orders.c.placed_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(connection.execute(query).scalars())
