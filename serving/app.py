"""The serving composition root: ``create_app`` wires settings, database and routers.

Run it with ``uvicorn --factory serving.app:create_app``. Building the app opens no
connection: the engine is created on first use and disposed on shutdown.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from serving.cart import bootstrap as cart_bootstrap
from serving.cart.entrypoints.router import router as cart_router
from serving.identity.entrypoints.routers import ROUTERS as identity_routers
from serving.kernel.auth import signing_key
from serving.kernel.db import LazyEngine
from serving.kernel.gateway.install import install_gateway
from serving.kernel.http.problems import install_problem_handlers
from serving.orders import bootstrap as orders_bootstrap
from serving.orders.entrypoints.router import router as orders_router
from serving.payments import bootstrap as payments_bootstrap
from serving.payments.entrypoints.router import router as payments_router
from serving.restaurants import bootstrap as restaurants_bootstrap
from serving.restaurants.entrypoints.routers import ROUTERS as restaurants_routers
from serving.settings import ServingSettings

API_PREFIX = "/api/v1"


def create_app(
    settings: ServingSettings | None = None,
    *,
    overrides: Mapping[Callable[..., Any], Callable[..., Any]] | None = None,
) -> FastAPI:
    """The API with every service wired once; ``overrides`` replace dependencies
    (``app.dependency_overrides``), e.g. a service with a test double of a gateway."""
    settings = settings or ServingSettings()
    signing_key(settings)  # no secret, no server: refuse to start rather than answer 500s
    database = LazyEngine(settings.database_url)
    restaurants = restaurants_bootstrap.build(settings, settings.restaurants)
    payments = payments_bootstrap.PaymentsWiring(settings, database)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        database.dispose()
        redis.close()
        restaurants.close()
        payments.close()

    docs = settings.api_docs_served
    app = FastAPI(
        title="Tiffin API",
        version="0.1.0",
        description="Operational APIs of the Tiffin food-delivery platform.",
        lifespan=lifespan,
        # Off outside local unless TIFFIN_API_DOCS=true; app.openapi() still builds the document.
        openapi_url="/openapi.json" if docs else None,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
    )
    app.state.settings = settings
    app.state.database = database
    app.state.restaurants = restaurants
    app.state.payments = payments
    app.dependency_overrides.update(overrides or {})
    install_problem_handlers(app)
    redis = install_gateway(app, settings)  # request ids, JSON logs, rate limits, app.state.redis
    app.state.orders = orders = orders_bootstrap.build(settings.orders, redis)
    app.state.cart = cart_bootstrap.build(settings.cart, orders.pricing)
    app.include_router(orders_router, prefix=API_PREFIX)
    app.include_router(cart_router, prefix=API_PREFIX)
    app.include_router(payments_router, prefix=API_PREFIX)
    for restaurants_router in restaurants_routers:  # restaurants, menus, reviews, offers, search
        app.include_router(restaurants_router, prefix=API_PREFIX)
    for identity_router in identity_routers:  # auth, users
        app.include_router(identity_router, prefix=API_PREFIX)

    @app.get("/healthz", tags=["ops"], summary="Liveness: the process answers")
    def healthz() -> dict[str, str]:
        return {"status": "ok", "service": settings.service_name}

    return app
