"""Restaurant and menu use cases: each write is one transaction (state + outbox event),
followed by the cache invalidation for the changed restaurant.

Every use case that touches a restaurant someone may not manage returns ``None`` for
"no such restaurant" and "not yours" alike: the router answers 404 to both, so ids of
other owners' restaurants and items do not leak.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Connection, Engine

from serving.kernel.auth import Principal
from serving.kernel.field_errors import FieldError
from serving.kernel.http.keyset_cursor import Cursor, encode_cursor
from serving.restaurants.adapters import events, repository
from serving.restaurants.adapters.cache.restaurant_cache import RestaurantCache, handle_change_event
from serving.restaurants.adapters.orders_port import ReviewableOrders
from serving.restaurants.domain import hours, reviews
from serving.restaurants.domain import restaurant as domain
from serving.restaurants.entrypoints.schemas import (
    CategoryCreate,
    CategoryOut,
    CategoryPatch,
    ItemCreate,
    ItemPatch,
    MenuItemOut,
    MenuOut,
    RestaurantCreate,
    RestaurantOut,
    RestaurantPatch,
    RestaurantView,
    ReviewCreate,
)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class MenuRuleBroken(Exception):
    """A valid-looking request that breaks a menu rule (e.g. unknown category)."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


def is_open_now(view: RestaurantView, now: datetime) -> bool:
    return hours.is_open_at(view.opening_hours.intervals(), view.timezone, view.status, now)


def present(view: RestaurantView, viewer: Principal, now: datetime) -> RestaurantOut:
    """The restaurant as ``viewer`` may see it, whether the view came from PostgreSQL or the cache."""
    owner_id = view.owner_id if domain.may_see_owner(viewer, view.owner_id) else None
    return RestaurantOut(**{**view.model_dump(), "owner_id": owner_id}, is_open_now=is_open_now(view, now))


# --- restaurants ----------------------------------------------------------------------------


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
        version = cache.version(restaurant_id)
        with engine.connect() as connection:
            menu = repository.find_menu(connection, restaurant_id)
        cache.put_menu(menu, version)
    return MenuOut(**menu.model_dump(), is_open_now=is_open_now(restaurant, now()))


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


# --- reviews --------------------------------------------------------------------------------


def review_restaurant(
    engine: Engine,
    cache: RestaurantCache,
    orders: ReviewableOrders,
    customer_id: str,
    restaurant_id: uuid.UUID,
    body: ReviewCreate,
    *,
    now: Clock = utc_now,
    trace_id: str | None = None,
) -> reviews.Review | None:
    """Store the review and move the restaurant's rating, in one transaction with its event.

    None if the restaurant does not exist; ``reviews.ReviewRefused`` (rolled back,
    nothing written) if the order may not be reviewed or already was.
    """
    at = now()
    with engine.begin() as connection:
        # The lock makes the read-modify-write of rating_avg/rating_count safe against
        # concurrent reviews, and keeps the restaurant's events in outbox-id order.
        restaurant = repository.find_restaurant(connection, restaurant_id, lock=True)
        if restaurant is None:
            return None
        reviews.check_reviewable(orders.find(connection, body.order_id), customer_id, restaurant_id)
        review = repository.insert_review(
            connection,
            {
                "review_id": uuid.uuid4(),
                "restaurant_id": restaurant_id,
                "order_id": body.order_id,
                "customer_id": customer_id,
                "rating": body.rating,
                "comment": body.comment,
                "created_at": at,
            },
        )
        if review is None:
            raise reviews.AlreadyReviewed()
        rating = reviews.add_rating(reviews.Rating(restaurant.rating_avg, restaurant.rating_count), body.rating)
        rated = repository.update_restaurant(
            connection, restaurant_id, {"rating_avg": rating.average, "rating_count": rating.count, "updated_at": at}
        )
        envelope = events.restaurant_reviewed(review, rated, trace_id=trace_id)
        repository.append_event(connection, envelope)
    handle_change_event(cache, envelope)
    return review


@dataclass(frozen=True)
class ReviewPage:
    reviews: list[reviews.Review]
    next_cursor: str | None


def list_reviews(
    engine: Engine, restaurant_id: uuid.UUID, *, limit: int, after: Cursor | None = None
) -> ReviewPage | None:
    """One page of the restaurant's reviews, newest first; None if there is no such restaurant."""
    with engine.connect() as connection:
        if not repository.restaurant_exists(connection, restaurant_id):
            return None
        # One extra row tells whether another page exists without a COUNT.
        rows = repository.list_reviews(connection, restaurant_id, after, limit + 1)
    page, more = rows[:limit], len(rows) > limit
    next_cursor = encode_cursor(Cursor(page[-1].created_at, page[-1].review_id)) if more else None
    return ReviewPage(page, next_cursor)
