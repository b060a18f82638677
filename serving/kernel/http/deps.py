"""FastAPI dependencies every router shares, as ``Annotated`` aliases.

The objects behind them are built once by the app factory (``serving.app.create_app``)
and kept on ``app.state``; these functions only hand them out. They are ``async def``
because they never block: FastAPI runs a plain ``def`` dependency on the thread pool,
a hand-off per dependency per request. Tests replace any of
them with ``app.dependency_overrides[function] = …`` (or ``create_app(overrides=…)``).
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import Engine

from serving.kernel.redis import LazyRedis
from serving.kernel.settings import KernelSettings

# A caller's X-Request-ID becomes the trace id of the events a request emits, when it
# looks like an id (anything else could smuggle text into every consumer's logs).
_TRACE_ID = re.compile(r"^[A-Za-z0-9._:\-]{8,128}$")


async def database(request: Request) -> Engine:
    engine: Engine = request.app.state.database.engine
    return engine


async def gateway_redis(request: Request) -> LazyRedis:
    redis: LazyRedis = request.app.state.redis
    return redis


async def kernel_settings(request: Request) -> KernelSettings:
    settings: KernelSettings = request.app.state.settings
    return settings


async def trace_id(request: Request) -> str | None:
    candidate = request.headers.get("x-request-id", "")
    return candidate if _TRACE_ID.match(candidate) else None


Database = Annotated[Engine, Depends(database)]
GatewayRedis = Annotated[LazyRedis, Depends(gateway_redis)]
Settings = Annotated[KernelSettings, Depends(kernel_settings)]
TraceId = Annotated[str | None, Depends(trace_id)]
