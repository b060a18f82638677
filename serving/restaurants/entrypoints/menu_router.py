"""HTTP surface of a restaurant's menu (mounted under /api/v1): anyone signed in reads it,
only the owning RESTAURANT account changes it."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status
from starlette.concurrency import run_in_threadpool

from serving.kernel.auth import CurrentPrincipal
from serving.kernel.http.deps import Database, TraceId
from serving.kernel.http.problems import PROBLEM_RESPONSES, ProblemError
from serving.restaurants.entrypoints.deps import Cache, OwnerPrincipal
from serving.restaurants.entrypoints.router import not_found, refuse_nulls
from serving.restaurants.entrypoints.schemas import (
    CategoryCreate,
    CategoryOut,
    CategoryPatch,
    ItemCreate,
    ItemPatch,
    MenuItemOut,
    MenuOut,
)
from serving.restaurants.use_cases import menu
from serving.restaurants.use_cases import restaurants as service
from serving.restaurants.use_cases.errors import MenuRuleBroken

router = APIRouter(
    prefix="/restaurants", tags=["restaurants"], responses={**PROBLEM_RESPONSES, 403: PROBLEM_RESPONSES[401]}
)


def _rule_broken(exc: MenuRuleBroken) -> ProblemError:
    return ProblemError(422, "The request breaks a menu rule.", errors=exc.errors)


@router.get("/{restaurant_id}/menu", response_model=MenuOut, summary="The menu by category, with is_open_now")
async def get_menu(restaurant_id: uuid.UUID, _principal: CurrentPrincipal, engine: Database, cache: Cache) -> Response:
    # The bytes of a MenuOut (get_menu_json), straight from the cache: nothing to validate
    # or serialise again; one hand-off to the thread pool for the blocking reads.
    body = await run_in_threadpool(service.get_menu_json, engine, cache, restaurant_id)
    if body is None:
        raise not_found(f"restaurant {restaurant_id}")
    return Response(body, media_type="application/json")


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
        category = menu.create_category(engine, cache, principal, restaurant_id, body)
    except MenuRuleBroken as exc:
        raise _rule_broken(exc) from None
    if category is None:
        raise not_found(f"restaurant {restaurant_id}")
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
    refuse_nulls(body)
    try:
        category = menu.update_category(engine, cache, principal, restaurant_id, category_id, body)
    except MenuRuleBroken as exc:
        raise _rule_broken(exc) from None
    if category is None:
        raise not_found(f"category {category_id}")
    return category


@router.delete(
    "/{restaurant_id}/menu/categories/{category_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a category; its items stay, uncategorised (owner only)",
)
def delete_category(
    restaurant_id: uuid.UUID, category_id: uuid.UUID, principal: OwnerPrincipal, engine: Database, cache: Cache
) -> Response:
    if not menu.delete_category(engine, cache, principal, restaurant_id, category_id):
        raise not_found(f"category {category_id}")
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
    trace_id: TraceId,
    response: Response,
) -> MenuItemOut:
    try:
        item = menu.create_item(engine, cache, principal, restaurant_id, body, trace_id=trace_id)
    except MenuRuleBroken as exc:
        raise _rule_broken(exc) from None
    if item is None:
        raise not_found(f"restaurant {restaurant_id}")
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
    trace_id: TraceId,
) -> MenuItemOut:
    refuse_nulls(body, ItemPatch.NULLABLE)
    try:
        item = menu.update_item(engine, cache, principal, restaurant_id, item_id, body, trace_id=trace_id)
    except MenuRuleBroken as exc:
        raise _rule_broken(exc) from None
    if item is None:
        raise not_found(f"item {item_id}")
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
    trace_id: TraceId,
) -> Response:
    if not menu.delete_item(engine, cache, principal, restaurant_id, item_id, trace_id=trace_id):
        raise not_found(f"item {item_id}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
