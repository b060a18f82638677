"""Headers every answer carries, problems and 500s included.

``X-Content-Type-Options: nosniff``: a browser never guesses a type other than the one
declared (a JSON body sniffed as HTML is a script-injection route).
``Cache-Control: no-store`` unless the route chose its own: the answers are a
caller's own data (orders, profile, tokens), which no browser or shared cache should
keep; nothing here is served with validators that would make ``no-cache`` pay off.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_CACHE_CONTROL = b"no-store"


class ResponseHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-content-type-options"]
                headers.append((b"x-content-type-options", b"nosniff"))
                if not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", DEFAULT_CACHE_CONTROL))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
