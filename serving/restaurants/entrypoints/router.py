"""HTTP surface of restaurants (mounted under /api/v1); their menus are ``menu_router``,
reviews ``reviews_router``, offers ``offers_router``, search ``search_router``
(``routers.ROUTERS`` lists them all)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel

from serving.kernel.auth import CurrentPrincipal
from serving.kernel.clock import utc_now
from serving.kernel.field_errors import FieldError
from serving.kernel.http.deps import Database, TraceId
from serving.kernel.http.problems import PROBLEM_RESPONSES, ProblemError
from serving.restaurants.entrypoints.deps import Cache, EditorPrincipal, OwnerPrincipal
from serving.restaurants.entrypoints.schemas import (
    RestaurantCreate,
    RestaurantOut,
    RestaurantPatch,
)
from serving.restaurants.use_cases import restaurants as service

router = APIRouter(
    prefix="/restaurants", tags=["restaurants"], responses={**PROBLEM_RESPONSES, 403: PROBLEM_RESPONSES[401]}
)


def not_found(what: str) -> ProblemError:
    # Same answer for "does not exist" and "not yours": ids of others do not leak.
    return ProblemError(404, f"No {what} was found.")


def refuse_nulls(body: BaseModel, nullable: frozenset[str] = frozenset()) -> None:
    """PATCH semantics: an absent field stays; an explicit null clears only clearable fields."""
    errors = [
        FieldError(name, "Must not be null.")
        for name in sorted(body.model_fields_set - nullable)
        if getattr(body, name) is None
    ]
    if errors:
        raise ProblemError(422, f"The request is not valid; fix: {', '.join(e.field for e in errors)}.", errors=errors)


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
    trace_id: TraceId,
    response: Response,
) -> RestaurantOut:
    restaurant = service.create_restaurant(engine, cache, principal, body, trace_id=trace_id)
    response.headers["Location"] = f"{request.url.path}/{restaurant.restaurant_id}"
    return restaurant


@router.get("/{restaurant_id}", response_model=RestaurantOut, summary="A restaurant, with is_open_now")
def get_restaurant(
    restaurant_id: uuid.UUID, principal: CurrentPrincipal, engine: Database, cache: Cache
) -> RestaurantOut:
    view = service.get_restaurant(engine, cache, restaurant_id)
    if view is None:
        raise not_found(f"restaurant {restaurant_id}")
    return service.present(view, principal, utc_now())


@router.patch("/{restaurant_id}", response_model=RestaurantOut, summary="Change details (owner or admin)")
def update_restaurant(
    restaurant_id: uuid.UUID,
    body: RestaurantPatch,
    principal: EditorPrincipal,
    engine: Database,
    cache: Cache,
    trace_id: TraceId,
) -> RestaurantOut:
    refuse_nulls(body)
    result = service.update_restaurant(engine, cache, principal, restaurant_id, body, trace_id=trace_id)
    if result is None:
        raise not_found(f"restaurant {restaurant_id}")
    return result
