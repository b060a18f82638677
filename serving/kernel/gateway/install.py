"""Installs the gateway on an app."""

from __future__ import annotations

from fastapi import FastAPI

from serving.kernel.gateway.body_limit import BodySizeLimitMiddleware
from serving.kernel.gateway.json_logging import configure_logging
from serving.kernel.gateway.middleware import RateLimitMiddleware, RequestIdMiddleware
from serving.kernel.gateway.response_headers import ResponseHeadersMiddleware
from serving.kernel.redis import LazyRedis
from serving.kernel.settings import KernelSettings


def install_gateway(app: FastAPI, settings: KernelSettings) -> LazyRedis:
    """Wire logging, the lazy Redis client (``app.state.redis``) and the middleware.

    The response headers (nosniff, Cache-Control) and then the request id are
    outermost, so even a 413, a 429 or a 500 carries them; the body limit comes before
    rate limiting, which never reads the body.
    """
    configure_logging(settings.log_level)
    redis = LazyRedis(settings.redis_url, timeout_seconds=settings.redis_timeout_seconds)
    app.state.redis = redis
    if settings.rate_limit_enabled:
        app.add_middleware(RateLimitMiddleware, settings=settings, redis=redis)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_body_bytes)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(ResponseHeadersMiddleware)
    return redis
