"""FastAPI dependencies of the restaurants routers, as ``Annotated`` aliases.

The objects behind them are built once per app by ``bootstrap.build`` (``create_app``
keeps them on ``app.state.restaurants``); these functions only hand them out, on the
event loop (``async def``: a plain ``def`` dependency costs a thread-pool hand-off). Tests
replace one with ``app.dependency_overrides[deps.reviewable_orders] = lambda: fake``.
The database and the trace id are the kernel's (``serving.kernel.http.deps``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from serving.kernel.auth import Principal, Role, principal_with_role
from serving.kernel.http.deps import Database
from serving.restaurants.adapters.cache.clients import BytesRedis
from serving.restaurants.adapters.cache.restaurant_cache import RestaurantCache
from serving.restaurants.adapters.orders_port import ReviewableOrders
from serving.restaurants.adapters.search_postgres import PostgresRestaurantSearch
from serving.restaurants.bootstrap import Restaurants
from serving.restaurants.domain.search import RestaurantSearch


def _built(request: Request) -> Restaurants:
    built: Restaurants = request.app.state.restaurants
    return built


async def restaurant_cache(request: Request) -> RestaurantCache:
    return _built(request).cache


async def redis_client(request: Request) -> BytesRedis:
    return _built(request).redis


async def reviewable_orders(request: Request) -> ReviewableOrders:
    return _built(request).reviewable_orders


async def restaurant_search(engine: Database) -> RestaurantSearch:
    """The search adapter; swap it here (or override this) for an Elasticsearch/OpenSearch one."""
    return PostgresRestaurantSearch(engine)


Cache = Annotated[RestaurantCache, Depends(restaurant_cache)]
RedisClient = Annotated[BytesRedis, Depends(redis_client)]
Orders = Annotated[ReviewableOrders, Depends(reviewable_orders)]
Search = Annotated[RestaurantSearch, Depends(restaurant_search)]
OwnerPrincipal = Annotated[Principal, Depends(principal_with_role(Role.RESTAURANT))]
EditorPrincipal = Annotated[Principal, Depends(principal_with_role(Role.RESTAURANT, Role.ADMIN))]
