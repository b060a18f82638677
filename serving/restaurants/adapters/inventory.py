"""Menu items' prices and portions in PostgreSQL, on the caller's connection.

``use_cases.stock`` takes and gives back portions through these; ``api`` answers the
orders and cart services' questions (a restaurant's place and hours, its owner, the
items' prices) with them. Everything runs inside the caller's
transaction: the orders service reserves stock in the transaction that accepts the
order, so a rolled-back accept never holds stock.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

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
    """The few columns that decide who manages a restaurant and whether it takes orders."""

    restaurant_id: uuid.UUID
    owner_id: str
    name: str
    city: str
    lat: float
    lon: float
    status: str
    timezone: str
    opening_hours: dict[str, list[dict[str, str]]]  # the stored form, ``hours.hours_from_json``


# The hot reads, built once: no statement or cache key to build per order.
_SUMMARY = sa.select(
    restaurants.c.restaurant_id, restaurants.c.owner_id, restaurants.c.name, restaurants.c.city,
    restaurants.c.lat, restaurants.c.lon, restaurants.c.status, restaurants.c.timezone,
    restaurants.c.opening_hours,
).where(restaurants.c.restaurant_id == sa.bindparam("restaurant_id"))  # fmt: skip
_PRICED = sa.select(
    menu_items.c.item_id,
    menu_items.c.restaurant_id,
    menu_items.c.name,
    menu_items.c.price_minor,
    menu_items.c.available,
    menu_items.c.stock,
).where(
    menu_items.c.restaurant_id == sa.bindparam("restaurant_id"),
    menu_items.c.item_id.in_(sa.bindparam("item_ids", expanding=True)),
)


def restaurant_summary(connection: Connection, restaurant_id: uuid.UUID) -> RestaurantSummary | None:
    """Owner, place, status and hours of a restaurant, without the wide columns (a hot path:
    every order placement and every ownership check reads it)."""
    row = connection.execute(_SUMMARY, {"restaurant_id": restaurant_id}).first()
    return None if row is None else RestaurantSummary(**row._mapping)


def restaurants_owned_by(connection: Connection, owner_id: str) -> list[uuid.UUID]:
    rows = connection.execute(sa.select(restaurants.c.restaurant_id).where(restaurants.c.owner_id == owner_id))
    return [row.restaurant_id for row in rows]


def priced_items(
    connection: Connection, restaurant_id: uuid.UUID, item_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, PricedItem]:
    """The restaurant's items among ``item_ids``; ids of other restaurants are simply absent."""
    if not item_ids:
        return {}
    rows = connection.execute(_PRICED, {"restaurant_id": restaurant_id, "item_ids": list(item_ids)})
    return {row.item_id: PricedItem(**row._mapping) for row in rows}


def lock_restaurant(connection: Connection, restaurant_id: uuid.UUID) -> None:
    """Stock events are keyed by restaurant like every menu change: holding the restaurant
    row lock keeps the outbox id order equal to the order of that restaurant's events."""
    connection.execute(
        sa.select(restaurants.c.restaurant_id).where(restaurants.c.restaurant_id == restaurant_id).with_for_update()
    )


def take_portions(
    connection: Connection, restaurant_id: uuid.UUID, item_id: uuid.UUID, portions: int, at: datetime
) -> MenuItemOut | None:
    """The item after taking ``portions``; None if it has fewer left (or is not this restaurant's).

    One conditional ``UPDATE … SET stock = stock - n WHERE stock >= n``: the row lock
    makes concurrent takers queue, so stock never goes negative. An untracked item
    (stock NULL) is always there and does not change.
    """
    row = connection.execute(
        sa.update(menu_items)
        .where(
            menu_items.c.item_id == item_id,
            menu_items.c.restaurant_id == restaurant_id,
            sa.or_(menu_items.c.stock.is_(None), menu_items.c.stock >= portions),
        )
        .values(
            stock=menu_items.c.stock - portions,
            # an untracked item does not change, so it keeps its timestamp
            updated_at=sa.case((menu_items.c.stock.is_(None), menu_items.c.updated_at), else_=at),
        )
        .returning(*_ITEM_COLUMNS)
    ).first()
    return None if row is None else MenuItemOut.model_validate(dict(row._mapping))


def give_back_portions(
    connection: Connection, restaurant_id: uuid.UUID, item_id: uuid.UUID, portions: int, at: datetime
) -> MenuItemOut | None:
    """The item after giving ``portions`` back; None if it is untracked or not this restaurant's."""
    row = connection.execute(
        sa.update(menu_items)
        .where(
            menu_items.c.item_id == item_id,
            menu_items.c.restaurant_id == restaurant_id,
            menu_items.c.stock.is_not(None),
        )
        .values(stock=menu_items.c.stock + portions, updated_at=at)
        .returning(*_ITEM_COLUMNS)
    ).first()
    return None if row is None else MenuItemOut.model_validate(dict(row._mapping))
