"""HTTP surface of the cart (mounted under /api/v1): the calling customer's own cart only."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response, status
from sqlalchemy.engine import Engine

from serving.cart import domain
from serving.cart.adapters.store import CartBusy, CartStore, CartUnavailable, CheckoutInProgress
from serving.cart.checkout import CartCheckedOut, CartEmpty, check_out
from serving.cart.entrypoints.schemas import AddItem, CartOut, Checkout, PutCart, SetQuantity
from serving.kernel.auth import CustomerPrincipal
from serving.kernel.field_errors import FieldError
from serving.kernel.http.deps import gateway_redis
from serving.kernel.http.problems import PROBLEM_MEDIA_TYPE, PROBLEM_RESPONSES, Problem, ProblemError
from serving.orders import idempotency
from serving.orders.domain import OrderRejected
from serving.orders.entrypoints.router import CONFLICT, catalog_pricing, database
from serving.orders.entrypoints.schemas import OrderOut
from serving.orders.use_cases import placement as service
from serving.restaurants import api as restaurants_api
from serving.settings import ServingSettings

router = APIRouter(prefix="/cart", tags=["cart"], responses=PROBLEM_RESPONSES)
_CONFLICT_RESPONSE: dict[int | str, dict[str, Any]] = {409: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}}}


def cart_store(request: Request) -> CartStore:
    settings: ServingSettings = request.app.state.settings
    return CartStore(gateway_redis(request).client, settings.cart.cart_ttl_seconds)


Store = Annotated[CartStore, Depends(cart_store)]
Database = Annotated[Engine, Depends(database)]


def _unprocessable(field_name: str, message: str) -> ProblemError:
    return ProblemError(422, message, errors=[FieldError(field_name, message)])


def _cart_conflict(message: str) -> ProblemError:
    return ProblemError(409, message, errors=[FieldError("cart", message)], problem_type=CONFLICT)


def _unavailable() -> ProblemError:
    return ProblemError(503, "Carts are unavailable right now; retry shortly.", headers={"Retry-After": "5"})


def _check_items(engine: Engine, restaurant_id: str, item_ids: list[str], fields: list[str]) -> None:
    """Only real, available items of an existing restaurant get into a cart (422 naming the field)."""
    with engine.connect() as connection:
        available = restaurants_api.available_items(connection, restaurant_id, item_ids)
    if available is None:
        raise _unprocessable("restaurant_id", f"No restaurant {restaurant_id} exists.")
    errors = [
        FieldError(field_name, f"This restaurant has no available item {item_id}.")
        for item_id, field_name in zip(item_ids, fields, strict=True)
        if item_id not in available
    ]
    if errors:
        raise ProblemError(422, "The cart cannot hold these items.", errors=errors)


def _update(store: CartStore, customer_id: str, change: Any) -> domain.Cart | None:
    try:
        return store.update(customer_id, change)
    except CartUnavailable:
        raise _unavailable() from None
    except CartBusy:
        raise _cart_conflict("The cart is being changed by another request right now; retry.") from None
    except CheckoutInProgress:
        raise _cart_conflict("The cart is being checked out; it cannot change until that ends.") from None
    except domain.CartConflict as conflict:
        raise ProblemError(409, str(conflict), errors=[conflict.error], problem_type=CONFLICT) from None
    except domain.CartRuleBroken as broken:
        raise ProblemError(422, str(broken), errors=[broken.error]) from None


@router.get("", response_model=CartOut, summary="The calling customer's cart (empty if none)")
def get_cart(principal: CustomerPrincipal, store: Store) -> CartOut:
    try:
        return CartOut.from_cart(store.load(principal.subject))
    except CartUnavailable:
        raise _unavailable() from None


@router.put("", response_model=CartOut, summary="Replace the whole cart", responses=_CONFLICT_RESPONSE)
def put_cart(body: PutCart, principal: CustomerPrincipal, store: Store, engine: Database) -> CartOut:
    item_ids = [line.item_id for line in body.items]
    if len(set(item_ids)) != len(item_ids):
        raise _unprocessable("items", "Each item may appear once; use its quantity.")
    _check_items(engine, body.restaurant_id, item_ids, [f"items[{i}].item_id" for i in range(len(item_ids))])
    cart = domain.Cart(body.restaurant_id, {line.item_id: line.quantity for line in body.items})
    return CartOut.from_cart(_update(store, principal.subject, lambda _old: cart) or cart)


@router.delete("", status_code=status.HTTP_204_NO_CONTENT, summary="Empty the cart", responses=_CONFLICT_RESPONSE)
def delete_cart(principal: CustomerPrincipal, store: Store) -> Response:
    _update(store, principal.subject, lambda _old: domain.Cart())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/items",
    response_model=CartOut,
    summary="Add portions of an item (a cart holds one restaurant's items; replace=true starts over)",
    responses=_CONFLICT_RESPONSE,
)
def add_item(body: AddItem, principal: CustomerPrincipal, store: Store, engine: Database) -> CartOut:
    _check_items(engine, body.restaurant_id, [body.item_id], ["item_id"])
    cart = _update(
        store,
        principal.subject,
        lambda old: domain.add_item(old, body.restaurant_id, body.item_id, body.quantity, replace_cart=body.replace),
    )
    assert cart is not None
    return CartOut.from_cart(cart)


def _not_in_cart(item_id: str) -> ProblemError:
    return ProblemError(404, f"Item {item_id} is not in the cart.")


@router.patch(
    "/items/{item_id}", response_model=CartOut, summary="Set an item's quantity", responses=_CONFLICT_RESPONSE
)
def set_quantity(item_id: str, body: SetQuantity, principal: CustomerPrincipal, store: Store) -> CartOut:
    cart = _update(store, principal.subject, lambda old: domain.set_quantity(old, item_id, body.quantity))
    if cart is None:
        raise _not_in_cart(item_id)
    return CartOut.from_cart(cart)


@router.delete(
    "/items/{item_id}", response_model=CartOut, summary="Remove an item from the cart", responses=_CONFLICT_RESPONSE
)
def remove_item(item_id: str, principal: CustomerPrincipal, store: Store) -> CartOut:
    cart = _update(store, principal.subject, lambda old: domain.remove_item(old, item_id))
    if cart is None:
        raise _not_in_cart(item_id)
    return CartOut.from_cart(cart)


@router.post(
    "/checkout",
    status_code=status.HTTP_201_CREATED,
    response_model=OrderOut,
    summary="Place the cart as an order, priced from the menu; the cart is emptied",
    description=(
        "Needs an `Idempotency-Key`. Repeating the call with the same key answers `200` with the "
        "same order (also after the cart was emptied by the first call). A cart checks out once: "
        "another key is a `409` while the first checkout runs and after it succeeded."
    ),
    responses={**_CONFLICT_RESPONSE, 200: {"model": OrderOut}},
)
def checkout(
    principal: CustomerPrincipal,
    store: Store,
    engine: Database,
    request: Request,
    response: Response,
    idempotency_key: Annotated[str | None, Header(alias=idempotency.HEADER)] = None,
    body: Checkout | None = None,
) -> OrderOut:
    if idempotency_key is None or not idempotency.is_valid_key(idempotency_key):
        raise _unprocessable(idempotency.HEADER, "Checkout needs an Idempotency-Key (1-255 printable ASCII).")
    try:
        placement = check_out(
            store,
            engine,
            principal.subject,
            idempotency_key,
            pricing=catalog_pricing(request),
            delivery_location=body.delivery_location if body is not None else None,
            offer_code=body.offer_code if body is not None else None,
        )
    except CartUnavailable:
        raise _unavailable() from None
    except CheckoutInProgress:
        raise _cart_conflict("The cart is being checked out by another request.") from None
    except CartCheckedOut as spent:
        raise _cart_conflict(str(spent)) from None
    except CartEmpty:
        raise _unprocessable("cart", "The cart is empty.") from None
    except OrderRejected as rejected:
        # lines[i] is the i-th item of GET /cart.
        raise ProblemError(422, "The cart cannot be ordered as it is.", errors=rejected.errors) from None
    except service.IdempotencyKeyReused:
        message = "This Idempotency-Key was already used for a different request."
        raise ProblemError(
            409, message, errors=[FieldError(idempotency.HEADER, message)], problem_type=CONFLICT
        ) from None
    if placement.replayed:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    response.headers["Location"] = f"/api/v1/orders/{placement.order.order_id}"
    return OrderOut.from_order(placement.order)
