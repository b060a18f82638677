"""Building the cart from settings: for the composition roots only.

``build`` makes what the cart's routes need, once per app (``serving.app.create_app``
keeps it on ``app.state.cart``; ``entrypoints.deps`` hands it out). The checkout's
pricing is the orders service's (``serving.orders.api.Pricing``), handed in by the root.
"""

from __future__ import annotations

from dataclasses import dataclass

from serving.cart.settings import CartSettings
from serving.orders import api as orders_api


@dataclass(frozen=True)
class Carts:
    """The cart's long-lived objects in one app (carts themselves live in Redis)."""

    ttl_seconds: int
    checkout_pricing: orders_api.Pricing


def build(section: CartSettings, checkout_pricing: orders_api.Pricing) -> Carts:
    return Carts(ttl_seconds=section.cart_ttl_seconds, checkout_pricing=checkout_pricing)
