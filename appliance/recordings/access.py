"""A recording belongs to the person who answered the call, and to nobody else: not the
other people rung, not an admin.  Asking for anyone else's gets the same "not found" as
asking for a call that does not exist, so ids cannot be probed."""

from __future__ import annotations

from pathlib import Path

from peewee import JOIN

from paivystys.appliance.db.models import Call, OnCallNumber


class RecordingGone(Exception):
    """The row names a recording whose file is not there (deleted by hand, disk trouble)."""


def own_recordings(person_id: int | None, limit: int = 200) -> list[Call]:
    if person_id is None:
        return []
    return list(Call.select(Call, OnCallNumber)
                .join(OnCallNumber, on=(Call.number == OnCallNumber.id), join_type=JOIN.LEFT_OUTER)
                .where(Call.answered_by == person_id, Call.recording.is_null(False))
                .order_by(Call.arrived_at.desc(), Call.id.desc()).limit(limit))


def recording_file(call_id: int, person_id: int | None, recordings_dir: Path) -> Path | None:
    """The file of call ``call_id``'s recording if ``person_id`` answered that call; else None.
    Raises :class:`RecordingGone` when the row is the person's but the file is missing."""
    if person_id is None:
        return None
    call = Call.get_or_none((Call.id == call_id) & (Call.answered_by == person_id)
                            & Call.recording.is_null(False))
    if call is None:
        return None
    base = recordings_dir.resolve()
    path = (base / call.recording).resolve()
    if base not in path.parents:
        return None  # a row pointing outside the recordings: never served
    if not path.is_file():
        raise RecordingGone(f"the recording of call {call_id} is missing on disk")
    return path
