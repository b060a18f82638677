"""HTTP surface of the cart (mounted under /api/v1): the calling customer's own cart only.

The checkout route is ``checkout_router.py``, included at the end.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status
from sqlalchemy.engine import Engine

from serving.cart import domain
from serving.cart.adapters.store import CartBusy, CartStore, CartUnavailable, CheckoutInProgress
from serving.cart.entrypoints.checkout_router import router as checkout_router
from serving.cart.entrypoints.deps import Store
from serving.cart.entrypoints.problems import cart_conflict, unavailable, unprocessable
from serving.cart.entrypoints.schemas import AddItem, CartOut, PutCart, SetQuantity
from serving.kernel.auth import CustomerPrincipal
from serving.kernel.field_errors import FieldError
from serving.kernel.http.deps import Database
from serving.kernel.http.problems import CONFLICT, CONFLICT_RESPONSE, PROBLEM_RESPONSES, ProblemError
from serving.restaurants import api as restaurants_api

router = APIRouter(prefix="/cart", tags=["cart"], responses=PROBLEM_RESPONSES)


def _check_items(engine: Engine, restaurant_id: str, item_ids: list[str], fields: list[str]) -> None:
    """Only real, available items of an existing restaurant get into a cart (422 naming the field)."""
    with engine.connect() as connection:
        available = restaurants_api.available_items(connection, restaurant_id, item_ids)
    if available is None:
        raise unprocessable("restaurant_id", f"No restaurant {restaurant_id} exists.")
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
        raise unavailable() from None
    except CartBusy:
        raise cart_conflict("The cart is being changed by another request right now; retry.") from None
    except CheckoutInProgress:
        raise cart_conflict("The cart is being checked out; it cannot change until that ends.") from None
    except domain.CartConflict as conflict:
        raise ProblemError(409, str(conflict), errors=[conflict.error], problem_type=CONFLICT) from None
    except domain.CartRuleBroken as broken:
        raise ProblemError(422, str(broken), errors=[broken.error]) from None


@router.get("", response_model=CartOut, summary="The calling customer's cart (empty if none)")
def get_cart(principal: CustomerPrincipal, store: Store) -> CartOut:
    try:
        return CartOut.from_cart(store.load(principal.subject))
    except CartUnavailable:
        raise unavailable() from None


@router.put("", response_model=CartOut, summary="Replace the whole cart", responses=CONFLICT_RESPONSE)
def put_cart(body: PutCart, principal: CustomerPrincipal, store: Store, engine: Database) -> CartOut:
    item_ids = [line.item_id for line in body.items]
    if len(set(item_ids)) != len(item_ids):
        raise unprocessable("items", "Each item may appear once; use its quantity.")
    _check_items(engine, body.restaurant_id, item_ids, [f"items[{i}].item_id" for i in range(len(item_ids))])
    cart = domain.Cart(body.restaurant_id, {line.item_id: line.quantity for line in body.items})
    return CartOut.from_cart(_update(store, principal.subject, lambda _old: cart) or cart)


@router.delete("", status_code=status.HTTP_204_NO_CONTENT, summary="Empty the cart", responses=CONFLICT_RESPONSE)
def delete_cart(principal: CustomerPrincipal, store: Store) -> Response:
    _update(store, principal.subject, lambda _old: domain.Cart())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/items",
    response_model=CartOut,
    summary="Add portions of an item (a cart holds one restaurant's items; replace=true starts over)",
    responses=CONFLICT_RESPONSE,
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
    "/items/{item_id}", response_model=CartOut, summary="Set an item's quantity", responses=CONFLICT_RESPONSE
)
def set_quantity(item_id: str, body: SetQuantity, principal: CustomerPrincipal, store: Store) -> CartOut:
    cart = _update(store, principal.subject, lambda old: domain.set_quantity(old, item_id, body.quantity))
    if cart is None:
        raise _not_in_cart(item_id)
    return CartOut.from_cart(cart)


@router.delete(
    "/items/{item_id}", response_model=CartOut, summary="Remove an item from the cart", responses=CONFLICT_RESPONSE
)
def remove_item(item_id: str, principal: CustomerPrincipal, store: Store) -> CartOut:
    cart = _update(store, principal.subject, lambda old: domain.remove_item(old, item_id))
    if cart is None:
        raise _not_in_cart(item_id)
    return CartOut.from_cart(cart)


router.include_router(checkout_router)
