"""HTTP surface of the orders service (mounted under /api/v1)."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from pydantic import AwareDatetime
from sqlalchemy.engine import Engine

from serving.kernel.auth import CurrentPrincipal, CustomerPrincipal, Principal, Role, principal_with_role
from serving.kernel.field_errors import FieldError
from serving.kernel.http.deps import gateway_redis
from serving.kernel.http.keyset_cursor import InvalidCursor, decode_cursor
from serving.kernel.http.problems import FORBIDDEN, PROBLEM_MEDIA_TYPE, PROBLEM_RESPONSES, Problem, ProblemError
from serving.orders import idempotency
from serving.orders.adapters.pricing_catalog import CatalogPricing, catalog_pricing_from
from serving.orders.adapters.stock import CatalogStock, OutOfStock
from serving.orders.domain import OrderRejected, OrderStatus, lifecycle
from serving.orders.entrypoints.schemas import (
    AcceptRequest,
    AdminStatusRequest,
    Identifier,
    OrderOut,
    OrderPage,
    PlaceOrderRequest,
    RejectRequest,
)
from serving.orders.ports import (
    ClientSentPricing,
    MenuPricing,
    NoStock,
    RestaurantOwnership,
    RestaurantsApiOwnership,
    StockKeeper,
)
from serving.orders.use_cases import placement as service
from serving.restaurants import api as restaurants_api
from serving.settings import ServingSettings

router = APIRouter(prefix="/orders", tags=["orders"], responses=PROBLEM_RESPONSES)

# A 409 is "your request is fine, but the resource is in the wrong state for it".
CONFLICT = "urn:tiffin:problem:conflict"
_CONFLICT_RESPONSE: dict[int | str, dict[str, Any]] = {409: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}}}
_FORBIDDEN_RESPONSE: dict[int | str, dict[str, Any]] = {403: PROBLEM_RESPONSES[401]}  # same problem schema


def database(request: Request) -> Engine:
    engine: Engine = request.app.state.database.engine
    return engine


def restaurant_ownership(request: Request) -> RestaurantOwnership:
    """``app.state.restaurant_ownership`` if the app (or a test) set one, else the restaurants service's answer."""
    chosen: RestaurantOwnership | None = getattr(request.app.state, "restaurant_ownership", None)
    return chosen if chosen is not None else RestaurantsApiOwnership()


def menu_pricing(request: Request) -> MenuPricing:
    """``app.state.menu_pricing`` if set; else what ``TIFFIN_ORDER_PRICING`` names."""
    chosen: MenuPricing | None = getattr(request.app.state, "menu_pricing", None)
    if chosen is not None:
        return chosen
    settings: ServingSettings = request.app.state.settings
    return ClientSentPricing() if settings.orders.order_pricing == "client" else catalog_pricing(request)


def catalog_pricing(request: Request) -> CatalogPricing:
    """Menu prices and offers, tax and packaging and a distance fee from the settings, surge from Redis."""
    return catalog_pricing_from(request.app.state.settings, getattr(request.app.state, "redis", None))


def stock_keeper(request: Request) -> StockKeeper:
    """Stock is only held for catalogue-priced orders (client pricing orders invented items)."""
    chosen: StockKeeper | None = getattr(request.app.state, "stock_keeper", None)
    if chosen is not None:
        return chosen
    settings: ServingSettings = request.app.state.settings
    return CatalogStock() if settings.orders.order_pricing == "catalog" else NoStock()


Database = Annotated[Engine, Depends(database)]
Ownership = Annotated[RestaurantOwnership, Depends(restaurant_ownership)]
Pricing = Annotated[MenuPricing, Depends(menu_pricing)]
RestaurantOrAdmin = Annotated[Principal, Depends(principal_with_role(Role.RESTAURANT, Role.ADMIN))]
AdminPrincipal = Annotated[Principal, Depends(principal_with_role(Role.ADMIN))]
HistoryReader = Annotated[Principal, Depends(principal_with_role(Role.CUSTOMER, Role.RESTAURANT, Role.ADMIN))]

