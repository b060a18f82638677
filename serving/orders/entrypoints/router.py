"""HTTP surface of the orders service (mounted under /api/v1): placing and reading orders;
the status moves are ``transitions.py``, included at the end."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import AwareDatetime
from starlette.concurrency import run_in_threadpool

from serving.kernel.auth import CurrentPrincipal, CustomerPrincipal
from serving.kernel.field_errors import FieldError
from serving.kernel.http import idempotency
from serving.kernel.http.deps import Database, TraceId
from serving.kernel.http.keyset_cursor import InvalidCursor, decode_cursor
from serving.kernel.http.problems import CONFLICT_RESPONSE, FORBIDDEN_RESPONSE, PROBLEM_RESPONSES, ProblemError
from serving.orders.domain import OrderStatus
from serving.orders.entrypoints.deps import HistoryReader, Ownership, Pricing
from serving.orders.entrypoints.problems import REFUSALS, not_found, problem_for
from serving.orders.entrypoints.schemas import Identifier, OrderOut, OrderPage, PlaceOrderRequest
from serving.orders.entrypoints.transitions import router as transitions_router
from serving.orders.use_cases import placement, queries

router = APIRouter(prefix="/orders", tags=["orders"], responses=PROBLEM_RESPONSES)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OrderOut,
    summary="Place an order as the calling customer",
    description=(
        f"With an `Idempotency-Key` header ({idempotency.KEY_RULE}), repeating the same request returns "
        "the first order (`200`, header `Idempotent-Replayed: true`; a new order answers "
        "`Idempotent-Replayed: false`); the same key with a different body is a `409`."
    ),
    responses={**FORBIDDEN_RESPONSE, **CONFLICT_RESPONSE, 200: {"model": OrderOut}},
)
async def place_order(
    body: PlaceOrderRequest,
    principal: CustomerPrincipal,
    engine: Database,
    pricing: Pricing,
    trace_id: TraceId,
    request: Request,
    response: Response,
    idempotency_key: idempotency.IdempotencyKeyHeader = None,
) -> OrderOut:
    key = idempotency.checked_key(idempotency_key, required=False)
    # The hot path: async, so the blocking placement is the request's one explicit hand-off
    # to the thread pool (a sync endpoint costs FastAPI a second one to validate its answer).
    try:
        placed = await run_in_threadpool(
            placement.place_order,
            engine,
            principal.subject,
            body.to_placement(),
            pricing=pricing,
            idempotency_key=key,
            trace_id=trace_id,
        )
    except REFUSALS as refusal:
        raise problem_for(refusal) from None
    if placed.replayed:
        response.status_code = status.HTTP_200_OK
    idempotency.mark_replayed(response, placed.replayed)
    response.headers["Location"] = f"{request.url.path}/{placed.order.order_id}"
    return OrderOut.from_order(placed.order)


@router.get(
    "",
    response_model=OrderPage,
    summary="The caller's order history, newest first",
    description=(
        "Customers see their own orders, restaurants the orders of restaurants they own, "
        "admins every order. Keyset pagination: pass `next_cursor` back as `cursor`."
    ),
    responses=FORBIDDEN_RESPONSE,
)
def list_orders(
    principal: HistoryReader,
    engine: Database,
    ownership: Ownership,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page.")] = None,
    status_filter: Annotated[list[OrderStatus] | None, Query(alias="status")] = None,
    placed_from: Annotated[AwareDatetime | None, Query(alias="from", description="placed_at >= from")] = None,
    placed_to: Annotated[AwareDatetime | None, Query(alias="to", description="placed_at < to")] = None,
    restaurant_id: Annotated[Identifier | None, Query()] = None,
) -> OrderPage:
    after = None
    if cursor is not None:
        try:
            after = decode_cursor(cursor)
        except InvalidCursor as invalid:
            raise ProblemError(422, str(invalid), errors=[FieldError("cursor", str(invalid))]) from None
    if placed_from is not None and placed_to is not None and placed_from > placed_to:
        message = "`to` must not be before `from`."
        raise ProblemError(422, message, errors=[FieldError("to", message)])
    page = queries.order_history(
        engine,
        principal,
        ownership=ownership,
        limit=limit,
        after=after,
        statuses=status_filter or (),
        placed_from=placed_from,
        placed_to=placed_to,
        restaurant_id=restaurant_id,
    )
    return OrderPage(items=[OrderOut.from_order(order) for order in page.orders], next_cursor=page.next_cursor)


@router.get("/{order_id}", response_model=OrderOut, summary="One order, to whoever may see it")
def get_order(order_id: uuid.UUID, principal: CurrentPrincipal, engine: Database, ownership: Ownership) -> OrderOut:
    order = queries.get_order(engine, order_id, principal, ownership)
    if order is None:
        raise not_found(order_id)
    return OrderOut.from_order(order)


router.include_router(transitions_router)
