"""GET /api/listening-calls.  An admin sees every call to the listening line; an on-call
person only the calls in which the line identified them; any other account is refused."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from paivystys.appliance.api.context import CurrentUser
from paivystys.appliance.api.listening.schemas import ListeningCallPage
from paivystys.appliance.calllog.listening import listening_page
from paivystys.appliance.calllog.query import DEFAULT_LIMIT, MAX_LIMIT
from paivystys.appliance.users.service import ROLE_ADMIN

router = APIRouter(prefix="/api", tags=["listening"], responses={401: {}, 403: {}, 422: {}})


@router.get("/listening-calls", response_model=ListeningCallPage)
def list_listening_calls(user: CurrentUser,
                         limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
                         cursor: Annotated[str | None, Query(max_length=500)] = None,
                         with_total: bool = False) -> dict[str, Any]:
    """Newest first; follow ``next_cursor`` for the next page.  ``with_total`` counts the
    calls (ask on the first page)."""
    if user.role == ROLE_ADMIN:
        visible_to = None
    elif user.person_id is not None:
        visible_to = user.person_id
    else:
        raise HTTPException(403, "this account is not an on-call person's")
    result = listening_page(limit, cursor, visible_to_person=visible_to, with_total=with_total)
    return {"items": result.items, "next_cursor": result.next_cursor, "total": result.total}