# A caller's X-Request-ID becomes the event's trace id when it looks like an id.
_TRACE_ID = re.compile(r"^[A-Za-z0-9._:\-]{8,128}$")


def _trace_id(request: Request) -> str | None:
    candidate = request.headers.get("x-request-id", "")
    return candidate if _TRACE_ID.match(candidate) else None


def _not_found(order_id: uuid.UUID) -> ProblemError:
    # Same answer for "no such order" and "not yours": existence does not leak.
    return ProblemError(404, f"No order {order_id} was found.")


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OrderOut,
    summary="Place an order as the calling customer",
    description=(
        "With an `Idempotency-Key` header, repeating the same request returns the first order "
        "(`200`, header `Idempotent-Replayed: true`); the same key with a different body is a `409`."
    ),
    responses={**_FORBIDDEN_RESPONSE, **_CONFLICT_RESPONSE, 200: {"model": OrderOut}},
)
def place_order(
    body: PlaceOrderRequest,
    principal: CustomerPrincipal,
    engine: Database,
    pricing: Pricing,
    request: Request,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(alias=idempotency.HEADER, description="1-255 printable ASCII characters, no spaces."),
    ] = None,
) -> OrderOut:
    if idempotency_key is not None and not idempotency.is_valid_key(idempotency_key):
        message = "Idempotency-Key must be 1-255 printable ASCII characters without spaces."
        raise ProblemError(422, message, errors=[FieldError(idempotency.HEADER, message)])
    try:
        placement = service.place_order(
            engine,
            principal.subject,
            body,
            pricing=pricing,
            idempotency_key=idempotency_key,
            trace_id=_trace_id(request),
        )
    except OrderRejected as rejected:
        raise ProblemError(422, "The order breaks a business rule.", errors=rejected.errors) from None
    except service.IdempotencyKeyReused:
        message = "This Idempotency-Key was already used for a different request."
        raise ProblemError(
            409, message, errors=[FieldError(idempotency.HEADER, message)], problem_type=CONFLICT
        ) from None
    if placement.replayed:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    response.headers["Location"] = f"{request.url.path}/{placement.order.order_id}"
    return OrderOut.from_order(placement.order)


