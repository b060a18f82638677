"""FastAPI dependencies of the cart router, as ``Annotated`` aliases.

What they hand out is built once per app by ``bootstrap.build`` (``app.state.cart``);
the store is a thin wrapper over the app's Redis client, made per request. Tests
replace one with ``create_app(overrides={deps.cart_store: …})``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from serving.cart.adapters.store import CartStore
from serving.cart.bootstrap import Carts
from serving.kernel.http.deps import GatewayRedis
from serving.orders import api as orders_api


def _built(request: Request) -> Carts:
    built: Carts = request.app.state.cart
    return built


async def cart_store(request: Request, redis: GatewayRedis) -> CartStore:
    return CartStore(redis.client, _built(request).ttl_seconds)


async def checkout_pricing(request: Request) -> orders_api.Pricing:
    return _built(request).checkout_pricing


Store = Annotated[CartStore, Depends(cart_store)]
CheckoutPricing = Annotated[orders_api.Pricing, Depends(checkout_pricing)]
