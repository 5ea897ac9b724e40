"""The listening line's calls for the LAN API: newest first, a page at a time, each with what
happened on it (the recordings played or deleted, in order).

Kept apart from the on-call call log (``query``): a listening call rang nobody and missed
nothing.  Paging is by keyset, as the call log's: a page asks for the rows after the previous
page's last (arrival time, id), so calls arriving meanwhile do not shift the pages.

Who sees what: the API passes ``visible_to_person`` for an on-call person: only the calls in
which the line identified them (``ListeningCall.person``).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import peewee

from paivystys.appliance.calllog.query import DEFAULT_LIMIT, MAX_LIMIT, QueryError
from paivystys.appliance.calllog.records import iso
from paivystys.appliance.db.models import Call, ListeningCall, ListeningEvent, ListeningNumber


@dataclass(frozen=True)
class ListeningPage:
    """One page: ``items`` in ``listening_call_to_dict`` form; ``next_cursor`` None on the
    last page; ``total`` the count of every visible call, None unless asked for."""

    items: list[dict[str, Any]]
    next_cursor: str | None
    total: int | None


def _is_count(value: object, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _encode_cursor(arrived_at: str, row_id: int) -> str:
    payload = json.dumps([arrived_at, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(payload).decode("ascii").rstrip("=")


def _decode_cursor(cursor: object) -> tuple[str, int]:
    """The (stored arrival time, id) a cursor holds.  Not signed: it only says where to
    start, and the visibility applies after it, so a hand-made one shows nothing more."""
    invalid = QueryError("cursor", "not a cursor of this listing; start again without one")
    if not isinstance(cursor, str) or not cursor.isascii():
        raise invalid
    try:
        payload = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_",
                                   validate=True)
        arrived_at, row_id = json.loads(payload)
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        raise invalid from None
    if not isinstance(arrived_at, str) or not _is_count(row_id, 1):
        raise invalid
    return arrived_at, row_id


def _events_by_call(call_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each listening call's events in order, with the arrival time and caller of the call
    whose recording it was (None once that call is gone from the log)."""
    if not call_ids:
        return {}
    query = (ListeningEvent
             .select(ListeningEvent, Call.arrived_at.alias("call_arrived_at"),
                     Call.caller.alias("call_caller"))
             .join(Call, peewee.JOIN.LEFT_OUTER, on=(ListeningEvent.call == Call.id))
             .where(ListeningEvent.listening_call.in_(call_ids))
             .order_by(ListeningEvent.at, ListeningEvent.id)
             .objects())
    events: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for event in query:
        events[event.listening_call_id].append({
            "at": iso(event.at),
            "action": event.action,
            "call_id": event.call_id,
            "call_arrived_at": iso(event.call_arrived_at),
            "call_caller": event.call_caller,
        })
    return events


def listening_call_to_dict(call: ListeningCall, number_name: str | None,
                           events: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": call.id,
        "arrived_at": iso(call.arrived_at),
        "ended_at": iso(call.ended_at),
        "caller": call.caller,
        "dialled": call.dialled,
        "number_name": number_name,
        "person_id": call.person_id,
        "person_name": call.person_name,
        "outcome": call.outcome,
        "events": events,
    }


def listening_page(limit: int = DEFAULT_LIMIT, cursor: str | None = None, *,
                   visible_to_person: int | None = None,
                   with_total: bool = False) -> ListeningPage:
    """A page of the listening line's calls, newest first.  ``cursor``: the previous page's
    ``next_cursor``.  ``visible_to_person``: only the calls the line identified them in."""
    if not _is_count(limit, 1) or limit > MAX_LIMIT:
        raise QueryError("limit", f"must be 1..{MAX_LIMIT}, got {limit!r}")
    if visible_to_person is not None and not _is_count(visible_to_person, 1):
        raise QueryError("visible_to_person",
                         f"must be a positive integer id, got {visible_to_person!r}")
    after = _decode_cursor(cursor) if cursor is not None else None
    # The arrival time as stored: a cursor compares with what is stored, not with a copy
    # re-formatted by the field.
    arrived_text = ListeningCall.arrived_at.cast("TEXT")
    query = (ListeningCall
             .select(ListeningCall, arrived_text.alias("arrived_key"),
                     ListeningNumber.name.alias("number_name"))
             .join(ListeningNumber, peewee.JOIN.LEFT_OUTER,
                   on=(ListeningCall.number == ListeningNumber.id)))
    visible = (ListeningCall.person == visible_to_person if visible_to_person is not None
               else None)
    if visible is not None:
        query = query.where(visible)
    if after is not None:
        # Value(): bound as given, not converted by the field.
        query = query.where(peewee.Tuple(ListeningCall.arrived_at, ListeningCall.id)
                            < peewee.Tuple(peewee.Value(after[0]), peewee.Value(after[1])))
    rows = list(query.order_by(ListeningCall.arrived_at.desc(), ListeningCall.id.desc())
                .limit(limit + 1).objects())
    more = len(rows) > limit
    del rows[limit:]
    events = _events_by_call([row.id for row in rows])
    items = [listening_call_to_dict(row, row.number_name, events.get(row.id, []))
             for row in rows]
    next_cursor = _encode_cursor(rows[-1].arrived_key, rows[-1].id) if more else None
    total = None
    if with_total:
        counted = ListeningCall.select()
        total = (counted.where(visible) if visible is not None else counted).count()
    return ListeningPage(items, next_cursor, total)
