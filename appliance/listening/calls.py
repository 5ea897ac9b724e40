"""The listening line's own log: one ``ListeningCall`` per call, with what happened on it.

Kept apart from the on-call calls: a call to the listening line rings nobody, so it is neither
a missed call nor a call from an unknown number.  Every value comes from the network or the
caller's keys and is stored as data, cut to a length a phone number can have.
"""

from __future__ import annotations

import datetime as dt

from paivystys.appliance.db.models import (
    Call,
    ListeningCall,
    ListeningEvent,
    ListeningNumber,
    Person,
)
from paivystys.appliance.listening.outcomes import ListeningAction, ListeningOutcome

# Longer "numbers" are none (the dialplan already cuts the caller ID to digits of this length).
MAX_NUMBER_CHARS = 32


def _number_id(text: str) -> int | None:
    """The listening number's row id as the dialplan set it, if it is one that exists."""
    if not text.isdigit() or len(text) > 18:  # more digits than an SQLite row id has
        return None
    number = ListeningNumber.get_or_none(ListeningNumber.id == int(text))
    return number.id if number is not None else None


def open_call(call_id: str, number_id: str, dialled: str, caller: str,
              now: dt.datetime) -> ListeningCall:
    """The call's row, written when the line answers it."""
    return ListeningCall.create(call_id=call_id[:64], number=_number_id(number_id),
                                dialled=dialled[:MAX_NUMBER_CHARS],
                                caller=caller[:MAX_NUMBER_CHARS], arrived_at=now)


def claimed_by(call: ListeningCall, person: Person) -> None:
    """Whose phone called or whose personal number was keyed, before the PIN decides; the
    outcome says whether they got in."""
    ListeningCall.update(person=person.id, person_name=person.name).where(
        ListeningCall.id == call.id).execute()


def recording_event(call: ListeningCall, action: ListeningAction, recorded: Call,
                    now: dt.datetime) -> None:
    ListeningEvent.create(listening_call=call.id, at=now, action=action, call=recorded.id)


def close_call(call: ListeningCall, outcome: ListeningOutcome | None, now: dt.datetime) -> None:
    """The call ended (the caller hung up, or the line did).  ``outcome`` None: the line
    failed before it knew (its error is in the log)."""
    ListeningCall.update(ended_at=now, outcome=outcome).where(
        ListeningCall.id == call.id).execute()


def close_left_open(now: dt.datetime) -> int:
    """End the calls a previous run of the line left open (it stopped mid-call: its calls
    ended with it).  Their outcome stays as it was; returns how many there were."""
    return ListeningCall.update(ended_at=now).where(ListeningCall.ended_at.is_null()).execute()
