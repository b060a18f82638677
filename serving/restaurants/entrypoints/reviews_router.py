"""HTTP surface of a restaurant's ratings and reviews (mounted under /api/v1, next to router.py)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from serving.kernel.auth import CurrentPrincipal, CustomerPrincipal
from serving.kernel.field_errors import FieldError
from serving.kernel.http.deps import Database, TraceId
from serving.kernel.http.keyset_cursor import InvalidCursor, decode_cursor
from serving.kernel.http.problems import CONFLICT, CONFLICT_RESPONSE, PROBLEM_RESPONSES, ProblemError
from serving.restaurants.domain.reviews import OrderNotFound, ReviewRefused
from serving.restaurants.entrypoints.deps import Cache, Orders
from serving.restaurants.entrypoints.review_schemas import ReviewCreate, ReviewOut, ReviewPage
from serving.restaurants.use_cases import reviews as review_service

router = APIRouter(
    prefix="/restaurants", tags=["restaurants"], responses={**PROBLEM_RESPONSES, 403: PROBLEM_RESPONSES[401]}
)


def _no_restaurant(restaurant_id: uuid.UUID) -> ProblemError:
    detail = f"No restaurant {restaurant_id} was found."
    return ProblemError(404, detail, errors=[FieldError("restaurant_id", detail)])


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
    responses=CONFLICT_RESPONSE,
)
def review_restaurant(
    restaurant_id: uuid.UUID,
    body: ReviewCreate,
    principal: CustomerPrincipal,
    engine: Database,
    cache: Cache,
    orders: Orders,
    trace_id: TraceId,
) -> ReviewOut:
    try:
        review = review_service.review_restaurant(
            engine, cache, orders, principal.subject, restaurant_id, body, trace_id=trace_id
        )
    except OrderNotFound as missing:
        raise ProblemError(404, str(missing), errors=[missing.error]) from None
    except ReviewRefused as refused:  # not delivered yet, or already reviewed
        raise ProblemError(409, str(refused), errors=[refused.error], problem_type=CONFLICT) from None
    if review is None:
        raise _no_restaurant(restaurant_id)
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
    page = review_service.list_reviews(engine, restaurant_id, limit=limit, after=after)
    if page is None:
        raise _no_restaurant(restaurant_id)
    return ReviewPage(items=[ReviewOut.of(review, principal) for review in page.reviews], next_cursor=page.next_cursor)
