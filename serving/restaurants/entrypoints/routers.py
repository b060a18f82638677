"""Every HTTP router of the restaurants service, in the order ``create_app`` mounts them."""

from __future__ import annotations

from fastapi import APIRouter

from serving.restaurants.entrypoints import menu_router, offers_router, reviews_router, router, search_router

ROUTERS: tuple[APIRouter, ...] = (
    router.router,  # /restaurants
    menu_router.router,  # /restaurants/{id}/menu…
    reviews_router.router,  # /restaurants/{id}/reviews
    offers_router.router,  # /restaurants/{id}/offers…
    search_router.router,  # /search…
)
