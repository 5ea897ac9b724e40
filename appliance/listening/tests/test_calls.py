"""The listening line's own log: what the network sent is stored as data, bounded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import peewee
import pytest

from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import (
    Call,
    ListeningCall,
    ListeningEvent,
    ListeningNumber,
    Person,
)
from paivystys.appliance.listening import calls
from paivystys.appliance.listening.outcomes import ListeningAction, ListeningOutcome

NOW = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[peewee.SqliteDatabase]:
    database = open_database(tmp_path / "db")
    yield database
    database.close()


def test_a_call_is_logged_from_arrival_to_end(db) -> None:
    number = ListeningNumber.create(number="+358201110001", name="Kuuntelu")
    maija = Person.create(name="Maija", phone="+358401000001")
    recorded = Call.create(call_id="c1", dialled="x", caller="y", arrived_at=NOW)
    row = calls.open_call("1700000000.1", str(number.id), "0201110001", "+358401000001", NOW)
    calls.claimed_by(row, maija)
    calls.recording_event(row, ListeningAction.PLAYED, recorded, NOW)
    calls.recording_event(row, ListeningAction.DELETED, recorded, NOW)
    calls.close_call(row, ListeningOutcome.LISTENED, NOW + dt.timedelta(minutes=2))

    row = ListeningCall.get_by_id(row.id)
    assert (row.call_id, row.number_id, row.dialled, row.caller) == (
        "1700000000.1", number.id, "0201110001", "+358401000001")
    assert (row.person_id, row.person_name, row.outcome) == (maija.id, "Maija", "listened")
    assert row.ended_at is not None
    assert [(event.action, event.call_id) for event in
            ListeningEvent.select().order_by(ListeningEvent.id)] == [
        ("played", recorded.id), ("deleted", recorded.id)]


@pytest.mark.parametrize("number_id", ["", "abc", "1; DROP TABLE", "-1", "9" * 40, "4242"])
def test_a_number_id_that_names_no_listening_number_is_none(db, number_id: str) -> None:
    row = calls.open_call("1700000000.2", number_id, "x" * 500, "+" + "1" * 300, NOW)
    row = ListeningCall.get_by_id(row.id)
    assert row.number_id is None
    assert len(row.dialled) == len(row.caller) == calls.MAX_NUMBER_CHARS


def test_a_line_that_failed_ends_without_an_outcome(db) -> None:
    row = calls.open_call("1700000000.3", "", "", "", NOW)
    calls.close_call(row, None, NOW)
    row = ListeningCall.get_by_id(row.id)
    assert (row.outcome, row.ended_at is not None) == (None, True)


def test_calls_left_open_by_a_stopped_line_are_closed(db) -> None:
    running = calls.open_call("1700000000.4", "", "", "", NOW)
    calls.claimed_by(running, Person.create(name="Maija", phone="+358401000001"))
    ended = calls.open_call("1700000000.5", "", "", "", NOW)
    calls.close_call(ended, ListeningOutcome.REFUSED, NOW)
    later = NOW + dt.timedelta(hours=1)
    assert calls.close_left_open(later) == 1
    rows = {row.call_id: row for row in ListeningCall.select()}
    assert rows["1700000000.4"].ended_at.replace(tzinfo=dt.UTC) == later
    assert rows["1700000000.4"].outcome is None
    assert rows["1700000000.5"].outcome == "refused"
    assert calls.close_left_open(later) == 0