@router.get(
    "",
    response_model=OrderPage,
    summary="The caller's order history, newest first",
    description=(
        "Customers see their own orders, restaurants the orders of restaurants they own, "
        "admins every order. Keyset pagination: pass `next_cursor` back as `cursor`."
    ),
    responses=_FORBIDDEN_RESPONSE,
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
    page = service.order_history(
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
    order = service.get_order(engine, order_id, principal, ownership)
    if order is None:
        raise _not_found(order_id)
    return OrderOut.from_order(order)


def _change(
    request: Request,
    engine: Engine,
    ownership: RestaurantOwnership,
    order_id: uuid.UUID,
    principal: Principal,
    target: OrderStatus,
    **details: object,
) -> OrderOut:
    """Run one lifecycle move and turn its refusals into problems."""
    redis = gateway_redis(request)  # lazy: connects only if there is something to invalidate
    try:
        order = service.change_status(
            engine,
            order_id,
            principal,
            target,
            ownership=ownership,
            trace_id=_trace_id(request),
            stock=stock_keeper(request),
            # Stock events: the cached menus show the new stock on the very next read.
            after_commit=lambda envelope: restaurants_api.forget_cached(redis.client, [envelope]),
            **details,  # type: ignore[arg-type]
        )
    except OutOfStock as short:
        message = "Not enough stock to accept this order; it stays PENDING."
        raise ProblemError(409, message, errors=short.errors, problem_type=CONFLICT) from None
    except lifecycle.IllegalTransition as illegal:
        raise ProblemError(
            409, str(illegal), errors=[FieldError("status", str(illegal))], problem_type=CONFLICT
        ) from None
    except lifecycle.ActorNotPermitted as refused:
        raise ProblemError(403, str(refused), problem_type=FORBIDDEN) from None
    except lifecycle.MissingDetail as missing:
        raise ProblemError(422, str(missing), errors=[FieldError(missing.field, str(missing))]) from None
    if order is None:
        raise _not_found(order_id)
    return OrderOut.from_order(order)


_TRANSITION_RESPONSES: dict[int | str, dict[str, Any]] = {**_FORBIDDEN_RESPONSE, **_CONFLICT_RESPONSE}


@router.post(
    "/{order_id}/accept",
    response_model=OrderOut,
    summary="The restaurant accepts a PENDING order with a preparation estimate",
    responses=_TRANSITION_RESPONSES,
)
def accept_order(
    order_id: uuid.UUID,
    body: AcceptRequest,
    principal: RestaurantOrAdmin,
    engine: Database,
    ownership: Ownership,
    request: Request,
) -> OrderOut:
    return _change(
        request, engine, ownership, order_id, principal, OrderStatus.ACCEPTED,
        prep_time_minutes=body.prep_time_minutes,
    )  # fmt: skip


@router.post(
    "/{order_id}/reject",
    response_model=OrderOut,
    summary="The restaurant turns down a PENDING or ACCEPTED order (it becomes CANCELLED)",
    responses=_TRANSITION_RESPONSES,
)
def reject_order(
    order_id: uuid.UUID,
    body: RejectRequest,
    principal: RestaurantOrAdmin,
    engine: Database,
    ownership: Ownership,
    request: Request,
) -> OrderOut:
    return _change(
        request, engine, ownership, order_id, principal, OrderStatus.CANCELLED,
        reason=lifecycle.CancelReason.RESTAURANT_REJECTED, rejection_reason=body.reason,
    )  # fmt: skip


@router.post(
    "/{order_id}/preparing",
    response_model=OrderOut,
    summary="The restaurant starts cooking an ACCEPTED order",
    responses=_TRANSITION_RESPONSES,
)
def start_preparing(
    order_id: uuid.UUID, principal: RestaurantOrAdmin, engine: Database, ownership: Ownership, request: Request
) -> OrderOut:
    return _change(request, engine, ownership, order_id, principal, OrderStatus.PREPARING)


@router.post(
    "/{order_id}/ready",
    response_model=OrderOut,
    summary="The food of a PREPARING order is ready for pickup",
    responses=_TRANSITION_RESPONSES,
)
def mark_ready(
    order_id: uuid.UUID, principal: RestaurantOrAdmin, engine: Database, ownership: Ownership, request: Request
) -> OrderOut:
    return _change(request, engine, ownership, order_id, principal, OrderStatus.READY)


@router.post(
    "/{order_id}/cancel",
    response_model=OrderOut,
    summary="The customer cancels their order (free until the kitchen starts; not once READY)",
    responses=_TRANSITION_RESPONSES,
)
def cancel_order(
    order_id: uuid.UUID, principal: CustomerPrincipal, engine: Database, ownership: Ownership, request: Request
) -> OrderOut:
    return _change(
        request, engine, ownership, order_id, principal, OrderStatus.CANCELLED,
        reason=lifecycle.CancelReason.CUSTOMER_CANCELLED,
    )  # fmt: skip


@router.post(
    "/{order_id}/status",
    response_model=OrderOut,
    summary="An admin applies any move of the lifecycle table",
    responses=_TRANSITION_RESPONSES,
)
def admin_set_status(
    order_id: uuid.UUID,
    body: AdminStatusRequest,
    principal: AdminPrincipal,
    engine: Database,
    ownership: Ownership,
    request: Request,
) -> OrderOut:
    cancelling = body.status is OrderStatus.CANCELLED
    if cancelling != (body.reason is not None):
        message = "reason is required when cancelling and not allowed otherwise."
        raise ProblemError(422, message, errors=[FieldError("reason", message)])
    rejection = body.rejection_reason
    if body.reason is lifecycle.CancelReason.RESTAURANT_REJECTED and rejection is None:
        rejection = lifecycle.RejectionReason.OTHER
    return _change(
        request, engine, ownership, order_id, principal, body.status,
        reason=body.reason, prep_time_minutes=body.prep_time_minutes, rejection_reason=rejection,
    )  # fmt: skip
