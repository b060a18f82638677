"""Menu use cases (categories and items), for the restaurant's owner only: each write is one
transaction (state + outbox event), then the cache invalidation of that restaurant.

``None``/``False`` means "no such restaurant, category or item, or not yours": the router
answers 404 to both, so ids of other owners' menus do not leak.
"""

from __future__ import annotations

import uuid

from sqlalchemy.engine import Connection, Engine

from serving.kernel.auth import Principal
from serving.kernel.clock import Clock, utc_now
from serving.kernel.field_errors import FieldError
from serving.restaurants.adapters import events, repository
from serving.restaurants.adapters.cache.restaurant_cache import RestaurantCache, handle_change_event
from serving.restaurants.domain import restaurant as domain
from serving.restaurants.entrypoints.schemas import (
    CategoryCreate,
    CategoryOut,
    CategoryPatch,
    ItemCreate,
    ItemPatch,
    MenuItemOut,
    RestaurantView,
)
from serving.restaurants.use_cases.errors import MenuRuleBroken


def _owned(connection: Connection, principal: Principal, restaurant_id: uuid.UUID) -> RestaurantView | None:
    """The restaurant, row-locked, if the caller owns it."""
    view = repository.find_restaurant(connection, restaurant_id, lock=True)
    if view is None or not domain.owns(principal, view.owner_id):
        return None
    return view


# --- categories (no event of their own: they change no price, availability or stock) ------


def create_category(
    engine: Engine, cache: RestaurantCache, principal: Principal, restaurant_id: uuid.UUID, body: CategoryCreate
) -> CategoryOut | None:
    with engine.begin() as connection:
        if _owned(connection, principal, restaurant_id) is None:
            return None
        if repository.category_name_taken(connection, restaurant_id, body.name):
            raise MenuRuleBroken([FieldError("name", "A category with this name already exists.")])
        category = repository.insert_category(
            connection, {"category_id": uuid.uuid4(), "restaurant_id": restaurant_id, **body.model_dump()}
        )
    cache.invalidate(restaurant_id)
    return category


def update_category(
    engine: Engine,
    cache: RestaurantCache,
    principal: Principal,
    restaurant_id: uuid.UUID,
    category_id: uuid.UUID,
    body: CategoryPatch,
) -> CategoryOut | None:
    with engine.begin() as connection:
        if _owned(connection, principal, restaurant_id) is None:
            return None
        current = repository.find_category(connection, restaurant_id, category_id)
        if current is None:
            return None
        changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
        if "name" in changes and repository.category_name_taken(
            connection, restaurant_id, changes["name"], other_than=category_id
        ):
            raise MenuRuleBroken([FieldError("name", "A category with this name already exists.")])
        category = repository.update_category(connection, category_id, changes) if changes else current
    cache.invalidate(restaurant_id)
    return category


def delete_category(
    engine: Engine, cache: RestaurantCache, principal: Principal, restaurant_id: uuid.UUID, category_id: uuid.UUID
) -> bool:
    """Its items stay on the menu, uncategorised."""
    with engine.begin() as connection:
        if _owned(connection, principal, restaurant_id) is None:
            return False
        if repository.find_category(connection, restaurant_id, category_id) is None:
            return False
        repository.delete_category(connection, category_id)
    cache.invalidate(restaurant_id)
    return True


# --- items ----------------------------------------------------------------------------------


def _check_category(connection: Connection, restaurant_id: uuid.UUID, category_id: uuid.UUID | None) -> None:
    if category_id is not None and repository.find_category(connection, restaurant_id, category_id) is None:
        raise MenuRuleBroken([FieldError("category_id", "No such category in this restaurant's menu.")])


def create_item(
    engine: Engine,
    cache: RestaurantCache,
    principal: Principal,
    restaurant_id: uuid.UUID,
    body: ItemCreate,
    *,
    now: Clock = utc_now,
    trace_id: str | None = None,
) -> MenuItemOut | None:
    at = now()
    with engine.begin() as connection:
        if _owned(connection, principal, restaurant_id) is None:
            return None
        _check_category(connection, restaurant_id, body.category_id)
        item = repository.insert_item(
            connection,
            {
                "item_id": uuid.uuid4(),
                "restaurant_id": restaurant_id,
                **body.model_dump(),
                "created_at": at,
                "updated_at": at,
            },
        )
        envelope = events.menu_item_changed(item, "CREATED", sorted(domain.ITEM_EVENT_FIELDS), at, trace_id=trace_id)
        repository.append_event(connection, envelope)
    handle_change_event(cache, envelope)
    return item


def update_item(
    engine: Engine,
    cache: RestaurantCache,
    principal: Principal,
    restaurant_id: uuid.UUID,
    item_id: uuid.UUID,
    body: ItemPatch,
    *,
    now: Clock = utc_now,
    trace_id: str | None = None,
) -> MenuItemOut | None:
    at = now()
    requested = body.changes()
    with engine.begin() as connection:
        if _owned(connection, principal, restaurant_id) is None:
            return None
        current = repository.find_item(connection, restaurant_id, item_id)
        if current is None:
            return None
        if "category_id" in requested:
            _check_category(connection, restaurant_id, body.category_id)
        fields = domain.changed_fields(current.model_dump(), requested)
        if not fields:
            return current
        item = repository.update_item(connection, current, {**{k: requested[k] for k in fields}, "updated_at": at})
        envelope = None
        if set(fields) & domain.ITEM_EVENT_FIELDS:
            envelope = events.menu_item_changed(item, "UPDATED", fields, at, trace_id=trace_id)
            repository.append_event(connection, envelope)
    if envelope is not None:
        handle_change_event(cache, envelope)
    else:
        cache.invalidate(restaurant_id)  # description/photo/category: no event, still a new menu
    return item


def delete_item(
    engine: Engine,
    cache: RestaurantCache,
    principal: Principal,
    restaurant_id: uuid.UUID,
    item_id: uuid.UUID,
    *,
    now: Clock = utc_now,
    trace_id: str | None = None,
) -> bool:
    at = now()
    with engine.begin() as connection:
        if _owned(connection, principal, restaurant_id) is None:
            return False
        item = repository.find_item(connection, restaurant_id, item_id)
        if item is None:
            return False
        repository.delete_item(connection, item)
        envelope = events.menu_item_changed(item, "DELETED", [], at, trace_id=trace_id)
        repository.append_event(connection, envelope)
    handle_change_event(cache, envelope)
    return True
