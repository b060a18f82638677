"""Restaurant use cases: open one, read it (through the cache), change its details.

Each write is one transaction (state + outbox event), followed by the cache
invalidation of the changed restaurant. A restaurant someone may not manage is
``None`` like one that does not exist: the router answers 404 to both, so ids of
other owners' restaurants do not leak.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from serving.kernel.auth import Principal
from serving.kernel.clock import Clock, utc_now
from serving.restaurants.adapters import events, repository
from serving.restaurants.adapters.cache.restaurant_cache import RestaurantCache, handle_change_event
from serving.restaurants.domain import hours
from serving.restaurants.domain import restaurant as domain
from serving.restaurants.entrypoints.schemas import (
    MenuOut,
    MenuView,
    RestaurantCreate,
    RestaurantOut,
    RestaurantPatch,
    RestaurantView,
)


def is_open_now(view: RestaurantView, now: datetime) -> bool:
    return hours.is_open_at(view.opening_hours.intervals(), view.timezone, view.status, now)


def present(view: RestaurantView, viewer: Principal, now: datetime) -> RestaurantOut:
    """The restaurant as ``viewer`` may see it, whether the view came from PostgreSQL or the cache."""
    owner_id = view.owner_id if domain.may_see_owner(viewer, view.owner_id) else None
    return RestaurantOut(**{**view.model_dump(), "owner_id": owner_id}, is_open_now=is_open_now(view, now))


def create_restaurant(
    engine: Engine,
    cache: RestaurantCache,
    owner: Principal,
    body: RestaurantCreate,
    *,
    now: Clock = utc_now,
    trace_id: str | None = None,
) -> RestaurantOut:
    at = now()
    values: dict[str, Any] = {
        "restaurant_id": uuid.uuid4(),
        "owner_id": owner.subject,
        **body.model_dump(),
        "rating_avg": 0.0,
        "rating_count": 0,
        "popularity": 0,
        "created_at": at,
        "updated_at": at,
    }
    with engine.begin() as connection:
        view = repository.insert_restaurant(connection, values)
        envelope = events.restaurant_changed(view, "CREATED", sorted(body.model_fields), trace_id=trace_id)
        repository.append_event(connection, envelope)
    handle_change_event(cache, envelope)
    return present(view, owner, at)


def get_restaurant(engine: Engine, cache: RestaurantCache, restaurant_id: uuid.UUID) -> RestaurantView | None:
    """Read-through: the cache, else PostgreSQL (and fill the cache)."""
    cached = cache.get_restaurant(restaurant_id)
    if cached is not None:
        return cached
    version = cache.version(restaurant_id)  # before the read: a write after it voids our fill
    with engine.connect() as connection:
        view = repository.find_restaurant(connection, restaurant_id)
    if view is not None:
        cache.put_restaurant(view, version)
    return view


def get_menu(
    engine: Engine, cache: RestaurantCache, restaurant_id: uuid.UUID, *, now: Clock = utc_now
) -> MenuOut | None:
    restaurant = get_restaurant(engine, cache, restaurant_id)
    if restaurant is None:
        return None
    menu = cache.get_menu(restaurant_id)
    if menu is None:
        menu = _load_menu(engine, cache, restaurant_id)
    return MenuOut(**menu.model_dump(), is_open_now=is_open_now(restaurant, now()))


def get_menu_json(
    engine: Engine, cache: RestaurantCache, restaurant_id: uuid.UUID, *, now: Clock = utc_now
) -> bytes | None:
    """``get_menu`` as the response body's bytes: the hot read path (every menu view).

    On a cache hit the menu's JSON goes out as Redis holds it, with ``is_open_now``
    appended: the cache is only ever filled from a validated ``MenuView`` and
    ``MenuOut`` is ``MenuView`` plus that last field, so the bytes are what
    serialising a ``MenuOut`` would give, without parsing and re-serialising a menu of
    dozens of items on every read. One round trip fetches both cached views.
    """
    info, menu = cache.get_restaurant_and_menu_json(restaurant_id)
    restaurant = RestaurantView.model_validate_json(info) if info is not None else None
    if restaurant is None:
        restaurant = get_restaurant(engine, cache, restaurant_id)
        if restaurant is None:
            return None
    if menu is None:
        menu = _load_menu(engine, cache, restaurant_id).model_dump_json().encode()
    open_now = b"true" if is_open_now(restaurant, now()) else b"false"
    return menu[:-1] + b',"is_open_now":' + open_now + b"}"  # the object's closing brace moves last


def _load_menu(engine: Engine, cache: RestaurantCache, restaurant_id: uuid.UUID) -> MenuView:
    """The menu from PostgreSQL, filling the cache (unless a write raced the read)."""
    version = cache.version(restaurant_id)
    with engine.connect() as connection:
        menu = repository.find_menu(connection, restaurant_id)
    cache.put_menu(menu, version)
    return menu


def update_restaurant(
    engine: Engine,
    cache: RestaurantCache,
    principal: Principal,
    restaurant_id: uuid.UUID,
    body: RestaurantPatch,
    *,
    now: Clock = utc_now,
    trace_id: str | None = None,
) -> RestaurantOut | None:
    at = now()
    requested = body.changes()
    with engine.begin() as connection:
        current = repository.find_restaurant(connection, restaurant_id, lock=True)
        if current is None or not domain.may_edit_details(principal, current.owner_id):
            return None
        before = current.model_dump()
        after = {k: (v.model_dump() if hasattr(v, "model_dump") else v) for k, v in requested.items()}
        fields = domain.changed_fields(before, after)
        if not fields:
            return present(current, principal, at)  # nothing changed: no write, no event
        values = {k: after[k] for k in fields}
        view = repository.update_restaurant(connection, restaurant_id, {**values, "updated_at": at})
        envelope = events.restaurant_changed(view, "UPDATED", fields, trace_id=trace_id)
        repository.append_event(connection, envelope)
    handle_change_event(cache, envelope)
    return present(view, principal, at)
