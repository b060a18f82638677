"""Stock held for orders: taken when the restaurant accepts, given back if cancelled after.

Reserving at acceptance (not at placement) keeps abandoned or rejected PENDING orders
from blocking portions; the restaurant's accept is the moment it commits to cook.
"""

from __future__ import annotations

import uuid

from sqlalchemy.engine import Connection

from contracts.envelope import EventEnvelope
from serving.kernel.field_errors import FieldError
from serving.orders.domain import Order, OrderStatus
from serving.orders.domain.lifecycle import Transitioned
from serving.restaurants import api as restaurants_api

# Statuses in which an order holds its portions (reserved on accept, until cancelled).
_HOLDING = frozenset({OrderStatus.ACCEPTED, OrderStatus.PREPARING})


def _quantities(order: Order) -> tuple[uuid.UUID, dict[uuid.UUID, int]] | None:
    """The catalogue ids of the order; None for one stored with text ids (placed before every
    order was priced from the catalogue), which holds no stock."""
    try:
        return uuid.UUID(order.restaurant_id), {uuid.UUID(line.item_id): line.quantity for line in order.lines}
    except ValueError:
        return None


class OutOfStock(Exception):
    """The restaurant has too few portions of some lines; ``errors`` name them (a 409)."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


class CatalogStock:
    """``StockKeeper`` over ``serving.restaurants.api`` (same database, same transaction)."""

    def on_transition(
        self, connection: Connection, change: Transitioned, *, trace_id: str | None
    ) -> list[EventEnvelope]:
        before, after = change.before.status, change.after.status
        taking = before is OrderStatus.PENDING and after is OrderStatus.ACCEPTED
        giving_back = before in _HOLDING and after is OrderStatus.CANCELLED
        ids = _quantities(change.after) if taking or giving_back else None
        if ids is None:
            return []
        restaurant_id, quantities = ids
        if giving_back:
            return restaurants_api.release_stock(
                connection, restaurant_id, quantities, now=change.changed_at, trace_id=trace_id
            )
        try:
            return restaurants_api.reserve_stock(
                connection, restaurant_id, quantities, now=change.changed_at, trace_id=trace_id
            )
        except restaurants_api.InsufficientStock as short:
            # Raised on: the accept's transaction is rolled back and the order stays PENDING.
            missing = {str(item_id) for item_id in short.item_ids}
            errors = [
                FieldError(f"lines[{index}].item_id", f"Not enough {line.name} left for {line.quantity}.")
                for index, line in enumerate(change.after.lines)
                if str(uuid.UUID(line.item_id)) in missing
            ]
            raise OutOfStock(errors) from None
