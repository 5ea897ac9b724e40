"""Deleting recordings older than their number's retention.

Runs on a schedule in the API service (hourly).  Each deletion clears the call's
``recording`` and is written to the audit log, so the call log says why the audio is gone."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from peewee import JOIN

from paivystys.appliance.audit import record
from paivystys.appliance.db.models import Call, OnCallNumber, utcnow
from paivystys.appliance.recordings.access import RECORDING_DELETED

log = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 90  # a call whose number was removed since


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def delete_expired(recordings_dir: Path, now: dt.datetime | None = None) -> list[str]:
    """Delete every recording older than its number's ``retention_days``; returns the call
    ids whose recordings were deleted.  A file that cannot be deleted is logged as an error
    and keeps its row, so the next run tries again; the others are deleted all the same."""
    now = now or utcnow()
    base = recordings_dir.resolve()
    deleted = []
    calls = (Call.select(Call, OnCallNumber)
             .join(OnCallNumber, on=(Call.number == OnCallNumber.id), join_type=JOIN.LEFT_OUTER)
             .where(Call.recording.is_null(False)))
    for call in calls:
        days = call.number.retention_days if call.number_id else DEFAULT_RETENTION_DAYS
        age = now - _aware(call.arrived_at)
        if age <= dt.timedelta(days=days):
            continue
        path = (base / call.recording).resolve()
        if base in path.parents:
            try:
                path.unlink(missing_ok=True)
            except OSError as error:
                log.error("cannot delete the recording of call %s (%s, %d days old, kept %d): "
                          "%s", call.call_id, path, age.days, days, error.strerror)
                continue
        Call.update(recording=None).where(Call.id == call.id).execute()
        record("system", RECORDING_DELETED, call.call_id,
               {"file": call.recording, "age_days": age.days, "retention_days": days})
        log.info("deleted the recording of call %s (%d days old, kept %d)", call.call_id,
                 age.days, days)
        deleted.append(call.call_id)
    return deleted
