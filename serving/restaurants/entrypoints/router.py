"""HTTP surface of the restaurants service (mounted under /api/v1)."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import BaseModel
from sqlalchemy.engine import Engine

from serving.kernel.auth import CurrentPrincipal, CustomerPrincipal, Principal, Role, principal_with_role
from serving.kernel.field_errors import FieldError
from serving.kernel.http.keyset_cursor import InvalidCursor, decode_cursor
from serving.kernel.http.problems import PROBLEM_MEDIA_TYPE, PROBLEM_RESPONSES, Problem, ProblemError
from serving.restaurants.adapters.cache.clients import Cache
from serving.restaurants.adapters.orders_port import OrdersApi, ReviewableOrders
from serving.restaurants.domain import reviews
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
    ReviewCreate,
    ReviewOut,
    ReviewPage,
)
from serving.restaurants.use_cases import restaurants as service

router = APIRouter(
    prefix="/restaurants", tags=["restaurants"], responses={**PROBLEM_RESPONSES, 403: PROBLEM_RESPONSES[401]}
)


def database(request: Request) -> Engine:
    engine: Engine = request.app.state.database.engine
    return engine


def reviewable_orders(request: Request) -> ReviewableOrders:
    """``app.state.reviewable_orders`` if the app (or a test) set one, else the orders table reader."""
    chosen: ReviewableOrders | None = getattr(request.app.state, "reviewable_orders", None)
    return chosen if chosen is not None else OrdersApi()


Database = Annotated[Engine, Depends(database)]
Orders = Annotated[ReviewableOrders, Depends(reviewable_orders)]
OwnerPrincipal = Annotated[Principal, Depends(principal_with_role(Role.RESTAURANT))]
EditorPrincipal = Annotated[Principal, Depends(principal_with_role(Role.RESTAURANT, Role.ADMIN))]

_TRACE_ID = re.compile(r"^[A-Za-z0-9._:\-]{8,128}$")


def _trace_id(request: Request) -> str | None:
    candidate = request.headers.get("x-request-id", "")
    return candidate if _TRACE_ID.match(candidate) else None


def _not_found(what: str, field: str | None = None) -> ProblemError:
    # Same answer for "does not exist" and "not yours": ids of others do not leak.
    detail = f"No {what} was found."
    return ProblemError(404, detail, errors=[FieldError(field, detail)] if field else ())


# A 409 is "your request is fine, but the resource is in the wrong state for it".
CONFLICT = "urn:tiffin:problem:conflict"
_CONFLICT_RESPONSE: dict[int | str, dict[str, Any]] = {409: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}}}


def _refuse_nulls(body: BaseModel, nullable: frozenset[str] = frozenset()) -> None:
    """PATCH semantics: an absent field stays; an explicit null clears only clearable fields."""
    errors = [
        FieldError(name, "Must not be null.")
        for name in sorted(body.model_fields_set - nullable)
        if getattr(body, name) is None
    ]
    if errors:
        raise ProblemError(422, f"The request is not valid; fix: {', '.join(e.field for e in errors)}.", errors=errors)


def _rule_broken(exc: service.MenuRuleBroken) -> ProblemError:
    return ProblemError(422, "The request breaks a menu rule.", errors=exc.errors)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=RestaurantOut,
    summary="Open a restaurant; the caller owns it",
)
def create_restaurant(
    body: RestaurantCreate,
    principal: OwnerPrincipal,
    engine: Database,
    cache: Cache,
    request: Request,
    response: Response,
) -> RestaurantOut:
    restaurant = service.create_restaurant(engine, cache, principal, body, trace_id=_trace_id(request))
    response.headers["Location"] = f"{request.url.path}/{restaurant.restaurant_id}"
    return restaurant


@router.get("/{restaurant_id}", response_model=RestaurantOut, summary="A restaurant, with is_open_now")
def get_restaurant(
    restaurant_id: uuid.UUID, principal: CurrentPrincipal, engine: Database, cache: Cache
) -> RestaurantOut:
    view = service.get_restaurant(engine, cache, restaurant_id)
    if view is None:
        raise _not_found(f"restaurant {restaurant_id}")
    return service.present(view, principal, service.utc_now())


@router.patch("/{restaurant_id}", response_model=RestaurantOut, summary="Change details (owner or admin)")
def update_restaurant(
    restaurant_id: uuid.UUID,
    body: RestaurantPatch,
    principal: EditorPrincipal,
    engine: Database,
    cache: Cache,
    request: Request,
) -> RestaurantOut:
    _refuse_nulls(body)
    result = service.update_restaurant(engine, cache, principal, restaurant_id, body, trace_id=_trace_id(request))
    if result is None:
        raise _not_found(f"restaurant {restaurant_id}")
    return result


@router.get("/{restaurant_id}/menu", response_model=MenuOut, summary="The menu by category, with is_open_now")
def get_menu(restaurant_id: uuid.UUID, _principal: CurrentPrincipal, engine: Database, cache: Cache) -> MenuOut:
    menu = service.get_menu(engine, cache, restaurant_id)
    if menu is None:
        raise _not_found(f"restaurant {restaurant_id}")
    return menu


@router.post(
    "/{restaurant_id}/menu/categories",
    status_code=status.HTTP_201_CREATED,
    response_model=CategoryOut,
    summary="Add a menu category (owner only)",
)
def create_category(
    restaurant_id: uuid.UUID, body: CategoryCreate, principal: OwnerPrincipal, engine: Database, cache: Cache
) -> CategoryOut:
    try:
        category = service.create_category(engine, cache, principal, restaurant_id, body)
    except service.MenuRuleBroken as exc:
        raise _rule_broken(exc) from None
    if category is None:
        raise _not_found(f"restaurant {restaurant_id}")
    return category


@router.patch(
    "/{restaurant_id}/menu/categories/{category_id}",
    response_model=CategoryOut,
    summary="Rename or move a category (owner only)",
)
def update_category(
    restaurant_id: uuid.UUID,
    category_id: uuid.UUID,
    body: CategoryPatch,
    principal: OwnerPrincipal,
    engine: Database,
    cache: Cache,
) -> CategoryOut:
    _refuse_nulls(body)
    try:
        category = service.update_category(engine, cache, principal, restaurant_id, category_id, body)
    except service.MenuRuleBroken as exc:
        raise _rule_broken(exc) from None
    if category is None:
        raise _not_found(f"category {category_id}")
    return category


@router.delete(
    "/{restaurant_id}/menu/categories/{category_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a category; its items stay, uncategorised (owner only)",
)
def delete_category(
    restaurant_id: uuid.UUID, category_id: uuid.UUID, principal: OwnerPrincipal, engine: Database, cache: Cache
) -> Response:
    if not service.delete_category(engine, cache, principal, restaurant_id, category_id):
        raise _not_found(f"category {category_id}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{restaurant_id}/menu/items",
    status_code=status.HTTP_201_CREATED,
    response_model=MenuItemOut,
    summary="Add a menu item (owner only)",
)
def create_item(
    restaurant_id: uuid.UUID,
    body: ItemCreate,
    principal: OwnerPrincipal,
    engine: Database,
    cache: Cache,
    request: Request,
    response: Response,
) -> MenuItemOut:
    try:
        item = service.create_item(engine, cache, principal, restaurant_id, body, trace_id=_trace_id(request))
    except service.MenuRuleBroken as exc:
        raise _rule_broken(exc) from None
    if item is None:
        raise _not_found(f"restaurant {restaurant_id}")
    response.headers["Location"] = f"{request.url.path}/{item.item_id}"
    return item


@router.patch(
    "/{restaurant_id}/menu/items/{item_id}",
    response_model=MenuItemOut,
    summary="Change price, availability, stock, ... (owner only)",
)
def update_item(
    restaurant_id: uuid.UUID,
    item_id: uuid.UUID,
    body: ItemPatch,
    principal: OwnerPrincipal,
    engine: Database,
    cache: Cache,
    request: Request,
) -> MenuItemOut:
    _refuse_nulls(body, ItemPatch.NULLABLE)
    try:
        item = service.update_item(engine, cache, principal, restaurant_id, item_id, body, trace_id=_trace_id(request))
    except service.MenuRuleBroken as exc:
        raise _rule_broken(exc) from None
    if item is None:
        raise _not_found(f"item {item_id}")
    return item


@router.delete(
    "/{restaurant_id}/menu/items/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove an item from the menu (owner only)",
)
def delete_item(
    restaurant_id: uuid.UUID,
    item_id: uuid.UUID,
    principal: OwnerPrincipal,
    engine: Database,
    cache: Cache,
    request: Request,
) -> Response:
    if not service.delete_item(engine, cache, principal, restaurant_id, item_id, trace_id=_trace_id(request)):
        raise _not_found(f"item {item_id}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{restaurant_id}/reviews",
    status_code=status.HTTP_201_CREATED,
    response_model=ReviewOut,
    summary="Rate a delivered order from this restaurant (its customer only; one review per order)",
    description=(
        "The restaurant's `rating_avg` and `rating_count` move in the same transaction. `404` naming "
        "`order_id` if the order is unknown, another customer's or another restaurant's; `409` naming "
        "`order_id` if it is not delivered yet or already reviewed."
    ),
    responses=_CONFLICT_RESPONSE,
)
def review_restaurant(
    restaurant_id: uuid.UUID,
    body: ReviewCreate,
    principal: CustomerPrincipal,
    engine: Database,
    cache: Cache,
    orders: Orders,
    request: Request,
) -> ReviewOut:
    try:
        review = service.review_restaurant(
            engine, cache, orders, principal.subject, restaurant_id, body, trace_id=_trace_id(request)
        )
    except reviews.ReviewRefused as refused:
        problem_type = CONFLICT if refused.status == 409 else None
        raise ProblemError(refused.status, str(refused), errors=[refused.error], problem_type=problem_type) from None
    if review is None:
        raise _not_found(f"restaurant {restaurant_id}", "restaurant_id")
    return ReviewOut.of(review, principal)


@router.get(
    "/{restaurant_id}/reviews",
    response_model=ReviewPage,
    summary="A restaurant's reviews, newest first (any signed-in user)",
    description=(
        "Reviewers are not named; the caller's own review has `mine: true` and its `order_id`. "
        "Keyset pagination: pass `next_cursor` back as `cursor`."
    ),
)
def list_reviews(
    restaurant_id: uuid.UUID,
    principal: CurrentPrincipal,
    engine: Database,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page.")] = None,
) -> ReviewPage:
    after = None
    if cursor is not None:
        try:
            after = decode_cursor(cursor)
        except InvalidCursor as invalid:
            raise ProblemError(422, str(invalid), errors=[FieldError("cursor", str(invalid))]) from None
    page = service.list_reviews(engine, restaurant_id, limit=limit, after=after)
    if page is None:
        raise _not_found(f"restaurant {restaurant_id}", "restaurant_id")
    return ReviewPage(items=[ReviewOut.of(review, principal) for review in page.reviews], next_cursor=page.next_cursor)
