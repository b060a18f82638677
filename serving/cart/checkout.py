"""Checkout: the calling customer's cart becomes one order, priced from the menu, once.

The cart is claimed for the whole placement (``CartStore.claim_checkout``): a second
checkout under another Idempotency-Key is refused while the first runs, and finds the
cart spent once it has succeeded. A refused order lets the cart go as it was.
"""

from __future__ import annotations

import logging

from sqlalchemy.engine import Engine

from serving.cart import domain
from serving.cart.adapters.store import CartStore, CartUnavailable
from serving.orders import api as orders_api

log = logging.getLogger(__name__)


class CartEmpty(Exception):
    """Nothing to order (a 422 naming ``cart``)."""


class CartCheckedOut(Exception):
    """The cart already became an order under another Idempotency-Key (a 409 naming ``cart``)."""

    def __init__(self, order_id: str) -> None:
        super().__init__(f"This cart was already checked out as order {order_id}.")
        self.order_id = order_id


def check_out(
    store: CartStore,
    engine: Engine,
    customer_id: str,
    idempotency_key: str,
    *,
    pricing: orders_api.Pricing,
    delivery_location: orders_api.Location | None = None,
    offer_code: str | None = None,
) -> orders_api.Placement:
    """Place the cart as an order and spend the cart, all under the cart's checkout claim.

    Raises CheckoutInProgress, CartUnavailable (from the store), CartEmpty,
    CartCheckedOut, and the orders service's OrderRejected and
    IdempotencyKeyReused (``serving.orders.api``); then no order was written and the
    cart is as it was.
    """
    cart = store.claim_checkout(customer_id, idempotency_key)
    spent: domain.Cart | None = None
    try:
        if cart.empty:
            return _earlier_checkout(engine, customer_id, idempotency_key, cart)
        placement = _place(engine, customer_id, idempotency_key, cart, pricing, delivery_location, offer_code)
        spent = domain.checked_out(str(placement.order_id))
        return placement
    finally:
        try:
            store.release_checkout(customer_id, idempotency_key, leave=spent)
        except CartUnavailable:
            # The order (if any) stands and a retry with the key replays it; the claim
            # expires by its TTL.
            log.warning("could not release the checkout claim of %s's cart", customer_id)


def _earlier_checkout(engine: Engine, customer_id: str, key: str, cart: domain.Cart) -> orders_api.Placement:
    """An empty cart: a retry of the checkout that emptied it answers with that order."""
    with engine.connect() as connection:
        earlier = orders_api.placement_for_key(connection, customer_id, key)
    if earlier is not None:
        return earlier
    if cart.checked_out_as is not None:
        raise CartCheckedOut(cart.checked_out_as)
    raise CartEmpty


def _place(
    engine: Engine,
    customer_id: str,
    key: str,
    cart: domain.Cart,
    pricing: orders_api.Pricing,
    delivery_location: orders_api.Location | None,
    offer_code: str | None,
) -> orders_api.Placement:
    assert cart.restaurant_id is not None  # a cart with items has its restaurant
    # No city: the pricing reads the restaurant's (and refuses a restaurant that is gone).
    request = orders_api.PlacementRequest(
        restaurant_id=cart.restaurant_id,
        lines=tuple(orders_api.RequestedLine(item_id, quantity) for item_id, quantity in cart.items.items()),
        delivery_location=delivery_location,
        currency="INR",
        offer_code=offer_code,
    )
    return orders_api.place_order(engine, customer_id, request, key, pricing=pricing)
