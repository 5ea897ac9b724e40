from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from paivystys.appliance.calllog import (
    as_utc,
    call_to_dict,
    find_call,
    format_calls,
    format_table,
    recent_calls,
)
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import Call, Group, Leg, OnCallNumber, Person

T0 = dt.datetime(2025, 1, 15, 10, 0, 0, tzinfo=dt.UTC)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def db(tmp_path: Path) -> Iterator[None]:
    database = open_database(tmp_path / "paivystys.db")
    yield
    database.close()


@pytest.fixture
def answered() -> Call:
    """A call answered by the second person rung; legs inserted out of ring order."""
    number = OnCallNumber.create(number="+358201234567", name="Demo päivystys")
    group = Group.create(name="Huolto")
    liisa = Person.create(name="Liisa", phone="+358401000002")
    call = Call.create(call_id="1700000000.1", number=number, dialled="0201234567",
                       caller="+358451234567", arrived_at=at(0), answered_at=at(4.567),
                       ended_at=at(34.5), wait_s=4.5671, talk_s=29.933, outcome="answered",
                       answered_by=liisa, answered_by_name="Liisa", answered_stage="main",
                       recording="2025/01/15/1700000000.1.wav")
    Leg.create(call=call, person=liisa, person_name="Liisa", phone="+358401000002",
               group=group, group_name="Huolto", stage="main", rung_at=at(0.2),
               answered_at=at(3), ended_at=at(34.5), result="confirmed")
    Leg.create(call=call, person=None, person_name="Matti", phone="+358401000001",
               group=group, group_name="Huolto", stage="main", rung_at=at(0.1),
               ended_at=at(4.6), result="too_late")
    return call


def test_call_to_dict(answered: Call) -> None:
    row = call_to_dict(Call.get_by_id(answered.id))
    assert row == {
        "id": answered.id,
        "call_id": "1700000000.1",
        "number": "+358201234567",
        "number_name": "Demo päivystys",
        "dialled": "0201234567",
        "caller": "+358451234567",
        "arrived_at": "2025-01-15T10:00:00.000+00:00",
        "answered_at": "2025-01-15T10:00:04.567+00:00",
        "ended_at": "2025-01-15T10:00:34.500+00:00",
        "wait_s": 4.57,
        "talk_s": 29.93,
        "outcome": "answered",
        "answered_by": "Liisa",
        "answered_stage": "main",
        "recording": "2025/01/15/1700000000.1.wav",
        "routing": "agi",
        "legs": [
            {"person": "Matti", "phone": "+358401000001", "group": "Huolto", "stage": "main",
             "rung_at": "2025-01-15T10:00:00.100+00:00", "answered_at": None,
             "ended_at": "2025-01-15T10:00:04.600+00:00", "result": "too_late"},
            {"person": "Liisa", "phone": "+358401000002", "group": "Huolto", "stage": "main",
             "rung_at": "2025-01-15T10:00:00.200+00:00",
             "answered_at": "2025-01-15T10:00:03.000+00:00",
             "ended_at": "2025-01-15T10:00:34.500+00:00", "result": "confirmed"},
        ],
    }
    json.dumps(row)


def test_unmatched_call_has_nulls_and_the_dialled_number() -> None:
    call = Call.create(call_id="1", dialled="0209999999", caller="anonymous", arrived_at=at(0),
                       outcome="unknown_number")
    row = call_to_dict(call)
    assert (row["number"], row["number_name"]) == ("0209999999", None)
    assert row["answered_at"] is row["ended_at"] is row["wait_s"] is row["talk_s"] is None
    assert row["answered_by"] is row["recording"] is None
    assert row["legs"] == []


def test_answered_by_falls_back_to_the_person() -> None:
    person = Person.create(name="Matti", phone="+358401000001")
    call = Call.create(call_id="1", dialled="x", caller="y", arrived_at=at(0),
                       answered_by=person)
    assert call_to_dict(call)["answered_by"] == "Matti"


def test_as_utc_accepts_text_and_naive_values() -> None:
    assert as_utc("2025-01-15 12:00:00+02:00") == at(0)
    assert as_utc(dt.datetime(2025, 1, 15, 10, 0)) == at(0)
    assert as_utc(None) is None


def _call(call_id: str, caller: str, seconds: float) -> Call:
    return Call.create(call_id=call_id, dialled="0201234567", caller=caller,
                       arrived_at=at(seconds))


def test_recent_calls_newest_first_with_limit(answered: Call) -> None:
    _call("2", "+358401111111", 60)
    _call("3", "+358402222222", 120)
    assert [call.call_id for call in recent_calls(2)] == ["3", "2"]
    calls = recent_calls(10)
    assert [call.call_id for call in calls] == ["3", "2", "1700000000.1"]
    assert [leg["person"] for leg in call_to_dict(calls[-1])["legs"]] == ["Matti", "Liisa"]
    assert recent_calls(0) == []


def test_find_call_newest_since_in_any_caller_form() -> None:
    _call("old", "+358451234567", 0)
    _call("new", "0451234567", 60)
    _call("other", "+358401111111", 90)
    assert find_call("+358451234567", at(0)).call_id == "new"
    assert find_call("045 123 4567", at(60)).call_id == "new"
    assert find_call("+358451234567", at(61)) is None
    assert find_call("+358451234567", dt.datetime(2025, 1, 15, 10, 0)).call_id == "new"
    assert find_call("anonymous", at(0)) is None


def test_format_table_pads_and_aligns() -> None:
    text = format_table(["A", "Long"], [["1", "x"], ["22", "yyyyy"]], right=(0,))
    assert text.splitlines() == [" A  Long", "--  -----", " 1  x", "22  yyyyy"]


def test_format_calls_in_local_time(answered: Call) -> None:
    _call("2", "+358401111111", 60)
    helsinki = dt.timezone(dt.timedelta(hours=2))
    lines = format_calls(recent_calls(5), tz=helsinki).splitlines()
    assert lines[0].split() == ["Arrived", "Number", "Caller", "Wait", "s", "Talk", "s",
                                "Outcome", "Answered", "by"]
    assert lines[2].split() == ["2025-01-15", "12:01:00", "0201234567", "+358401111111", "-",
                                "-", "in", "progress"]
    assert lines[3].split() == ["2025-01-15", "12:00:00", "Demo", "päivystys", "+358451234567",
                                "4.6", "29.9", "answered", "Liisa"]
    assert format_calls([]) == "No calls."


def test_backup_answer_is_marked() -> None:
    Call.create(call_id="1", dialled="0201234567", caller="+358451234567", arrived_at=at(0),
                outcome="answered_by_backup", answered_by_name="Anna", answered_stage="backup")
    assert format_calls(recent_calls(1)).splitlines()[2].endswith("Anna (backup)")


def test_a_terminal_sees_a_hostile_caller_id_written_out() -> None:
    from paivystys.appliance.calllog.text import caller_text

    assert caller_text("") == "withheld"
    assert caller_text("+358401234567") == "+358401234567"
    assert caller_text("12\x1b]0;owned\x07\r\nX") == "12\\x1b]0;owned\\x07\\x0d\\x0aX"
