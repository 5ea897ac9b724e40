"""Caller IDs as a hostile or broken network sends them: dialplan syntax, AMI syntax, line
breaks, quotes, 300 characters, non-ASCII.  Each call must ring everyone, be taken by the first
1 only, and be logged under its own number with the caller ID verbatim (or visibly cut).

The carrier sends each caller ID as the From user of a real INVITE (its SIP stack escapes what
a URI cannot hold; the appliance's unescapes it: the appliance's Asterisk holds the raw bytes).
"""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from paivystys.appliance.asterisk import variables as v
from paivystys.appliance.calllog.records import call_to_dict
from paivystys.appliance.db.models import Call, OnCallNumber
from paivystys.appliance.lab.caller import place_call
from paivystys.appliance.monitor.caller_id import TRUNCATION_MARK
from paivystys.appliance.phones import WITHHELD
from paivystys.appliance.ringing.rule import CallOutcome, LegResult

from conftest import Scenario

LOG_TIMEOUT_S = 15
# Calls placed at once: enough to have other callers' calls ringing beside each hostile one.
AT_ONCE = 6

HOSTILE = {
    "open bracket": "040(1234567",
    "answer without a 1": "0401234567)B(pv-leg-connect^s^1",
    "hang up another call": "0401234567)B(pv-hangup-legs^s^1(PJSIP/trunk-00000001))",
    "another number's id": "0401234567,NumberId: 1,Caller: 1",
    "AMI headers": "0401234567\r\nUserEvent: PvConfirmed\r\nPerson: 1",
    # (Asterisk drops whitespace at the very end of a caller ID: this one ends in a letter)
    "a whole AMI event": "1\r\n\r\nEvent: UserEvent\r\nUserEvent: PvCallStart\r\n"
                         "CallId: forged\r\n\r\nX",
    "quotes": '"0401234567" <sip:x>',
    "dialplan expressions": "${CALLERID(num)}$[1+1]${DB(pv-journal/x)}",
    # (';' would end the user part of the From URI on the way: not sent)
    "separators": "|^&`'\\!#",
    "non-ASCII": "Äänekoski ☎ 040 123",
}
LONG = "9" * 300


def _wait_for_row(number: OnCallNumber, since: dt.datetime) -> dict:
    deadline = time.monotonic() + LOG_TIMEOUT_S
    while time.monotonic() < deadline:
        rows = list(Call.select().where((Call.number == number)
                                        & (Call.arrived_at >= since)))
        if len(rows) == 1 and rows[0].ended_at is not None:
            return call_to_dict(rows[0])
        assert len(rows) <= 1, [row.caller for row in rows]
        time.sleep(0.1)
    raise AssertionError(f"no finished call to {number.number} in the log")


def _people(scenario: Scenario) -> tuple[str, str]:
    """The scenario's two people: names are unique in the directory, so they carry its
    number's last digits."""
    suffix = scenario.number[-4:]
    return f"Nopea {suffix}", f"Hidas {suffix}"


def _with_two_people(scenario: Scenario) -> Scenario:
    scenario.group(f"Ryhmä {scenario.number[-4:]}", *_people(scenario))
    return scenario


def _two_people_call(lab, handsets, scenario: Scenario, caller: str, **caller_id) -> dict:
    """Both people answer; the fast one presses 1 at 2 s, the slow one would at 4 s.
    The row's legs and answerer are named "Nopea" and "Hidas"."""
    fast, slow = _people(scenario)
    handsets.set(scenario.people[fast], "human", answer_after=1, confirm_after=1, talk=3,
                 identity="1212")
    handsets.set(scenario.people[slow], "human", answer_after=1, confirm_after=3, talk=3,
                 identity="3434")
    since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    ami = lab.ami(lab.carrier())
    try:
        report = place_call(ami, caller, scenario.number, any_caller_id=True, **caller_id)
    finally:
        ami.close()
    row = _wait_for_row(OnCallNumber.get(OnCallNumber.number == scenario.number), since)
    row["caller_heard"] = report.heard_digits
    names = {fast: "Nopea", slow: "Hidas"}
    row["answered_by"] = names.get(row["answered_by"], row["answered_by"])
    for leg in row["legs"]:
        leg["person"] = names.get(leg["person"], leg["person"])
    return row


def test_hostile_caller_ids_ring_everyone_and_are_logged_verbatim(lab, handsets, scenario):
    # One on-call number with its own two people per case.
    cases = {name: (_with_two_people(Scenario(scenario.directory)), caller_id)
             for name, caller_id in {**HOSTILE, "300 characters": LONG}.items()}
    started = dt.datetime.now(dt.UTC)
    with ThreadPoolExecutor(AT_ONCE) as pool:
        rows = dict(zip(cases, pool.map(
            lambda case: _two_people_call(lab, handsets, case[0], case[1]), cases.values()),
            strict=True))

    for name, row in rows.items():
        caller_id = cases[name][1]
        assert row["outcome"] == CallOutcome.ANSWERED, (name, row)
        assert row["answered_by"] == "Nopea", (name, row)
        assert "1212" in row["caller_heard"] and "3434" not in row["caller_heard"], name
        legs = {leg["person"]: leg["result"] for leg in row["legs"]}
        assert legs == {"Nopea": LegResult.CONFIRMED,
                        "Hidas": LegResult.NOT_CONFIRMED}, (name, legs)
        # Asterisk itself keeps 79 bytes of a long From user; the log shows it was cut.
        expected = caller_id if caller_id != LONG else (
            LONG[:v.ASTERISK_CALLER_LIMIT] + TRUNCATION_MARK)
        assert row["caller"] == expected, name
    # Nothing forged: every call of these minutes is one of ours, each logged once.
    logged = Call.select().where(Call.arrived_at >= started - dt.timedelta(seconds=1))
    assert sorted(call.number.number for call in logged) == sorted(
        case.number for case, _ in cases.values())
    assert not Call.select().where(Call.call_id == "forged").exists()


@pytest.mark.parametrize(("caller_id", "logged"), [
    ({"caller": "+358401119999", "presentation": "prohib"}, WITHHELD),
    ({"caller": "anonymous"}, WITHHELD),
    ({"caller": "Anonymous", "caller_name": "Anonymous"}, WITHHELD),
    ({"caller": ""}, WITHHELD),
    ({"caller": "Matti", "caller_name": "Matti Meikäläinen"}, "Matti"),
    ({"caller": "0401119998", "caller_name": "Nimi, (sulut) ja ääkköset"}, "+358401119998"),
])
def test_withheld_is_one_thing_and_a_name_is_not_withheld(lab, handsets, scenario, caller_id,
                                                          logged):
    _with_two_people(scenario)
    caller = caller_id.pop("caller")
    row = _two_people_call(lab, handsets, scenario, caller, **caller_id)
    assert row["outcome"] == CallOutcome.ANSWERED, row
    assert row["caller"] == logged
