"""Reading and writing restaurants and menus in PostgreSQL, on a connection the caller controls."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from contracts.envelope import EventEnvelope
from serving.kernel.messaging.outbox_writer import append_to_outbox
from serving.restaurants.adapters.tables import menu_categories, menu_items, outbox, restaurants
from serving.restaurants.entrypoints.schemas import (
    CategoryOut,
    MenuCategoryOut,
    MenuItemOut,
    MenuView,
    RestaurantView,
)

_VIEW_COLUMNS = [c for c in restaurants.c if c.name not in ("search_text", "search_vector")]


def append_event(connection: Connection, envelope: EventEnvelope) -> None:
    append_to_outbox(connection, outbox, envelope)


def _restaurant_view(row: Row[Any]) -> RestaurantView:
    return RestaurantView.model_validate(dict(row._mapping))


def insert_restaurant(connection: Connection, values: Mapping[str, Any]) -> RestaurantView:
    row = connection.execute(
        sa.insert(restaurants).values(**values, search_text=values["name"]).returning(*_VIEW_COLUMNS)
    ).one()
    refresh_search_text(connection, values["restaurant_id"])
    return _restaurant_view(row)


def find_restaurant(connection: Connection, restaurant_id: uuid.UUID, *, lock: bool = False) -> RestaurantView | None:
    """``lock=True`` takes the row lock: menu writes for one restaurant then queue up, so the
    outbox's id order is the order of that restaurant's events."""
    query = sa.select(*_VIEW_COLUMNS).where(restaurants.c.restaurant_id == restaurant_id)
    if lock:
        query = query.with_for_update()
    row = connection.execute(query).first()
    return None if row is None else _restaurant_view(row)


def update_restaurant(connection: Connection, restaurant_id: uuid.UUID, values: Mapping[str, Any]) -> RestaurantView:
    row = connection.execute(
        sa.update(restaurants)
        .where(restaurants.c.restaurant_id == restaurant_id)
        .values(**values)
        .returning(*_VIEW_COLUMNS)
    ).one()
    if {"name", "cuisines"} & set(values):
        refresh_search_text(connection, restaurant_id)
    return _restaurant_view(row)


def refresh_search_text(connection: Connection, restaurant_id: uuid.UUID) -> None:
    """Name, cuisines and dish names in one text column, which search indexes."""
    connection.execute(
        sa.text(
            """
            UPDATE restaurants.restaurants r
               SET search_text = concat_ws(' ', r.name, array_to_string(r.cuisines, ' '),
                   (SELECT string_agg(i.name, ' ' ORDER BY i.name)
                      FROM restaurants.menu_items i WHERE i.restaurant_id = r.restaurant_id))
             WHERE r.restaurant_id = :rid
            """
        ),
        {"rid": restaurant_id},
    )


# --- categories ---------------------------------------------------------------------------


def find_category(connection: Connection, restaurant_id: uuid.UUID, category_id: uuid.UUID) -> CategoryOut | None:
    row = connection.execute(
        sa.select(menu_categories).where(
            menu_categories.c.category_id == category_id, menu_categories.c.restaurant_id == restaurant_id
        )
    ).first()
    return None if row is None else CategoryOut.model_validate(dict(row._mapping))


def category_name_taken(
    connection: Connection, restaurant_id: uuid.UUID, name: str, *, other_than: uuid.UUID | None = None
) -> bool:
    query = sa.select(sa.func.count()).where(
        menu_categories.c.restaurant_id == restaurant_id, sa.func.lower(menu_categories.c.name) == name.lower()
    )
    if other_than is not None:
        query = query.where(menu_categories.c.category_id != other_than)
    return bool(connection.execute(query).scalar_one())


def insert_category(connection: Connection, values: Mapping[str, Any]) -> CategoryOut:
    row = connection.execute(sa.insert(menu_categories).values(**values).returning(menu_categories)).one()
    return CategoryOut.model_validate(dict(row._mapping))


def update_category(connection: Connection, category_id: uuid.UUID, values: Mapping[str, Any]) -> CategoryOut:
    row = connection.execute(
        sa.update(menu_categories)
        .where(menu_categories.c.category_id == category_id)
        .values(**values)
        .returning(menu_categories)
    ).one()
    return CategoryOut.model_validate(dict(row._mapping))


def delete_category(connection: Connection, category_id: uuid.UUID) -> None:
    connection.execute(sa.delete(menu_categories).where(menu_categories.c.category_id == category_id))


# --- items --------------------------------------------------------------------------------


def _item(row: Row[Any]) -> MenuItemOut:
    return MenuItemOut.model_validate(dict(row._mapping))


_ITEM_COLUMNS = [c for c in menu_items.c if c.name != "created_at"]


def find_item(connection: Connection, restaurant_id: uuid.UUID, item_id: uuid.UUID) -> MenuItemOut | None:
    row = connection.execute(
        sa.select(*_ITEM_COLUMNS).where(menu_items.c.item_id == item_id, menu_items.c.restaurant_id == restaurant_id)
    ).first()
    return None if row is None else _item(row)


def insert_item(connection: Connection, values: Mapping[str, Any]) -> MenuItemOut:
    row = connection.execute(sa.insert(menu_items).values(**values).returning(*_ITEM_COLUMNS)).one()
    refresh_search_text(connection, values["restaurant_id"])
    return _item(row)


def update_item(connection: Connection, item: MenuItemOut, values: Mapping[str, Any]) -> MenuItemOut:
    row = connection.execute(
        sa.update(menu_items).where(menu_items.c.item_id == item.item_id).values(**values).returning(*_ITEM_COLUMNS)
    ).one()
    if "name" in values:
        refresh_search_text(connection, item.restaurant_id)
    return _item(row)


def delete_item(connection: Connection, item: MenuItemOut) -> None:
    connection.execute(sa.delete(menu_items).where(menu_items.c.item_id == item.item_id))
    refresh_search_text(connection, item.restaurant_id)


def find_menu(connection: Connection, restaurant_id: uuid.UUID) -> MenuView:
    categories = connection.execute(
        sa.select(menu_categories)
        .where(menu_categories.c.restaurant_id == restaurant_id)
        .order_by(menu_categories.c.position, menu_categories.c.name)
    ).all()
    items = [
        _item(row)
        for row in connection.execute(
            sa.select(*_ITEM_COLUMNS).where(menu_items.c.restaurant_id == restaurant_id).order_by(menu_items.c.name)
        )
    ]
    by_category: dict[uuid.UUID | None, list[MenuItemOut]] = {}
    for item in items:
        by_category.setdefault(item.category_id, []).append(item)
    return MenuView(
        restaurant_id=restaurant_id,
        categories=[MenuCategoryOut(**dict(c._mapping), items=by_category.get(c.category_id, [])) for c in categories],
        uncategorised=by_category.get(None, []),
    )


def restaurant_exists(connection: Connection, restaurant_id: uuid.UUID) -> bool:
    query = sa.select(sa.exists().where(restaurants.c.restaurant_id == restaurant_id))
    return bool(connection.execute(query).scalar_one())
