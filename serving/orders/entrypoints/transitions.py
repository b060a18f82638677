"""The status-moving routes of the orders API: one table, one handler factory.

Each row of ``MOVES`` is a route ``POST /orders/{order_id}/<verb>``: who may call it,
the status it moves the order to (with its cancel reason), and the body it takes
(whose ``details()`` are what the lifecycle needs, e.g. ``prep_time_minutes``). The
admin's ``/status`` route, which takes any move of the lifecycle table, is the one
written out.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy.engine import Engine

from contracts.envelope import EventEnvelope
from serving.kernel.auth import Principal, Role, principal_with_role
from serving.kernel.field_errors import FieldError
from serving.kernel.http.deps import Database, TraceId
from serving.kernel.http.problems import CONFLICT_RESPONSE, FORBIDDEN_RESPONSE, ProblemError
from serving.orders.domain import OrderStatus, lifecycle
from serving.orders.entrypoints.deps import AdminPrincipal, Ownership, Stock, StockEventsSink
from serving.orders.entrypoints.problems import REFUSALS, not_found, problem_for
from serving.orders.entrypoints.schemas import OrderOut
from serving.orders.entrypoints.transition_schemas import AcceptRequest, AdminStatusRequest, RejectRequest
from serving.orders.ports import RestaurantOwnership, StockKeeper
from serving.orders.use_cases import transitions

router = APIRouter()
_RESPONSES: dict[int | str, dict[str, Any]] = {**FORBIDDEN_RESPONSE, **CONFLICT_RESPONSE}


@dataclass(frozen=True)
class Move:
    verb: str  # the path's last segment
    name: str  # the route's name (and the OpenAPI operation id's stem)
    summary: str
    target: OrderStatus
    roles: tuple[Role, ...]
    reason: lifecycle.CancelReason | None = None
    body: type[BaseModel] | None = None


S, R = OrderStatus, Role
MOVES: tuple[Move, ...] = (
    Move("accept", "accept_order", "The restaurant accepts a PENDING order with a preparation estimate",
         S.ACCEPTED, (R.RESTAURANT, R.ADMIN), body=AcceptRequest),
    Move("reject", "reject_order",
         "The restaurant turns down a PENDING or ACCEPTED order (it becomes CANCELLED)",
         S.CANCELLED, (R.RESTAURANT, R.ADMIN), lifecycle.CancelReason.RESTAURANT_REJECTED, RejectRequest),
    Move("preparing", "start_preparing", "The restaurant starts cooking an ACCEPTED order",
         S.PREPARING, (R.RESTAURANT, R.ADMIN)),
    Move("ready", "mark_ready", "The food of a PREPARING order is ready for pickup", S.READY, (R.RESTAURANT, R.ADMIN)),
    Move("cancel", "cancel_order",
         "The customer cancels their order (free until the kitchen starts; not once READY)",
         S.CANCELLED, (R.CUSTOMER,), lifecycle.CancelReason.CUSTOMER_CANCELLED),
)  # fmt: skip
del S, R


def _change(
    engine: Engine,
    order_id: uuid.UUID,
    principal: Principal,
    target: OrderStatus,
    *,
    ownership: RestaurantOwnership,
    stock: StockKeeper,
    sink: Callable[[EventEnvelope], object],
    trace_id: str | None,
    **details: Any,
) -> OrderOut:
    """Run one lifecycle move and turn its refusals into problems."""
    try:
        order = transitions.change_status(
            engine, order_id, principal, target,
            ownership=ownership, stock=stock, after_commit=sink, trace_id=trace_id, **details,
        )  # fmt: skip
    except REFUSALS as refusal:
        raise problem_for(refusal) from None
    if order is None:
        raise not_found(order_id)
    return OrderOut.from_order(order)


def _handler(move: Move) -> Callable[..., OrderOut]:
    """The endpoint of one row: its signature (role, body) is the row's, for FastAPI."""

    def handle(
        order_id: uuid.UUID,
        principal: Principal,
        engine: Engine,
        ownership: RestaurantOwnership,
        stock: StockKeeper,
        sink: Callable[[EventEnvelope], object],
        trace_id: str | None,
        body: Any = None,
    ) -> OrderOut:
        details: dict[str, Any] = body.details() if body is not None else {}
        return _change(
            engine, order_id, principal, move.target,
            ownership=ownership, stock=stock, sink=sink, trace_id=trace_id, reason=move.reason, **details,
        )  # fmt: skip

    caller = Annotated[Principal, Depends(principal_with_role(*move.roles))]
    kinds = {
        "order_id": uuid.UUID, "principal": caller, "engine": Database, "ownership": Ownership,
        "stock": Stock, "sink": StockEventsSink, "trace_id": TraceId,
    }  # fmt: skip
    if move.body is not None:
        kinds["body"] = move.body
    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = [inspect.Parameter(name, keyword, annotation=kind) for name, kind in kinds.items()]
    handle.__signature__ = inspect.Signature(parameters, return_annotation=OrderOut)  # type: ignore[attr-defined]
    return handle


for _move in MOVES:
    router.add_api_route(
        f"/{{order_id}}/{_move.verb}",
        _handler(_move),
        methods=["POST"],
        name=_move.name,
        response_model=OrderOut,
        summary=_move.summary,
        responses=_RESPONSES,
    )


@router.post(
    "/{order_id}/status",
    response_model=OrderOut,
    summary="An admin applies any move of the lifecycle table",
    responses=_RESPONSES,
)
def admin_set_status(
    order_id: uuid.UUID,
    body: AdminStatusRequest,
    principal: AdminPrincipal,
    engine: Database,
    ownership: Ownership,
    stock: Stock,
    sink: StockEventsSink,
    trace_id: TraceId,
) -> OrderOut:
    cancelling = body.status is OrderStatus.CANCELLED
    if cancelling != (body.reason is not None):
        message = "reason is required when cancelling and not allowed otherwise."
        raise ProblemError(422, message, errors=[FieldError("reason", message)])
    rejection = body.rejection_reason
    if body.reason is lifecycle.CancelReason.RESTAURANT_REJECTED and rejection is None:
        rejection = lifecycle.RejectionReason.OTHER
    return _change(
        engine, order_id, principal, body.status, ownership=ownership, stock=stock, sink=sink, trace_id=trace_id,
        reason=body.reason, prep_time_minutes=body.prep_time_minutes, rejection_reason=rejection,
    )  # fmt: skip
