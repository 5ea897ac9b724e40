"""The decision for an incoming call, read from a real database."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from paivystys.appliance.db.models import Setting
from paivystys.appliance.db.settings import set_setting
from paivystys.appliance.ringing.lookup import decide
from paivystys.appliance.ringing.rule import Decision, IncomingCall, Leg
from paivystys.appliance.ringing.tests.conftest import RECORDINGS, Directory

NOW = dt.datetime(2025, 3, 7, 12, 0, tzinfo=dt.UTC)
NUMBER = "+358401234567"


def call(number_id: object = "", dialled: str = NUMBER, call_id: str = "1700000000.7",
         caller: str = "+358501112222") -> IncomingCall:
    return IncomingCall(str(number_id), dialled, call_id, caller)


def run(incoming: IncomingCall) -> Decision:
    return decide(incoming, RECORDINGS, NOW)


def test_rings_every_on_duty_person_of_every_group_once(directory: Directory) -> None:
    day, night = directory.group("day"), directory.group("night")
    both = directory.person("Both", [night, day])
    only_day = directory.person("Only day", [day])
    directory.person("Off duty", [day], on_duty=False)
    # night is created first (lower id) but comes second by position
    number = directory.number(groups=[day, night])
    decision = run(call(number.id))
    assert decision.decision == "ring"
    assert decision.main_legs == (Leg(both.id, day.id), Leg(only_day.id, day.id))
    assert decision.main_list == f"{both.id}-{day.id}&{only_day.id}-{day.id}"
    assert decision.backup_legs == ()
    assert decision.backup_list == ""


@pytest.mark.parametrize("caller_form", ["+358501119999", "0501119999", "358501119999",
                                         "00358501119999"])
def test_an_on_call_person_calling_the_line_is_not_rung_on_their_own_phone(
        directory: Directory, caller_form: str) -> None:
    group, backup = directory.group("g"), directory.group("backup")
    calling = directory.person("Calling", [group, backup], phone="+358501119999")
    other = directory.person("Other", [group])
    backup_person = directory.person("Backup", [backup])
    number = directory.number(groups=[group], backup=backup)
    decision = run(call(number.id, caller=caller_form))
    assert decision.main_legs == (Leg(other.id, group.id),)
    assert decision.backup_legs == (Leg(backup_person.id, backup.id),)
    assert calling.id not in {leg.person_id for leg in decision.main_legs + decision.backup_legs}


def test_the_only_person_on_duty_calling_the_line_leaves_nobody_to_ring(
        directory: Directory) -> None:
    group = directory.group("g")
    directory.person("Alone", [group], phone="+358501119999")
    number = directory.number(groups=[group])
    assert run(call(number.id, caller="+358501119999")).decision == "nobody"
    # a withheld or non-numeric caller ID matches nobody's phone
    for caller in ("", "unknown", "Alone"):
        assert run(call(number.id, caller=caller)).decision == "ring"


def test_first_group_is_decided_by_position_not_by_id(directory: Directory) -> None:
    first_created, second_created = directory.group("a"), directory.group("b")
    person = directory.person("P", [first_created, second_created])
    number = directory.number(groups=[second_created, first_created])
    assert run(call(number.id)).main_legs == (Leg(person.id, second_created.id),)


def test_backup_stage_leaves_out_people_already_rung_in_the_main_stage(
        directory: Directory) -> None:
    main, backup = directory.group("main"), directory.group("backup")
    in_both = directory.person("In both", [main, backup])
    backup_only = directory.person("Backup only", [backup])
    directory.person("Backup off duty", [backup], on_duty=False)
    number = directory.number(groups=[main], backup=backup)
    decision = run(call(number.id))
    assert decision.main_legs == (Leg(in_both.id, main.id),)
    assert decision.backup_legs == (Leg(backup_only.id, backup.id),)


def test_backup_group_that_is_also_a_main_group_adds_nobody(directory: Directory) -> None:
    group = directory.group("g")
    person = directory.person("P", [group])
    number = directory.number(groups=[group], backup=group)
    decision = run(call(number.id))
    assert (decision.main_legs, decision.backup_legs) == ((Leg(person.id, group.id),), ())


def test_person_with_a_bad_stored_phone_is_skipped_with_a_warning(
        directory: Directory, caplog: pytest.LogCaptureFixture) -> None:
    group, backup = directory.group("g"), directory.group("backup")
    good = directory.person("Good", [group])
    directory.person("Hand Written", [group, backup], phone="040 123 4567")
    number = directory.number(groups=[group], backup=backup)
    decision = run(call(number.id))
    assert decision.main_legs == (Leg(good.id, group.id),)
    assert decision.backup_legs == ()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # once per person, though in two groups
    assert "Hand Written" in warnings[0] and "040 123 4567" in warnings[0]


def test_nobody_on_duty(directory: Directory) -> None:
    group, backup = directory.group("g"), directory.group("backup")
    directory.person("Off", [group, backup], on_duty=False)
    number = directory.number(groups=[group], backup=backup)
    decision = run(call(number.id))
    assert (decision.decision, decision.main_list, decision.backup_list) == ("nobody", "", "")


def test_number_without_groups_rings_the_backup_group(directory: Directory) -> None:
    backup = directory.group("backup")
    person = directory.person("P", [backup])
    number = directory.number(backup=backup)
    decision = run(call(number.id))
    assert decision.decision == "ring"
    assert (decision.main_legs, decision.backup_legs) == ((), (Leg(person.id, backup.id),))


def test_number_without_groups_or_backup_is_nobody(directory: Directory) -> None:
    directory.person("Not in any group")
    number = directory.number()
    assert run(call(number.id)).decision == "nobody"


def test_unknown_number(directory: Directory) -> None:
    directory.number()
    decision = run(call("", dialled="+358409999999"))
    assert decision == Decision("unknown", (), (), "30", "10", "fi", "")


@pytest.mark.parametrize("dialled", ["+358401234567", "0401234567", "358401234567",
                                     "00358401234567"])
def test_empty_id_falls_back_to_the_dialled_number(directory: Directory, dialled: str) -> None:
    group = directory.group("g")
    person = directory.person("P", [group])
    directory.number(groups=[group])
    assert run(call("", dialled=dialled)).main_legs == (Leg(person.id, group.id),)


@pytest.mark.parametrize("number_id", ["999", "not-an-id", "²", "9" * 30])
def test_stale_or_bad_id_falls_back_to_the_dialled_number(directory: Directory,
                                                          number_id: str) -> None:
    group = directory.group("g")
    directory.person("P", [group])
    directory.number(groups=[group])
    assert run(call(number_id)).decision == "ring"


def test_id_wins_over_the_dialled_number(directory: Directory) -> None:
    first = directory.number("+358401111111", groups=[directory.group("g")])
    directory.person("P", [first.number_groups[0].group])
    directory.number("+358402222222")
    assert run(call(first.id, dialled="+358402222222")).decision == "ring"


def test_settings_are_passed_on(directory: Directory) -> None:
    number = directory.number()
    set_setting("ring_time", "45")
    set_setting("confirm_timeout", "7")
    set_setting("prompt_language", "en")
    decision = run(call(number.id))
    assert (decision.ring_time, decision.confirm_timeout, decision.language) == ("45", "7", "en")


def test_a_bad_stored_setting_falls_back_to_its_default(
        directory: Directory, caplog: pytest.LogCaptureFixture) -> None:
    number = directory.number()
    Setting.create(key="ring_time", value="half a minute")
    assert run(call(number.id)).ring_time == "30"
    assert "ring_time" in caplog.text


def test_recording_only_when_the_number_records(directory: Directory) -> None:
    group = directory.group("g")
    directory.person("P", [group])
    recorded = directory.number("+358401111111", groups=[group], recording=True)
    plain = directory.number("+358402222222", groups=[group])
    assert (run(call(recorded.id)).recording_file
            == "/srv/instance/recordings/2025/03/1700000000.7.wav")
    assert run(call(plain.id)).recording_file == ""
