"""The call monitor killed or reconnecting around single calls: what the fault-injection soak
(tests/soak) found, each reproduced on its own and kept as a regression test."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from paivystys.appliance.calllog import call_to_dict, find_call
from paivystys.appliance.db.models import OutboxMessage
from paivystys.appliance.directory import Directory
from paivystys.appliance.lab.caller import place_call
from paivystys.appliance.ringing.rule import CallOutcome
from paivystys.appliance.sms.kinds import CALLER_CONTACT, TAKEN

from conftest import Scenario, new_mobile

LOG_TIMEOUT_S = 15.0


def _logged(caller: str, since: datetime) -> dict:
    deadline = time.monotonic() + LOG_TIMEOUT_S
    while (call := find_call(caller, since)) is None or call.ended_at is None:
        assert time.monotonic() < deadline, f"the call from {caller} was never logged"
        time.sleep(0.1)
    return call_to_dict(call)


def _line(handsets, group: str, scripts: dict[str, dict[str, Any]]
          ) -> tuple[Scenario, dict[str, str]]:
    """A new on-call number whose one group has a person for each handset script; names get
    the number's last digits (the session's lab is shared).  Returns the scenario and each
    given name's name in the directory."""
    scenario = Scenario(Directory())
    names = {name: f"{name} {scenario.number[-4:]}" for name in scripts}
    scenario.group(f"{group} {scenario.number[-4:]}", *names.values())
    for name, script in scripts.items():
        handsets.set(scenario.people[names[name]], **script)
    return scenario, names


@pytest.mark.parametrize("monitor_killed_after", [None, 0.0, 3.0],
                         ids=["monitor-up", "monitor-away-all-call", "monitor-killed-ringing"])
def test_a_call_nobody_takes_is_missed_whenever_the_monitor_was_away(
        lab, handsets, carrier_ami, monitor_killed_after: float | None) -> None:
    """Nobody takes the call; the appliance tells the caller so and hangs up.  That is a missed
    call, whether the monitor saw it live or logged it from Asterisk's journal afterwards."""
    scenario, _ = _line(handsets, "Poissa", {
        "Soiva": {"behaviour": "no-answer"},
        "Vastaaja": {"behaviour": "voicemail", "answer_after": 2}})
    monitor = lab.services()["monitor"]
    caller = new_mobile()
    since = datetime.now(UTC) - timedelta(seconds=1)
    killer = None
    if monitor_killed_after is not None:
        killer = threading.Timer(monitor_killed_after, monitor.stop, kwargs={"kill": True})
        killer.start()
    try:
        report = place_call(carrier_ami, caller, scenario.number)
    finally:
        if killer is not None:
            killer.join()
            monitor.start()
            lab.wait_services_ready()
    assert not report.answered, report

    row = _logged(caller, since)

    assert row["outcome"] == CallOutcome.MISSED, row


def _call_while_the_monitor_comes_back(lab, carrier_ami, caller: str, number: str):
    """The monitor is killed; the call is placed, and the monitor comes back about 1 s after
    the legs started ringing (before anyone in these tests presses 1)."""
    monitor = lab.services()["monitor"]
    monitor.stop(kill=True)

    def monitor_back() -> None:
        monitor.start()
        lab.wait_services_ready()

    returns = threading.Timer(1.0, monitor_back)
    returns.start()
    try:
        return place_call(carrier_ami, caller, number)
    finally:
        returns.join()


def test_a_call_taken_while_the_monitor_reconnects_is_logged_answered(lab, handsets,
                                                                      carrier_ami) -> None:
    """The monitor comes back while the phones ring: it has missed the legs' ringing, but the
    person who then presses 1 took the call, and the log must say so."""
    scenario, names = _line(handsets, "Palaava", {
        "Ottaja": {"behaviour": "human", "answer_after": 2.5, "confirm_after": 1.5, "talk": 3,
                   "identity": "4242"}})
    caller = new_mobile()
    since = datetime.now(UTC) - timedelta(seconds=1)
    report = _call_while_the_monitor_comes_back(lab, carrier_ami, caller, scenario.number)
    assert "4242" in report.heard_digits, report  # the call itself was taken

    row = _logged(caller, since)

    assert row["outcome"] == CallOutcome.ANSWERED, row
    assert row["answered_by"] == names["Ottaja"], row


def test_the_callers_text_survives_a_monitor_killed_as_the_call_ends(lab, handsets,
                                                                    carrier_ami) -> None:
    """The monitor is killed the moment it has logged the end of an answered call.  The caller
    must still get the text with the answerer's contact, once the monitor is back."""
    scenario, _ = _line(handsets, "Loppu", {
        "Vastaaja": {"behaviour": "human", "answer_after": 1, "confirm_after": 1, "talk": 2.5,
                     "identity": "5353"}})
    monitor = lab.services()["monitor"]
    caller = new_mobile()
    since = datetime.now(UTC) - timedelta(seconds=1)
    caller_side = threading.Thread(target=place_call, args=(carrier_ami, caller, scenario.number))
    caller_side.start()
    try:
        deadline = time.monotonic() + 30
        while (call := find_call(caller, since)) is None or call.ended_at is None:
            assert time.monotonic() < deadline, "the call was never logged as ended"
            time.sleep(0.0005)
        monitor.stop(kill=True)
        queued_before_the_kill = OutboxMessage.select().where(
            OutboxMessage.call == call.id, OutboxMessage.reason == CALLER_CONTACT).count()
    finally:
        caller_side.join()
        monitor.start()
        lab.wait_services_ready()
    assert call.outcome == CallOutcome.ANSWERED

    deadline = time.monotonic() + LOG_TIMEOUT_S
    while not (texts := list(OutboxMessage.select().where(
            OutboxMessage.call == call.id, OutboxMessage.reason == CALLER_CONTACT))):
        assert time.monotonic() < deadline, (
            f"no text to the caller {caller} (queued before the kill: "
            f"{queued_before_the_kill})")
        time.sleep(0.1)
    assert [text.recipient for text in texts] == [caller]


def test_the_others_hear_who_took_a_call_taken_while_the_monitor_reconnects(
        lab, handsets, carrier_ami) -> None:
    """As above, with a colleague in the group whose phone rang too: the colleague is told
    that the call was taken, as after any answered call."""
    scenario, names = _line(handsets, "Kertova", {
        "Ottaja": {"behaviour": "human", "answer_after": 2.5, "confirm_after": 1.5, "talk": 3,
                   "identity": "4343"},
        "Kollega": {"behaviour": "no-answer"}})
    caller = new_mobile()
    since = datetime.now(UTC) - timedelta(seconds=1)
    report = _call_while_the_monitor_comes_back(lab, carrier_ami, caller, scenario.number)
    assert "4343" in report.heard_digits, report
    row = _logged(caller, since)
    assert row["answered_by"] == names["Ottaja"], row

    taken = [message.recipient for message in OutboxMessage.select().where(
        OutboxMessage.call == row["id"], OutboxMessage.reason == TAKEN)]

    assert taken == [scenario.people[names["Kollega"]]], row
