"""Stock held for orders: portions taken all at once or not at all, and given back.

Both run on the caller's connection, inside the caller's transaction (the orders
service's accept or cancel; reached through ``api``). Each tracked item's new stock is
a MenuItemChanged event in the restaurants outbox, in the same transaction; the
envelopes are returned so that, after committing, the caller can have the cached menus
dropped at once (``api.forget_cached``; the ``restaurant-cache`` consumer of
``restaurants.v1`` does it otherwise).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.engine import Connection

from contracts.envelope import EventEnvelope
from serving.kernel.clock import utc_now
from serving.restaurants.adapters import events, inventory, repository
from serving.restaurants.entrypoints.schemas import MenuItemOut
from serving.restaurants.use_cases.errors import InsufficientStock


def _stock_event(connection: Connection, item: MenuItemOut, at: datetime, trace_id: str | None) -> EventEnvelope:
    envelope = events.menu_item_changed(item, "UPDATED", ["stock"], at, trace_id=trace_id)
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

    Two customers never get the last portion (``inventory.take_portions``). Work happens
    in a SAVEPOINT: on InsufficientStock (also raised for an item of another
    restaurant) nothing was taken and the caller's transaction can go on.
    Untracked items (stock NULL) always succeed and change nothing.
    """
    for quantity in quantities.values():
        if quantity < 1:
            raise ValueError("quantities must be positive")
    at = now or utc_now()
    appended: list[EventEnvelope] = []
    with connection.begin_nested():
        inventory.lock_restaurant(connection, restaurant_id)
        for item_id in sorted(quantities):
            item = inventory.take_portions(connection, restaurant_id, item_id, quantities[item_id], at)
            if item is None:
                raise InsufficientStock([item_id])  # leaving the block rolls the savepoint back
            if item.stock is not None:
                appended.append(_stock_event(connection, item, at, trace_id))
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
    at = now or utc_now()
    appended: list[EventEnvelope] = []
    inventory.lock_restaurant(connection, restaurant_id)
    for item_id in sorted(quantities):
        item = inventory.give_back_portions(connection, restaurant_id, item_id, quantities[item_id], at)
        if item is not None:
            appended.append(_stock_event(connection, item, at, trace_id))
    return appended
