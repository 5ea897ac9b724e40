"""WS /api/events (admin): ``{"kind": "hello", "health": ...}`` first, then
``{"kind": "call", "event": {...}}`` for each call event and ``{"kind": "health", ...}``
whenever the health changes.  Authenticated with the same bearer token as every request.

The token is checked again every few seconds: a logged-out or revoked admin's stream ends
with close code 1008, as a request with that token would end with 401.  The handler also
listens for the client's (or the shutting-down server's) close, since a handler that only
waited for the next event would keep a quiet connection, and so the server, open forever.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status

from paivystys.appliance.users.service import ROLE_ADMIN, user_for_token

router = APIRouter(tags=["events"])
TOKEN_CHECK_S = 5.0


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
    hub = websocket.app.state.hub
    await websocket.accept()
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
