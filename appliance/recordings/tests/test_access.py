"""Whose recordings are whose: the one rule the API and the listening line share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import peewee
import pytest

from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import AuditEntry, Call, Person
from paivystys.appliance.recordings.access import (
    RecordingGone,
    delete_own_recording,
    own_recordings,
    recording_file,
)

NOW = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[peewee.SqliteDatabase]:
    database = open_database(tmp_path / "db")
    yield database
    database.close()


@pytest.fixture
def recordings(tmp_path: Path) -> Path:
    return tmp_path / "recordings"


def recorded(recordings: Path, name: str, person: Person | None, minutes_ago: int,
             ended: bool = True, relative: str | None = None) -> Call:
    relative = relative or f"2026/12/{name}.wav"
    path = recordings / relative
    if ".." not in relative:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"RIFF")
    arrived = NOW - dt.timedelta(minutes=minutes_ago)
    return Call.create(call_id=name, dialled="x", caller="+358401111111", arrived_at=arrived,
                       ended_at=arrived + dt.timedelta(minutes=1) if ended else None,
                       answered_by=person, recording=relative)


def test_a_person_gets_their_own_ended_calls_newest_first(db, recordings) -> None:
    maija = Person.create(name="Maija", phone="+358401000001")
    pekka = Person.create(name="Pekka", phone="+358401000002")
    old = recorded(recordings, "old", maija, 30)
    new = recorded(recordings, "new", maija, 10)
    recorded(recordings, "pekkas", pekka, 5)
    recorded(recordings, "nobodys", None, 4)
    in_progress = recorded(recordings, "in-progress", maija, 1, ended=False)
    Call.create(call_id="unrecorded", dialled="x", caller="y", arrived_at=NOW,
                ended_at=NOW, answered_by=maija)

    assert [call.call_id for call in own_recordings(maija.id)] == ["new", "old"]
    assert own_recordings(None) == []
    # The file still being written is not served either, whoever asks.
    assert recording_file(in_progress.id, maija.id, recordings) is None
    assert recording_file(new.id, maija.id, recordings) == recordings / "2026/12/new.wav"
    assert recording_file(old.id, pekka.id, recordings) is None
    assert recording_file(old.id, None, recordings) is None


def test_a_row_pointing_outside_is_never_served(db, recordings, tmp_path) -> None:
    maija = Person.create(name="Maija", phone="+358401000001")
    (tmp_path / "secret.txt").write_text("not a recording")
    evil = recorded(recordings, "evil", maija, 5, relative="../secret.txt")
    assert recording_file(evil.id, maija.id, recordings) is None


def test_a_missing_file_says_so(db, recordings) -> None:
    maija = Person.create(name="Maija", phone="+358401000001")
    call = recorded(recordings, "gone", maija, 5)
    (recordings / call.recording).unlink()
    with pytest.raises(RecordingGone):
        recording_file(call.id, maija.id, recordings)


def test_a_person_deletes_their_own_recording(db, recordings) -> None:
    maija = Person.create(name="Maija", phone="+358401000001")
    call = recorded(recordings, "mine", maija, 5)
    path = recordings / call.recording

    assert delete_own_recording(call.id, maija.id, recordings, "listening-line") is True

    assert not path.exists()
    assert Call.get_by_id(call.id).recording is None  # the call stays in the log
    entry = AuditEntry.get(AuditEntry.action == "recording.deleted")
    assert (entry.actor, entry.target) == ("listening-line", "mine")
    assert '"by": "owner"' in entry.details
    assert own_recordings(maija.id) == []
    assert delete_own_recording(call.id, maija.id, recordings, "listening-line") is False


def test_nobody_deletes_anybody_elses_or_one_still_recording(db, recordings, tmp_path) -> None:
    maija = Person.create(name="Maija", phone="+358401000001")
    pekka = Person.create(name="Pekka", phone="+358401000002")
    hers = recorded(recordings, "hers", maija, 5)
    running = recorded(recordings, "running", maija, 1, ended=False)
    (tmp_path / "secret.txt").write_text("not a recording")
    evil = recorded(recordings, "evil", maija, 6, relative="../secret.txt")

    for call_id, person_id in ((hers.id, pekka.id), (hers.id, None), (running.id, maija.id),
                               (999, maija.id)):
        assert delete_own_recording(call_id, person_id, recordings, "x") is False
    assert (recordings / hers.recording).exists()
    assert (recordings / running.recording).exists()
    assert Call.get_by_id(hers.id).recording == hers.recording
    # A row pointing outside loses its recording, the file outside stays untouched.
    assert delete_own_recording(evil.id, maija.id, recordings, "x") is True
    assert (tmp_path / "secret.txt").exists()
    assert AuditEntry.select().where(AuditEntry.action == "recording.deleted").count() == 1


def test_a_file_that_cannot_be_deleted_keeps_its_row(db, recordings, monkeypatch) -> None:
    maija = Person.create(name="Maija", phone="+358401000001")
    call = recorded(recordings, "stuck", maija, 5)

    def refuse(self: Path, missing_ok: bool = False) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "unlink", refuse)
    with pytest.raises(PermissionError):
        delete_own_recording(call.id, maija.id, recordings, "x")
    assert Call.get_by_id(call.id).recording == call.recording
    assert AuditEntry.select().count() == 0
