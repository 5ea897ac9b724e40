"""SMS around real calls: the lab's modem service sends through the simulated modem; what the
people's and callers' phones would show is read back from the simulated modem's sent log."""

from __future__ import annotations

import datetime as dt
import itertools
import time

from paivystys.appliance.db.models import Person
from paivystys.appliance.ringing.rule import CallOutcome
from paivystys.modem.simulator import SimulatorControl, read_sent_messages

from conftest import new_mobile

_landlines = itertools.count(1)
SETTLE_S = 1.5  # after the expected messages, how long we watch for a duplicate


def new_landline() -> str:
    return f"+358923{next(_landlines):05d}"


def texts_to(lab, since: dt.datetime, expected: dict[str, int],
             timeout: float = 15.0) -> dict[str, list[str]]:
    """Wait until each phone in ``expected`` got that many messages since ``since``; then
    watch a little longer, so a duplicate would show.  Returns every text per phone."""
    def received() -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for message in read_sent_messages(lab.modem_sent_log):
            if message.at >= since:
                found.setdefault(message.recipient, []).append(message.text)
        return found

    deadline = time.monotonic() + timeout
    while any(len(received().get(phone, [])) < count for phone, count in expected.items()):
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {expected}, the modem sent {received()}")
        time.sleep(0.1)
    time.sleep(SETTLE_S)
    return received()


def test_a_taken_call_tells_the_others_once_and_the_mobile_caller_who_answered(
        lab, scenario, handsets, call):
    scenario.group("Lämpö", "Ottaja Oona", "Toinen Tuomas", "Kolmas Kaisa")
    scenario.group("Putki", "Toinen Tuomas", "Neljäs Niko")  # Tuomas in two groups: one text
    phones = scenario.people
    scenario.directory.change_person("Ottaja Oona", public_phone="0401110001")
    handsets.set(phones["Ottaja Oona"], "human", answer_after=1, confirm_after=1, talk=2)
    for name in ("Toinen Tuomas", "Kolmas Kaisa", "Neljäs Niko"):
        handsets.set(phones[name], "no-answer")
    caller = new_mobile()
    since = dt.datetime.now(dt.UTC)

    row = call(scenario.number, caller=caller)

    assert row["outcome"] == CallOutcome.ANSWERED
    others = [phones[name] for name in ("Toinen Tuomas", "Kolmas Kaisa", "Neljäs Niko")]
    got = texts_to(lab, since, {**dict.fromkeys(others, 1), caller: 1})
    for phone in others:
        [text] = got[phone]
        assert text.startswith("Ottaja Oona otti puhelun klo "), text
        assert caller in text
    [to_caller] = got[caller]
    assert "Ottaja Oona" in to_caller and "040 1110001" in to_caller, to_caller
    assert phones["Ottaja Oona"] not in got


def test_a_landline_caller_gets_no_text(lab, scenario, handsets, call):
    scenario.group("Tekstiton", "Vastaaja Veikko", "Muu Minna")
    handsets.set(scenario.people["Vastaaja Veikko"], "human", answer_after=1, confirm_after=1,
                 talk=1)
    handsets.set(scenario.people["Muu Minna"], "no-answer")
    caller = new_landline()
    since = dt.datetime.now(dt.UTC)

    row = call(scenario.number, caller=caller)

    assert row["outcome"] == CallOutcome.ANSWERED and row["caller"] == caller
    got = texts_to(lab, since, {scenario.people["Muu Minna"]: 1})
    assert caller not in got


def test_a_missed_call_tells_everyone_who_was_rung_including_the_backup(
        lab, scenario, handsets, call, ring_time):
    ring_time(5)
    scenario.group("Yövuoro", "Nukkuja Noora", "Nukkuja Niilo")
    scenario.group("Varalla yö", "Varalla Vilma", backup=True)
    for phone in scenario.people.values():
        handsets.set(phone, "no-answer")
    caller = new_mobile()
    since = dt.datetime.now(dt.UTC)

    row = call(scenario.number, caller=caller)

    assert row["outcome"] == CallOutcome.MISSED
    got = texts_to(lab, since, dict.fromkeys(scenario.people.values(), 1))
    for phone in scenario.people.values():
        [text] = got[phone]
        assert text.startswith("Vastaamaton puhelu klo ") and caller in text, text
    assert caller not in got


def test_off_by_text_takes_a_person_off_duty_and_the_next_call_does_not_ring_them(
        lab, scenario, handsets, call):
    scenario.group("Vesihuolto", "Lomailija Lauri", "Töissä Tiina")
    lauri, tiina = scenario.people["Lomailija Lauri"], scenario.people["Töissä Tiina"]
    handsets.set(lauri, "no-answer")
    handsets.set(tiina, "human", answer_after=1, confirm_after=1, talk=1)
    since = dt.datetime.now(dt.UTC)

    national = "0" + lauri[4:]  # as a phone network may present it
    SimulatorControl(lab.modem_control).incoming(national, "pois")

    deadline = time.monotonic() + 15
    while Person.get(Person.phone == lauri).on_duty:
        assert time.monotonic() < deadline, "the OFF text changed nothing"
        time.sleep(0.1)
    [reply] = texts_to(lab, since, {lauri: 1})[lauri]
    assert "PÄÄLLE" in reply, reply

    row = call(scenario.number)

    assert [leg["person"] for leg in row["legs"]] == ["Töissä Tiina"]
    assert row["answered_by"] == "Töissä Tiina"
