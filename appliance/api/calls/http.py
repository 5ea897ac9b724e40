"""GET /api/calls, /api/calls/{id}, /api/calls.csv.  An admin sees every call; an on-call
person only the calls they answered or were rung for (anything else is 404, like a call
that does not exist)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import StreamingResponse

from paivystys.appliance.api.calls.schemas import CallOut, CallPage
from paivystys.appliance.api.context import MAX_ID, CurrentUser, Id
from paivystys.appliance.calllog.csv_export import csv_rows
from paivystys.appliance.calllog.query import (
    DEFAULT_LIMIT,
    DEFAULT_SORT,
    MAX_LIMIT,
    MAX_OFFSET,
    CallFilter,
    call_detail,
    page,
)
from paivystys.appliance.db.models import User
from paivystys.appliance.users.service import ROLE_ADMIN

router = APIRouter(prefix="/api", tags=["calls"], responses={401: {}, 422: {}})

OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def _visible_to(user: User) -> int | None:
    """None: everything (an admin); else the person whose calls these must be."""
    if user.role == ROLE_ADMIN:
        return None
    if user.person_id is None:
        raise HTTPException(403, "this account is not an on-call person's")
    return user.person_id


def call_filter(user: CurrentUser,
                since: dt.datetime | None = None, until: dt.datetime | None = None,
                number_id: OptionalId = None, person_id: OptionalId = None,
                answered_by_id: OptionalId = None,
                outcome: Annotated[str | None, Query(max_length=40)] = None,
                caller: Annotated[str | None, Query(max_length=40)] = None) -> CallFilter:
    """The filter parameters the list and the CSV share, limited to what the caller sees."""
    visible_to = _visible_to(user)
    return CallFilter(since=since, until=until, number_id=number_id, person_id=person_id,
                      answered_by_id=answered_by_id, outcome=outcome, caller=caller,
                      visible_to_person=visible_to)


Filter = Annotated[CallFilter, Depends(call_filter)]
Sort = Annotated[str, Query(max_length=20)]


@router.get("/calls", response_model=CallPage)
def list_calls(filters: Filter, sort: Sort = DEFAULT_SORT,
               limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
               cursor: Annotated[str | None, Query(max_length=500)] = None,
               offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
               with_total: bool = False) -> dict[str, Any]:
    """Newest first by default; follow ``next_cursor`` for the next page (as fast at row
    90,000 as at row 1).  ``with_total`` counts the matching calls (ask on the first page)."""
    result = page(filters, sort, limit, cursor, offset=offset, with_total=with_total)
    return {"items": result.items, "next_cursor": result.next_cursor, "total": result.total}


@router.get("/calls.csv", response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}}}})
def export_calls(filters: Filter, sort: Sort = DEFAULT_SORT) -> StreamingResponse:
    rows = csv_rows(filters, sort)
    first = next(rows, "")  # a bad sort fails here (a 422), before the download starts

    def everything() -> Iterator[str]:
        yield first
        yield from rows

    name = f"puhelut-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.csv"
    return StreamingResponse(everything(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/calls/{call_id}", response_model=CallOut, responses={404: {}})
def show_call(call_id: Id, user: CurrentUser) -> dict[str, Any]:
    detail = call_detail(call_id, visible_to_person=_visible_to(user))
    if detail is None:
        raise HTTPException(404, "no such call")
    return detail
