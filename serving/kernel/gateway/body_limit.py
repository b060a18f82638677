"""A ceiling on request bodies, enforced before the app parses any of them.

A declared ``Content-Length`` over the limit is refused at once, unread. A body sent
without one (chunked) is counted as it streams in and refused as soon as it passes
the limit, so a client can never make the server buffer more than the limit.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from serving.kernel.gateway.middleware import send_problem
from serving.kernel.http.problems import PAYLOAD_TOO_LARGE


def too_large_detail(limit: int) -> str:
    return f"The request body is larger than {limit} bytes."


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            detail = too_large_detail(self.max_bytes)
            await send_problem(send, scope, 413, PAYLOAD_TOO_LARGE, detail, {}, [{"field": "body", "message": detail}])
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # An HTTPException passes FastAPI's body parsing untouched (anything
                    # else there becomes a 400) and reaches the problem handlers.
                    raise HTTPException(413, too_large_detail(self.max_bytes))
            return message

        await self.app(scope, counting_receive, send)


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server rejects a malformed length itself
    return None
