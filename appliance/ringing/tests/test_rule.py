"""The ringing rule without a database: legs, numbers, recording paths, call keys, values."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from paivystys.appliance.ringing.rule import (
    RECORDING_FILE,
    CallOutcome,
    IncomingCall,
    Leg,
    LegResult,
    Routing,
    Stage,
    Verdict,
    assemble_legs,
    call_key,
    dialled_forms,
    is_e164,
    leg_list,
    recording_path,
    without_callers_own_phone,
)
from paivystys.appliance.ringing.tests.conftest import RECORDINGS

NOW = dt.datetime(2025, 3, 7, 12, 0, tzinfo=dt.UTC)


def test_the_values_are_the_strings_the_dialplan_sends_and_the_call_log_stores() -> None:
    """Renaming a member must not change a stored or sent value."""
    assert list(Verdict) == ["ring", "nobody", "unknown"]
    assert list(Routing) == ["agi", "failsafe"]
    assert list(Stage) == ["main", "backup"]
    assert list(LegResult) == ["no_answer", "busy", "declined", "voicemail_suspected",
                               "confirmed", "too_late", "not_confirmed", "failed"]
    assert list(CallOutcome) == ["answered", "answered_by_backup", "missed", "abandoned",
                                 "unknown_number"]
    assert f"{Stage.BACKUP}" == str(Stage.BACKUP) == "backup"


def test_assemble_legs_rings_everyone_once_main_before_backup(
        caplog: pytest.LogCaptureFixture) -> None:
    rows = [(1, "A", "+358401000001", 10, 0), (1, "A", "+358401000001", 11, 1),
            (2, "B", "+358401000002", 20, None), (1, "A", "+358401000001", 20, None),
            (3, "C", "040 100 0003", 10, 0)]
    assert assemble_legs("7.1", rows, 20) == ((Leg(1, 10),), (Leg(2, 20),))
    assert "'040 100 0003' is not an E.164 number" in caplog.text
    assert [r.levelno for r in caplog.records] == [logging.WARNING]


@pytest.mark.parametrize("caller", ["", "anonymous", "+358401000009", "0401000009x",
                                    "+358401000001\r\nEvent: Hangup", "+" * 200])
def test_a_caller_that_is_no_on_call_persons_phone_takes_nobody_out(caller: str) -> None:
    rows = [(1, "A", "+358401000001", 10, 0)]
    assert without_callers_own_phone(IncomingCall("1", "x", "7.1", caller), rows) == rows


def test_recording_path_month_is_utc() -> None:
    helsinki_new_year = dt.datetime(2025, 1, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert (recording_path(RECORDINGS, "1.2", helsinki_new_year)
            == "/srv/instance/recordings/2024/12/1.2.wav")


def test_the_failsafe_dialplan_fills_in_the_same_recording_template() -> None:
    assert (RECORDING_FILE.format(directory=RECORDINGS, month="2025/03", call_id="1.2")
            == recording_path(RECORDINGS, "1.2", NOW))


@pytest.mark.parametrize("call_id", ["", "../../etc/passwd", "a/b", ".hidden", "1.2\n",
                                     "1.2,File: x"])
def test_unsafe_call_id_is_not_recorded(call_id: str) -> None:
    assert recording_path(RECORDINGS, call_id, NOW) == ""


@pytest.mark.parametrize(("call_id", "key"), [
    ("1700000000.7", "17000000007"),
    ("appliance-1700000000.12", "170000000012"),
    ("", ""),
    ("../x/1.2\r\n", "12"),  # hostile: nothing but digits survives
])
def test_call_key_is_the_call_ids_digits(call_id: str, key: str) -> None:
    assert call_key(call_id) == key
@pytest.mark.parametrize(("phone", "valid"), [
    ("+358401234567", True),
    ("+46701234567", True),
    ("040 123 4567", False),
    ("0401234567", False),
    ("+358 40 123 4567", False),  # a valid number, but not stored in E.164 form
    ("+3584", False),
    ("", False),
])
def test_is_e164(phone: str, valid: bool) -> None:
    assert is_e164(phone) is valid


def test_dialled_forms() -> None:
    assert dialled_forms("0401234567") == ["+358401234567"]
    assert "+358401234567" in dialled_forms("358401234567")
    assert dialled_forms("") == []
    assert dialled_forms("abc") == []


def test_leg_list() -> None:
    assert leg_list([Leg(1, 2), Leg(3, 4)]) == "1-2&3-4"
    assert leg_list([]) == ""
