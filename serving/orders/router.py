"""HTTP surface of the orders service (mounted under /api/v1)."""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from sqlalchemy.engine import Engine

from serving.auth import CurrentPrincipal, CustomerPrincipal
from serving.orders import service
from serving.orders.domain import OrderRejected
from serving.orders.schemas import OrderOut, PlaceOrderRequest
from serving.problems import PROBLEM_RESPONSES, ProblemError

router = APIRouter(prefix="/orders", tags=["orders"], responses=PROBLEM_RESPONSES)


def database(request: Request) -> Engine:
    engine: Engine = request.app.state.database.engine
    return engine


Database = Annotated[Engine, Depends(database)]

# A caller's X-Request-ID becomes the event's trace id when it looks like an id.
_TRACE_ID = re.compile(r"^[A-Za-z0-9._:\-]{8,128}$")


def _trace_id(request: Request) -> str | None:
    candidate = request.headers.get("x-request-id", "")
    return candidate if _TRACE_ID.match(candidate) else None


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OrderOut,
    summary="Place an order as the calling customer",
    responses={403: PROBLEM_RESPONSES[401]},  # same problem schema
)
def place_order(
    body: PlaceOrderRequest,
    principal: CustomerPrincipal,
    engine: Database,
    request: Request,
    response: Response,
) -> OrderOut:
    try:
        order = service.place_order(
            engine,
            principal.subject,
            body,
            trace_id=_trace_id(request),
        )
    except OrderRejected as rejected:
        raise ProblemError(422, "The order breaks a business rule.", errors=rejected.errors) from None
    response.headers["Location"] = f"{request.url.path}/{order.order_id}"
    return OrderOut.from_order(order)


@router.get("/{order_id}", response_model=OrderOut, summary="One order, to its customer or an admin")
def get_order(order_id: uuid.UUID, principal: CurrentPrincipal, engine: Database) -> OrderOut:
    order = service.get_order(engine, order_id, principal)
    if order is None:
        # Same answer for "no such order" and "not yours": existence does not leak.
        raise ProblemError(404, f"No order {order_id} was found.")
    return OrderOut.from_order(order)
