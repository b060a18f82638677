"""Stock reservation and the catalogue lookups the orders service needs.

All functions run on the caller's connection, inside the caller's transaction: the
orders service reserves stock in the same transaction that stores the order, so a
rolled-back order never holds stock.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from contracts.envelope import EventEnvelope
from serving.restaurants.adapters import events, repository
from serving.restaurants.adapters.tables import menu_items, restaurants
from serving.restaurants.entrypoints.schemas import MenuItemOut

_ITEM_COLUMNS = [c for c in menu_items.c if c.name != "created_at"]


@dataclass(frozen=True)
class PricedItem:
    """What an order line may rely on: the server's price, never the client's."""

    item_id: uuid.UUID
    restaurant_id: uuid.UUID
    name: str
    price_minor: int
    available: bool
    stock: int | None


@dataclass(frozen=True)
class RestaurantSummary:
    restaurant_id: uuid.UUID
    owner_id: str
    name: str
    city: str
    status: str


class InsufficientStock(Exception):
    """At least one item has fewer portions left than asked; nothing was reserved."""

    def __init__(self, item_ids: list[uuid.UUID]) -> None:
        super().__init__(f"not enough stock for {', '.join(map(str, item_ids))}")
        self.item_ids = item_ids


def restaurant_summary(connection: Connection, restaurant_id: uuid.UUID) -> RestaurantSummary | None:
    """Owner, city and status of a restaurant (e.g. to let its owner accept an order)."""
    row = connection.execute(
        sa.select(
            restaurants.c.restaurant_id,
            restaurants.c.owner_id,
            restaurants.c.name,
            restaurants.c.city,
            restaurants.c.status,
        ).where(restaurants.c.restaurant_id == restaurant_id)
    ).first()
    return None if row is None else RestaurantSummary(**row._mapping)


def priced_items(
    connection: Connection, restaurant_id: uuid.UUID, item_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, PricedItem]:
    """The restaurant's items among ``item_ids``; ids of other restaurants are simply absent."""
    if not item_ids:
        return {}
    rows = connection.execute(
        sa.select(
            menu_items.c.item_id,
            menu_items.c.restaurant_id,
            menu_items.c.name,
            menu_items.c.price_minor,
            menu_items.c.available,
            menu_items.c.stock,
        ).where(menu_items.c.restaurant_id == restaurant_id, menu_items.c.item_id.in_(list(item_ids)))
    )
    return {row.item_id: PricedItem(**row._mapping) for row in rows}


def _lock_restaurant(connection: Connection, restaurant_id: uuid.UUID) -> None:
    # Stock events are keyed by restaurant like every menu change: taking the restaurant
    # row lock keeps the outbox id order equal to the order of that restaurant's events.
    connection.execute(
        sa.select(restaurants.c.restaurant_id).where(restaurants.c.restaurant_id == restaurant_id).with_for_update()
    )


def _stock_event(connection: Connection, row: Row[Any], at: datetime, trace_id: str | None) -> EventEnvelope:
    envelope = events.menu_item_changed(
        MenuItemOut.model_validate(dict(row._mapping)), "UPDATED", ["stock"], at, trace_id=trace_id
    )
    repository.append_event(connection, envelope)
    return envelope


def reserve_stock(
    connection: Connection,
    restaurant_id: uuid.UUID,
    quantities: Mapping[uuid.UUID, int],
    *,
    now: datetime | None = None,
    trace_id: str | None = None,
) -> list[EventEnvelope]:
    """Take ``quantities`` portions of the restaurant's items atomically, or take none.

    Each item is one conditional ``UPDATE … SET stock = stock - n WHERE stock >= n``:
    the row lock makes concurrent reservations queue, so stock never goes negative and
    two customers never get the last portion. Untracked items (stock NULL) always
    succeed and change nothing. Work happens in a SAVEPOINT: on InsufficientStock
    (also raised for an item of another restaurant) nothing was taken and the caller's
    transaction can go on.

    Each tracked item's new stock is a MenuItemChanged event in the restaurants outbox
    (same transaction). Returns those envelopes: after committing, pass them to
    ``serving.restaurants.adapters.cache.restaurant_cache.handle_change_event`` so cached menus show the new
    stock at once (the Kafka consumer of ``restaurants.v1`` does it otherwise).
    """
    for quantity in quantities.values():
        if quantity < 1:
            raise ValueError("quantities must be positive")
    at = now or datetime.now(UTC)
    appended: list[EventEnvelope] = []
    with connection.begin_nested():
        _lock_restaurant(connection, restaurant_id)
        for item_id in sorted(quantities):
            n = quantities[item_id]
            row = connection.execute(
                sa.update(menu_items)
                .where(
                    menu_items.c.item_id == item_id,
                    menu_items.c.restaurant_id == restaurant_id,
                    sa.or_(menu_items.c.stock.is_(None), menu_items.c.stock >= n),
                )
                .values(
                    stock=menu_items.c.stock - n,
                    # an untracked item does not change, so it keeps its timestamp
                    updated_at=sa.case((menu_items.c.stock.is_(None), menu_items.c.updated_at), else_=at),
                )
                .returning(*_ITEM_COLUMNS)
            ).first()
            if row is None:
                raise InsufficientStock([item_id])  # leaving the block rolls the savepoint back
            if row.stock is not None:
                appended.append(_stock_event(connection, row, at, trace_id))
    return appended


def release_stock(
    connection: Connection,
    restaurant_id: uuid.UUID,
    quantities: Mapping[uuid.UUID, int],
    *,
    now: datetime | None = None,
    trace_id: str | None = None,
) -> list[EventEnvelope]:
    """Give portions back (order cancelled); untracked items are left alone. Events as above."""
    at = now or datetime.now(UTC)
    appended: list[EventEnvelope] = []
    _lock_restaurant(connection, restaurant_id)
    for item_id in sorted(quantities):
        row = connection.execute(
            sa.update(menu_items)
            .where(
                menu_items.c.item_id == item_id,
                menu_items.c.restaurant_id == restaurant_id,
                menu_items.c.stock.is_not(None),
            )
            .values(stock=menu_items.c.stock + quantities[item_id], updated_at=at)
            .returning(*_ITEM_COLUMNS)
        ).first()
        if row is not None:
            appended.append(_stock_event(connection, row, at, trace_id))
    return appended
