"""Every HTTP router of the identity service, in the order ``create_app`` mounts them."""

from __future__ import annotations

from fastapi import APIRouter

from serving.identity.entrypoints import auth_router, users_router

ROUTERS: tuple[APIRouter, ...] = (
    auth_router.router,  # /auth
    users_router.router,  # /users
)
