"""WS /api/events (admin): ``{"kind": "hello", "health": ...}`` first, then
``{"kind": "call", "event": {...}}`` for each call event and ``{"kind": "health", ...}``
whenever the health changes.  Authenticated with the same bearer token as every request.
The messages are declared in ``schemas.py``, the call events in
``paivystys.appliance.monitor.feed``.

The version of the messages is the WebSocket subprotocol, ``paivystys.events.v<N>``: the
client offers the versions it reads, the appliance answers with the one it speaks.  A client
that offers none of it (an older console, or a newer one that dropped this version) is
accepted and closed at once with ``UNSUPPORTED_VERSION`` and a reason, rather than sent
messages it would misread or silently ignore.  A plain GET of the same path answers 426 and
is the WebSocket's entry in the OpenAPI document, its messages the 101 response's schema.

The token is checked again every few seconds: a logged-out or revoked admin's stream ends
with close code 1008, as a request with that token would end with 401.  The handler also
listens for the client's (or the shutting-down server's) close, since a handler that only
waited for the next event would keep a quiet connection, and so the server, open forever.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import (
    APIRouter,
    FastAPI,
    HTTPException,
    Response,
    WebSocket,
    WebSocketDisconnect,
    status,
)
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from paivystys.appliance.api.context import Admin
from paivystys.appliance.api.events.schemas import LiveViewMessage
from paivystys.appliance.monitor.feed import FEED_VERSION
from paivystys.appliance.users.service import ROLE_ADMIN, user_for_token

router = APIRouter(tags=["events"])
TOKEN_CHECK_S = 5.0
SUBPROTOCOL = f"paivystys.events.v{FEED_VERSION}"
# A close code of the application's range (4000-4999), after HTTP's 426 Upgrade Required.
UNSUPPORTED_VERSION = 4426
MESSAGE_SCHEMA = LiveViewMessage.__name__


def _is_admin(token: str) -> bool:
    user = user_for_token(token) if token else None
    return user is not None and user.role == ROLE_ADMIN


async def _until_closed(websocket: WebSocket) -> None:
    while (await websocket.receive())["type"] != "websocket.disconnect":
        pass  # the live view sends nothing that means anything


@router.websocket("/api/events")
async def events(websocket: WebSocket) -> None:
    scheme, _, token = websocket.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not _is_admin(token):
        # Closing before accepting answers the upgrade with 403.
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION,
                              reason="log in as an admin first")
        return
    if SUBPROTOCOL not in websocket.scope.get("subprotocols", []):
        await websocket.accept()
        await websocket.close(code=UNSUPPORTED_VERSION,
                              reason=f"the appliance speaks {SUBPROTOCOL} only: update the "
                                     "console or the appliance")
        return
    hub = websocket.app.state.hub
    await websocket.accept(subprotocol=SUBPROTOCOL)
    view = hub.subscribe()
    closed = asyncio.create_task(_until_closed(websocket))
    clock = asyncio.get_running_loop().time
    checked_at = clock()
    try:
        await websocket.send_json({"kind": "hello", "health": await hub.current_health()})
        while True:
            if clock() - checked_at >= TOKEN_CHECK_S:
                if not _is_admin(token):
                    await websocket.close(code=status.WS_1008_POLICY_VIOLATION,
                                          reason="the session has ended: log in again")
                    return
                checked_at = clock()
            message: asyncio.Task[dict[str, Any] | None] = asyncio.create_task(view.get())
            done, _ = await asyncio.wait({message, closed}, timeout=TOKEN_CHECK_S,
                                         return_when=asyncio.FIRST_COMPLETED)
            if message not in done:
                message.cancel()
            if closed in done:
                return
            if message not in done:
                continue
            if (event := message.result()) is None:
                await websocket.close(code=status.WS_1013_TRY_AGAIN_LATER, reason="fell behind")
                return
            await websocket.send_json(event)
    except WebSocketDisconnect:
        pass
    finally:
        closed.cancel()
        hub.unsubscribe(view)


@router.get("/api/events", status_code=status.HTTP_426_UPGRADE_REQUIRED, response_model=None,
            response_class=Response,  # it answers nothing but the 426 error
            summary="The live view: a WebSocket (a plain GET only answers 426)",
            responses={401: {}, 403: {},
                       426: {"description": "Not a WebSocket upgrade: connect as one"}},
            openapi_extra={"responses": {"101": {
                "description": f"Upgraded, subprotocol {SUBPROTOCOL}: a stream of these "
                               "messages, one JSON text frame each",
                "content": {"application/json": {"schema": {
                    "$ref": f"#/components/schemas/{MESSAGE_SCHEMA}"}}}}}})
def events_handshake(user: Admin) -> None:
    raise HTTPException(status.HTTP_426_UPGRADE_REQUIRED,
                        f"open /api/events as a WebSocket with subprotocol {SUBPROTOCOL}",
                        headers={"Upgrade": "websocket", "Connection": "Upgrade"})


def document(app: FastAPI) -> None:
    """Adds the WebSocket's messages to ``app``'s OpenAPI document as components.  FastAPI
    takes components only from the bodies of HTTP operations, and a 101 answer has none:
    they are made by FastAPI all the same, as an unmounted operation's, so that a model the
    HTTP operations share (Health) reads the same in both."""
    generate = app.openapi
    # Never mounted nor called: only its answer's model counts.
    messages = APIRoute("/", events_handshake, response_model=LiveViewMessage)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = generate()
        made = get_openapi(title=app.title, version=app.version, routes=[messages])
        components = document.setdefault("components", {}).setdefault("schemas", {})
        for name, definition in made["components"]["schemas"].items():
            if components.setdefault(name, definition) != definition:
                raise ValueError(f"two different OpenAPI schemas named {name}")
        return document

    app.openapi = openapi  # type: ignore[method-assign]
