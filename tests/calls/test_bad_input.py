"""Calls that cannot be routed normally each get a defined, logged behaviour."""

import wave

from paivystys.appliance.db.models import Person
from paivystys.appliance.ringing.rule import CallOutcome

from conftest import new_mobile


def test_unknown_dialled_number(call):
    row = call("+358209999999")
    assert row["outcome"] == CallOutcome.UNKNOWN_NUMBER
    assert row["legs"] == []


def _closing_message_seconds(lab) -> float:
    path = lab.appliance().instance_dir / "sounds/generated/fi/pv-nobody-available.wav"
    with wave.open(str(path)) as message:
        return message.getnframes() / message.getframerate()


def test_number_without_groups_is_missed_at_once(lab, scenario, call):
    row = call(scenario.number)
    assert row["outcome"] == CallOutcome.MISSED
    assert row["legs"] == []
    # Nothing rang: the caller heard the closing message straight away.
    assert row["wait_s"] <= _closing_message_seconds(lab) + 1.0, row


def test_nobody_on_duty(scenario, call):
    scenario.group("Lomalla", "Poissa")
    scenario.directory.change_person("Poissa", on_duty=False)
    row = call(scenario.number)
    assert row["outcome"] == CallOutcome.MISSED
    assert row["legs"] == []


def test_malformed_phone_in_data_is_skipped(scenario, handsets, call):
    scenario.group("Rikki", "Virheellinen", "Kunnossa")
    # Data written past the validation (an old version, a hand edit): the call must still
    # reach the person whose number is good.
    Person.update(phone="040-KUKKUU").where(Person.name == "Virheellinen").execute()
    handsets.set(scenario.people["Kunnossa"], "human", answer_after=1, confirm_after=1, talk=1)
    row = call(scenario.number, caller=new_mobile())
    assert row["outcome"] == CallOutcome.ANSWERED
    assert row["answered_by"] == "Kunnossa"
    assert [leg["person"] for leg in row["legs"]] == ["Kunnossa"]
