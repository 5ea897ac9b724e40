"""Reading the call log: JSON-ready rows for the CLI and the API, and lookups for tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import peewee

from paivystys.appliance.db.models import Call, Leg, OnCallNumber
from paivystys.appliance.phones import looks_like_phone


def as_utc(value: dt.datetime | str | None) -> dt.datetime | None:
    """A stored timestamp as an aware UTC datetime.

    The models store aware UTC datetimes, but SQLite keeps text, so a row written by another
    tool may come back as a string or naive; naive means UTC throughout the appliance.
    """
    if value is None:
        return None
    stamp = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if stamp.tzinfo is None:
        return stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone(dt.UTC)


def iso(value: dt.datetime | str | None) -> str | None:
    stamp = as_utc(value)
    return None if stamp is None else stamp.isoformat(timespec="milliseconds")


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _legs(call: Call) -> list[Leg]:
    # After prefetch() `call.legs` is a plain list; otherwise a query.  Sort in Python either way
    # so both give the ring order.
    return sorted(call.legs, key=lambda leg: (as_utc(leg.rung_at), leg.id))


def leg_to_dict(leg: Leg) -> dict[str, Any]:
    return {
        "person": leg.person_name,
        "phone": leg.phone,
        "group": leg.group_name,
        "stage": leg.stage,
        "rung_at": iso(leg.rung_at),
        "answered_at": iso(leg.answered_at),
        "ended_at": iso(leg.ended_at),
        "result": leg.result,
    }


def call_to_dict(call: Call) -> dict[str, Any]:
    """One call log row with its legs, ready for ``json.dumps``.

    ``number`` is the on-call number's E.164 form, or what the trunk sent when the call did not
    match a configured number (or the number was removed since).
    """
    number = call.number if call.number_id is not None else None
    answered_by = call.answered_by_name
    if answered_by is None and call.answered_by_id is not None:
        answered_by = call.answered_by.name
    return {
        "id": call.id,
        "call_id": call.call_id,
        "number": number.number if number is not None else call.dialled,
        "number_name": number.name if number is not None else None,
        "dialled": call.dialled,
        "caller": call.caller,
        "arrived_at": iso(call.arrived_at),
        "answered_at": iso(call.answered_at),
        "ended_at": iso(call.ended_at),
        "wait_s": _seconds(call.wait_s),
        "talk_s": _seconds(call.talk_s),
        "outcome": call.outcome,
        "answered_by": answered_by,
        "answered_stage": call.answered_stage,
        "recording": call.recording,
        "routing": call.routing,
        "legs": [leg_to_dict(leg) for leg in _legs(call)],
    }


def _calls() -> peewee.ModelSelect:
    return (Call.select(Call, OnCallNumber)
            .join(OnCallNumber, peewee.JOIN.LEFT_OUTER)
            .order_by(Call.arrived_at.desc(), Call.id.desc()))


def recent_calls(last: int) -> list[Call]:
    """The newest ``last`` calls, newest first, with their legs loaded."""
    if last <= 0:
        return []
    return list(peewee.prefetch(_calls().limit(last), Leg))


def _same_caller(stored: str, wanted: str) -> bool:
    if stored == wanted:
        return True
    # The trunk may present a caller as +358..., 0... or 358...; compare the E.164 forms.
    normal = looks_like_phone(wanted)
    return normal is not None and looks_like_phone(stored) == normal


def find_call(caller: str, since: dt.datetime) -> Call | None:
    """The newest call from ``caller`` that arrived at or after ``since`` (naive = UTC)."""
    start = as_utc(since)
    for call in _calls().where(Call.arrived_at >= start):
        arrived = as_utc(call.arrived_at)
        if arrived is not None and arrived >= start and _same_caller(call.caller, caller):
            return call
    return None
