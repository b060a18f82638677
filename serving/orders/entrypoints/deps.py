"""FastAPI dependencies of the orders router, as ``Annotated`` aliases.

The objects behind them are built once per app by ``bootstrap.build`` (``create_app``
keeps them on ``app.state.orders``); these functions only hand them out, on the event
loop (``async def``: a plain ``def`` dependency costs a thread-pool hand-off). Tests replace
one with ``create_app(overrides={deps.restaurant_ownership: lambda: …})``.
The database and the trace id are the kernel's (``serving.kernel.http.deps``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from contracts.envelope import EventEnvelope
from serving.kernel.auth import Principal, Role, principal_with_role
from serving.kernel.http.deps import GatewayRedis
from serving.orders.bootstrap import Orders
from serving.orders.ports import MenuPricing, RestaurantOwnership, StockKeeper
from serving.restaurants import api as restaurants_api


def _built(request: Request) -> Orders:
    built: Orders = request.app.state.orders
    return built


async def menu_pricing(request: Request) -> MenuPricing:
    return _built(request).pricing


async def stock_keeper(request: Request) -> StockKeeper:
    return _built(request).stock


async def restaurant_ownership(request: Request) -> RestaurantOwnership:
    return _built(request).ownership


async def stock_events_sink(redis: GatewayRedis) -> Callable[[EventEnvelope], object]:
    """Where a committed move's stock events go: the cached menus show the new stock on
    the very next read (the client is made only if there is something to invalidate)."""
    return lambda envelope: restaurants_api.forget_cached(redis.client, [envelope])


Pricing = Annotated[MenuPricing, Depends(menu_pricing)]
Stock = Annotated[StockKeeper, Depends(stock_keeper)]
Ownership = Annotated[RestaurantOwnership, Depends(restaurant_ownership)]
StockEventsSink = Annotated[Callable[[EventEnvelope], object], Depends(stock_events_sink)]
RestaurantOrAdmin = Annotated[Principal, Depends(principal_with_role(Role.RESTAURANT, Role.ADMIN))]
AdminPrincipal = Annotated[Principal, Depends(principal_with_role(Role.ADMIN))]
HistoryReader = Annotated[Principal, Depends(principal_with_role(Role.CUSTOMER, Role.RESTAURANT, Role.ADMIN))]
