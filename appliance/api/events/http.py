"""WS /api/events (admin): ``{"kind": "hello", "health": ...}`` first, then
``{"kind": "call", "event": {...}}`` for each call event and ``{"kind": "health", ...}``
whenever the health changes.  Authenticated with the same bearer token as every request."""

from __future__ import annotations

from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status

from ..auth.service import ROLE_ADMIN, user_for_token

router = APIRouter(tags=["events"])


@router.websocket("/api/events")
async def events(websocket: WebSocket) -> None:
    scheme, _, token = websocket.headers.get("authorization", "").partition(" ")
    user = user_for_token(token) if scheme.lower() == "bearer" and token else None
    if user is None or user.role != ROLE_ADMIN:
        # Closing before accepting answers the upgrade with 403.
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION,
                              reason="log in as an admin first")
        return
    hub = websocket.app.state.hub
    await websocket.accept()
    view = hub.subscribe()
    try:
        await websocket.send_json({"kind": "hello", "health": await hub.current_health()})
        while (message := await view.get()) is not None:
            await websocket.send_json(message)
        await websocket.close(code=status.WS_1013_TRY_AGAIN_LATER, reason="fell behind")
    except WebSocketDisconnect:
        pass
    finally:
        hub.unsubscribe(view)
