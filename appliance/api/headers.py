"""Security headers on every HTTP answer of the API, errors included.

The API is HTTPS only and JSON only (no pages: the OpenAPI document is JSON too), and nearly
every answer holds personal data or secrets (people and their phones, the call log, the
audit log, backups with password hashes, recordings of calls).  So: browsers keep to HTTPS,
never guess a type, never frame or embed an answer, never send the API's address on as a
referrer; and no cache, private or shared, keeps any answer.  Recordings answer byte ranges
(206) as before: that needs no cache.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=31536000",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}
CACHE_CONTROL = "no-store"


class SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` and, unless the answer says otherwise,
    ``Cache-Control: no-store``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                headers.setdefault("Cache-Control", CACHE_CONTROL)
            await send(message)

        await self.app(scope, receive, with_headers)
