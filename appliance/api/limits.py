"""Request body size limits, enforced while the body arrives.

Every request body is JSON of a few fields, except a restore (a whole backup file): one small
limit for all, and its own larger one for the routes that take files.  A declared
``Content-Length`` over the limit is answered at once, without reading the body; a body without
one (chunked) is counted as it is read and refused as soon as it passes the limit.  Either way
the answer is 413 with a JSON ``detail`` like every other error.  The application never holds
more than the limit: what the client still sends, uvicorn reads and drops (it keeps no body
after the answer) before the connection's next request.  Closing the connection instead would
make the kernel reset it while the client is still sending, and the client would often lose
the 413 (measured: 8 of 25 chunked uploads got no answer).

Starlette's own ``max_body_size`` answers a plain-text "Content Too Large" past the
application's error handlers; the console reads ``detail`` from JSON, hence this middleware.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import HTTPException
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

JSON_BODY_LIMIT = 64 * 1024
TOO_LARGE = 413


class BodySizeLimit:
    """ASGI middleware: at most ``default`` bytes of body, or ``routes[(method, path)]``."""

    def __init__(self, app: ASGIApp, default: int = JSON_BODY_LIMIT,
                 routes: Mapping[tuple[str, str], int] | None = None) -> None:
        self.app = app
        self.default = default
        self.routes = dict(routes or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        limit = self.routes.get((method, path), self.default)
        detail = f"the request body is larger than the {limit} bytes {method} {path} takes"
        if _declared_length(scope) > limit:
            await JSONResponse({"detail": detail}, status_code=TOO_LARGE)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # An HTTPException passes FastAPI's body reading untouched and reaches the
                    # application's handlers, which answer it as JSON.
                    raise HTTPException(TOO_LARGE, detail)
            return message

        await self.app(scope, counted, send)


def _declared_length(scope: Scope) -> int:
    """The body size the request declares; 0 when it declares none (chunked, or no body).
    The HTTP server (h11) has already refused a malformed or contradictory Content-Length,
    and the counting above holds whatever is declared."""
    for name, value in scope["headers"]:
        if name == b"content-length" and value.strip().isdigit():
            return int(value)
    return 0
