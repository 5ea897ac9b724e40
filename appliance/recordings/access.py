"""A recording belongs to the person who answered the call, and to nobody else: not the
other people rung, not an admin.  Asking for anyone else's gets the same "not found" as
asking for a call that does not exist, so ids cannot be probed.

One rule for every way in (the API's list and download, the listening line): a person's
recordings are those of the calls they answered that have ended.  A call still in progress
is still being recorded: its file is not offered until the call is over.
"""

from __future__ import annotations

import logging
from pathlib import Path

import peewee
from peewee import JOIN

from paivystys.appliance.audit import record
from paivystys.appliance.db.models import Call, OnCallNumber

log = logging.getLogger(__name__)

# The audit action of a deleted recording (retention deletes with it too).
RECORDING_DELETED = "recording.deleted"


class RecordingGone(Exception):
    """The row names a recording whose file is not there (deleted by hand, disk trouble)."""


def _owned_by(person_id: int) -> peewee.Expression:
    """The calls whose recordings are ``person_id``'s to hear."""
    return ((Call.answered_by == person_id) & Call.recording.is_null(False)
            & Call.ended_at.is_null(False))


def own_recordings(person_id: int | None, limit: int = 200) -> list[Call]:
    """The person's recordings, newest first."""
    if person_id is None:
        return []
    return list(Call.select(Call, OnCallNumber)
                .join(OnCallNumber, on=(Call.number == OnCallNumber.id), join_type=JOIN.LEFT_OUTER)
                .where(_owned_by(person_id))
                .order_by(Call.arrived_at.desc(), Call.id.desc()).limit(limit))


def _own_call(call_id: int, person_id: int | None) -> Call | None:
    if person_id is None:
        return None
    return Call.get_or_none((Call.id == call_id) & _owned_by(person_id))


def _inside(recordings_dir: Path, relative: str) -> Path | None:
    """The recording's path, or None for a row pointing outside the recordings."""
    base = recordings_dir.resolve()
    path = (base / relative).resolve()
    return path if base in path.parents else None


def recording_file(call_id: int, person_id: int | None, recordings_dir: Path) -> Path | None:
    """The file of call ``call_id``'s recording if ``person_id`` answered that call; else None.
    Raises :class:`RecordingGone` when the row is the person's but the file is missing."""
    call = _own_call(call_id, person_id)
    if call is None:
        return None
    path = _inside(recordings_dir, call.recording)
    if path is None:
        return None  # never served
    if not path.is_file():
        raise RecordingGone(f"the recording of call {call_id} is missing on disk")
    return path


def delete_own_recording(call_id: int, person_id: int | None, recordings_dir: Path,
                         actor: str) -> bool:
    """Delete call ``call_id``'s recording when it is ``person_id``'s (see the module's rule):
    its file goes, the call's row stays without it, and the audit log says who deleted it.
    False when it is not theirs (or already gone from the database).  A file that cannot be
    deleted raises ``OSError`` and leaves the row as it was."""
    call = _own_call(call_id, person_id)
    if call is None:
        return False
    path = _inside(recordings_dir, call.recording)
    if path is not None:
        path.unlink(missing_ok=True)
    Call.update(recording=None).where(Call.id == call.id).execute()
    record(actor, RECORDING_DELETED, call.call_id,
           {"file": call.recording, "by": "owner", "person": person_id})
    log.info("call %s: person %s deleted its recording", call.call_id, person_id)
    return True
