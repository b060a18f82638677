"""Gateway middleware: request ids and access logs, then per-IP and per-user rate limits.

Both are plain ASGI middleware (no BaseHTTPMiddleware), so streaming responses and
background tasks pass through untouched.
"""

from __future__ import annotations

import json
import logging
import time
from http import HTTPStatus
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from serving.kernel.auth import InvalidToken, decode_access_token
from serving.kernel.gateway.request_context import REQUEST_ID_HEADER, accept_or_generate, request_id_var
from serving.kernel.gateway.token_bucket import LUA_TAKE, BucketLimit
from serving.kernel.http.problems import INTERNAL, PROBLEM_MEDIA_TYPE
from serving.kernel.redis import LazyRedis, RedisUnavailable
from serving.kernel.settings import KernelSettings

log = logging.getLogger("serving.gateway")

RATE_LIMITED = "urn:tiffin:problem:rate-limited"
EXEMPT_PATHS = frozenset({"/healthz"})  # liveness probes must never be throttled
# Credential endpoints get a third, much smaller bucket per IP: each login or
# registration costs an Argon2 hash (tens of ms of CPU), and guessing passwords
# should be slow.
CREDENTIAL_PATHS = frozenset({"/api/v1/auth/login", "/api/v1/auth/register", "/api/v1/auth/refresh"})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


async def send_problem(
    send: Send,
    scope: Scope,
    status: int,
    problem_type: str,
    detail: str,
    headers: dict[str, str],
    errors: list[dict[str, str]] | None = None,
) -> None:
    body = json.dumps(
        {
            "type": problem_type,
            "title": HTTPStatus(status).phrase,
            "status": status,
            "detail": detail,
            "instance": scope.get("path", ""),
            "errors": errors or [],
        }
    ).encode()
    raw_headers = [(b"content-type", PROBLEM_MEDIA_TYPE.encode()), (b"content-length", str(len(body)).encode())]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


class RequestIdMiddleware:
    """Accepts a well-formed ``X-Request-ID`` or makes one, echoes it on every response
    (errors and 500s included) and logs one access line per request carrying it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = accept_or_generate(_header(scope, b"x-request-id"))
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                headers.append((REQUEST_ID_HEADER.lower().encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Every unexpected error (a route's or a middleware's) ends here: logged once
            # with its traceback and answered with a 500 problem carrying the id. It is
            # not re-raised: the server would log it a second time and drop the
            # keep-alive connection of a request that was answered properly.
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if not response_started:
                await send_problem(send_with_id, scope, 500, INTERNAL, "The server failed to handle the request.", {})
        finally:
            log.info(
                "request finished",
                extra={
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            request_id_var.reset(token)


class RateLimitMiddleware:
    """Token buckets in Redis per client IP, per IP on the credential endpoints, and, for
    a valid bearer token, per subject.

    Fails open: if Redis is unreachable the request passes (LazyRedis logs it). A
    rate limiter protects capacity; refusing all traffic because the limiter is
    down would cause the very outage it exists to prevent.
    """

    def __init__(self, app: ASGIApp, settings: KernelSettings, redis: LazyRedis) -> None:
        self.app = app
        self.settings = settings
        self.redis = redis
        self.ip_limit = BucketLimit(settings.rate_limit_ip_capacity, settings.rate_limit_ip_refill_per_second)
        self.user_limit = BucketLimit(settings.rate_limit_user_capacity, settings.rate_limit_user_refill_per_second)
        self.auth_limit = BucketLimit(settings.rate_limit_auth_capacity, settings.rate_limit_auth_refill_per_second)
        self._prefix = f"tiffin:rl:{settings.service_name}:"

    def _subject(self, scope: Scope) -> str | None:
        authorization = _header(scope, b"authorization") or ""
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        try:
            return decode_access_token(token.strip(), self.settings).subject
        except InvalidToken:
            return None  # the route will answer 401; the IP bucket still counts it

    def _take(self, keys: list[str], limits: list[BucketLimit]) -> int:
        args: list[Any] = []
        for limit in limits:
            args += [limit.capacity, limit.refill_per_second]
        # One round trip, atomic across the buckets (EVALSHA would save the script's bytes).
        result = self.redis.call(
            "rate limit",
            lambda client: client.eval(LUA_TAKE, len(keys), *keys, *args),  # type: ignore[no-untyped-call]
        )
        return int(result)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        ip = client[0] if client else "unknown"
        keys, limits = [f"{self._prefix}ip:{ip}"], [self.ip_limit]
        if scope.get("path") in CREDENTIAL_PATHS:
            keys.append(f"{self._prefix}auth-ip:{ip}")
            limits.append(self.auth_limit)
        subject = self._subject(scope)
        if subject is not None:
            keys.append(f"{self._prefix}user:{subject}")
            limits.append(self.user_limit)
        try:
            wait_ms = await anyio.to_thread.run_sync(self._take, keys, limits)
        except RedisUnavailable:
            wait_ms = 0  # fail open; already logged
        if wait_ms > 0:
            retry_after = max(1, -(-wait_ms // 1000))
            log.info("rate limited", extra={"ip": ip, "subject": subject, "retry_after_s": retry_after})
            await send_problem(
                send,
                scope,
                429,
                RATE_LIMITED,
                f"Too many requests; retry in {retry_after} s.",
                {"Retry-After": str(retry_after)},
            )
            return
        await self.app(scope, receive, send)
