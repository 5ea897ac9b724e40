from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from paivystys.appliance.audit import entries
from paivystys.appliance.changes import Changes
from paivystys.appliance.changes.tests.apply_counter import Counter
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import Group, Membership, NumberGroup, OnCallNumber, Person
from paivystys.appliance.directory import (
    ApplyFailed,
    Conflict,
    Directory,
    FieldError,
    InUse,
    Invalid,
    NotFound,
    group_to_dict,
    number_to_dict,
    person_to_dict,
    seed_demo,
    settings_to_dicts,
)
from paivystys.appliance.directory import demo as demo_module


@pytest.fixture
def applied(tmp_path: Path) -> Iterator[Counter]:
    db = open_database(tmp_path / "paivystys.db")
    yield Counter()
    db.close()


@pytest.fixture
def d(applied: Counter) -> Directory:
    return Directory(Changes("tester", applied))


def error(exc_type: type[FieldError], call, *args, **kwargs) -> FieldError:
    with pytest.raises(exc_type) as caught:
        call(*args, **kwargs)
    return caught.value


# --- names and values ----------------------------------------------------------------------

@pytest.mark.parametrize(("value", "message"), [
    ("", "name: must not be empty"),
    ("   ", "name: must not be empty"),
    ("x" * 81, "is longer than 80 characters"),
    ("Huol\nto", "contains control characters"),
    ("123", "name: '123' looks like an id or a phone number"),
    ("040 123 4567", "name: '040 123 4567' looks like an id or a phone number"),
    (42, "name: must be text, got 42"),
])
def test_bad_names_are_rejected(d: Directory, value: object, message: str) -> None:
    err = error(Invalid, d.add_group, value)
    assert err.field == "name"
    assert message in str(err)


def test_names_are_trimmed_and_inner_spaces_collapsed(d: Directory) -> None:
    assert d.add_group("  Huolto   ja  korjaus ").name == "Huolto ja korjaus"


@pytest.mark.parametrize(("days", "message"), [
    (0, "retention_days: must be 1..3650 days, got 0"),
    (3651, "got 3651"),
    ("many", "retention_days: must be a whole number of days, got 'many'"),
    (1.5, "got 1.5"),
    (True, "got True"),
])
def test_bad_retention_days(d: Directory, days: object, message: str) -> None:
    err = error(Invalid, d.add_number, "020 123 4567", "Demo", retention_days=days)
    assert err.field == "retention_days"
    assert message in str(err)


def test_flags_must_be_booleans(d: Directory) -> None:
    assert error(Invalid, d.add_number, "0201234567", "Demo", recording="yes").field == "recording"
    assert error(Invalid, d.add_person, "Matti", "0401000001", on_duty=1).field == "on_duty"
    assert error(Invalid, d.add_person, "Matti", "0401000001",
                 wants_sms=None).field == "wants_sms"


# --- on-call numbers ----------------------------------------------------------------------

def test_add_number_stores_e164_and_defaults(d: Directory, applied: Counter) -> None:
    row = d.add_number("020 123 4567", "Demo päivystys")
    assert (row.number, row.name, row.recording, row.retention_days) == (
        "+358201234567", "Demo päivystys", False, 90)
    assert applied.calls == 1


def test_number_conflicts_in_any_written_form(d: Directory) -> None:
    d.add_number("+358201234567", "Demo")
    err = error(Conflict, d.add_number, "020 1234 567", "Other")
    assert err.field == "number"
    assert str(err) == ("number: +358201234567 is already the on-call number "
                        "+358201234567 (Demo)")


def test_number_and_person_phone_never_coincide(d: Directory) -> None:
    d.add_person("Matti", "040 100 0001")
    err = error(Conflict, d.add_number, "0401000001", "Loop")
    assert "is already the phone of Matti" in str(err)
    d.add_number("0201234567", "Demo")
    err = error(Conflict, d.add_person, "Liisa", "+358201234567")
    assert err.field == "phone"
    assert "is already the on-call number +358201234567 (Demo)" in str(err)


def test_lookup_number_by_id_number_form_or_name(d: Directory) -> None:
    row = d.add_number("0201234567", "Demo päivystys")
    assert d.number(row.id).id == row.id
    assert d.number(str(row.id)).id == row.id
    assert d.number("020 123 4567").id == row.id
    assert d.number("demo PÄIVYSTYS").id == row.id
    assert str(error(NotFound, d.number, "0209999999")) == "number: no on-call number +358209999999"
    assert str(error(NotFound, d.number, "99")) == "number: no on-call number with id 99"
    assert str(error(NotFound, d.number, "Nope")) == "number: no on-call number 'Nope'"


def test_change_number(d: Directory, applied: Counter) -> None:
    row = d.add_number("0201234567", "Demo")
    changed = d.change_number("Demo", number="020 765 4321", name="Uusi", recording=True,
                              retention_days=30)
    assert changed.id == row.id
    stored = OnCallNumber.get_by_id(row.id)
    assert (stored.number, stored.name, stored.recording, stored.retention_days) == (
        "+358207654321", "Uusi", True, 30)
    assert applied.calls == 2
    # Keeping its own number is no conflict with itself.
    d.change_number(row.id, number="+358207654321")
    assert str(error(Invalid, d.change_number, row.id)) == "number: nothing to change"


def test_change_number_validates_before_writing(d: Directory, applied: Counter) -> None:
    d.add_number("0201234567", "Demo")
    d.add_number("0207654321", "Other")
    error(Conflict, d.change_number, "Other", number="0201234567", name="Renamed")
    assert OnCallNumber.get(OnCallNumber.number == "+358207654321").name == "Other"
    error(Invalid, d.change_number, "Other", name="", recording=True)
    assert OnCallNumber.get(OnCallNumber.number == "+358207654321").recording is False
    assert applied.calls == 2


def test_remove_number_drops_its_group_links(d: Directory) -> None:
    number = d.add_number("0201234567", "Demo")
    d.add_group("Huolto")
    d.set_number_groups(number.id, ["Huolto"])
    d.remove_number("0201234567")
    assert not OnCallNumber.select().exists()
    assert not NumberGroup.select().exists()
    assert Group.select().count() == 1


# --- ringing and backup groups -----------------------------------------------------------

@pytest.fixture
def wired(d: Directory) -> Directory:
    d.add_number("0201234567", "Demo")
    for name in ("Huolto", "Sähkö", "Varalla"):
        d.add_group(name)
    return d


def test_number_groups_are_ordered_and_replaced(wired: Directory) -> None:
    wired.set_number_groups("Demo", ["Sähkö", "huolto"])
    assert [group.name for group in wired.number_groups("Demo")] == ["Sähkö", "Huolto"]
    wired.set_number_groups("Demo", ["Huolto"])
    assert [group.name for group in wired.number_groups("Demo")] == ["Huolto"]
    wired.set_number_groups("Demo", [])
    assert wired.number_groups("Demo") == []


def test_number_groups_rejects_duplicates_and_unknown_without_changing(
        wired: Directory, applied: Counter) -> None:
    wired.set_number_groups("Demo", ["Huolto"])
    calls = applied.calls
    assert str(error(Invalid, wired.set_number_groups, "Demo", ["Sähkö", "SÄHKÖ"])) == (
        "groups: 'Sähkö' is listed twice")
    err = error(NotFound, wired.set_number_groups, "Demo", ["Sähkö", "Kaasu"])
    assert (err.field, str(err)) == ("groups", "groups: no group 'Kaasu'")
    assert [group.name for group in wired.number_groups("Demo")] == ["Huolto"]
    assert applied.calls == calls


def test_backup_group_must_differ_from_ringing_groups(wired: Directory) -> None:
    wired.set_number_groups("Demo", ["Huolto"])
    err = error(Conflict, wired.set_backup_group, "Demo", "Huolto")
    assert err.field == "backup_group"
    assert "'Huolto' already rings for +358201234567 (Demo)" in str(err)
    wired.set_backup_group("Demo", "Varalla")
    err = error(Conflict, wired.set_number_groups, "Demo", ["Huolto", "Varalla"])
    assert "'Varalla' is the backup group of +358201234567 (Demo)" in str(err)
    assert wired.set_backup_group("Demo", None).backup_group is None


def test_views(wired: Directory) -> None:
    wired.add_person("Matti", "0401000001")
    wired.add_member("Matti", "Huolto")
    wired.set_number_groups("Demo", ["Sähkö", "Huolto"])
    wired.set_backup_group("Demo", "Varalla")
    number = number_to_dict(wired.number("Demo"))
    assert number == {"id": number["id"], "number": "+358201234567", "name": "Demo",
                      "recording": False, "retention_days": 90, "sms_on_taken": True,
                      "sms_to_caller": True, "sms_on_missed": True, "groups": ["Sähkö", "Huolto"],
                      "backup_group": "Varalla"}
    huolto = group_to_dict(wired.group("Huolto"))
    assert huolto["members"] == [{"id": 1, "name": "Matti", "phone": "+358401000001",
                                  "on_duty": True}]
    assert (huolto["rings_for"], huolto["backup_for"]) == (["+358201234567"], [])
    assert group_to_dict(wired.group("Varalla"))["backup_for"] == ["+358201234567"]
    matti = wired.person("Matti")
    assert person_to_dict(matti) == {
        "id": 1, "name": "Matti", "phone": "+358401000001", "on_duty": True, "wants_sms": True,
        "public_phone": None, "groups": ["Huolto"], "personal_number": matti.personal_number,
        "has_pin": False, "pin_locked_until": None}


def test_public_phone_and_sms_switches(wired: Directory) -> None:
    wired.add_person("Maija", "0401000002", public_phone="040 100 0003")
    assert wired.person("Maija").public_phone == "+358401000003"
    err = error(Invalid, wired.change_person, "Maija", public_phone="12")
    assert err.field == "public_phone"
    assert wired.change_person("Maija", public_phone="").public_phone is None
    row = wired.change_number("Demo", sms_to_caller=False, sms_on_missed=False)
    assert (row.sms_on_taken, row.sms_to_caller, row.sms_on_missed) == (True, False, False)
    assert error(Invalid, wired.change_number, "Demo", sms_on_taken="maybe").field == (
        "sms_on_taken")


# --- groups ---------------------------------------------------------------------------------

def test_group_names_are_unique_ignoring_case(d: Directory) -> None:
    d.add_group("Sähkö")
    err = error(Conflict, d.add_group, "SÄHKÖ")
    assert str(err) == "name: a group called 'Sähkö' already exists (id 1)"
    d.add_group("Huolto")
    error(Conflict, d.rename_group, "Huolto", "sähkö")
    assert d.rename_group("Sähkö", "sähkö").name == "sähkö"


def test_remove_group_in_use_names_every_dependent(wired: Directory, applied: Counter) -> None:
    wired.add_number("0207654321", "Yö")
    wired.set_number_groups("Demo", ["Huolto", "Sähkö"])
    wired.set_backup_group("Yö", "Huolto")
    calls = applied.calls
    err = error(InUse, wired.remove_group, "Huolto")
    assert err.field == "group"
    assert str(err) == ("group: 'Huolto' is still a ringing group of +358201234567 (Demo); "
                        "the backup group of +358207654321 (Yö). Change those numbers first, "
                        "or force the removal")
    assert Group.select().count() == 3
    assert applied.calls == calls


def test_force_remove_group_unhooks_numbers_and_keeps_people(wired: Directory) -> None:
    wired.add_person("Matti", "0401000001")
    wired.add_member("Matti", "Huolto")
    wired.set_number_groups("Demo", ["Huolto", "Sähkö"])
    wired.add_number("0207654321", "Yö")
    wired.set_backup_group("Yö", "Huolto")
    wired.remove_group("Huolto", force=True)
    assert [group.name for group in wired.number_groups("Demo")] == ["Sähkö"]
    assert wired.number("Yö").backup_group is None
    assert not Membership.select().exists()
    assert Person.select().count() == 1


def test_unused_group_removes_without_force(wired: Directory) -> None:
    wired.remove_group("Varalla")
    assert str(error(NotFound, wired.group, "Varalla")) == "group: no group 'Varalla'"


# --- people and memberships ---------------------------------------------------------------

def test_add_person_defaults_and_normalises(d: Directory) -> None:
    row = d.add_person(" Matti  Virtanen ", "040 100 0001")
    assert (row.name, row.phone, row.on_duty, row.wants_sms) == (
        "Matti Virtanen", "+358401000001", True, True)


def test_person_phone_is_unique(d: Directory) -> None:
    d.add_person("Matti", "0401000001")
    err = error(Conflict, d.add_person, "Toinen Matti", "+358 40 100 0001")
    assert str(err) == "phone: +358401000001 is already the phone of Matti (id 1)"


def test_short_or_invalid_phone_for_person(d: Directory) -> None:
    assert error(Invalid, d.add_person, "Matti", "118").field == "phone"
    assert error(Invalid, d.add_person, "Matti", "0401").field == "phone"
    assert not Person.select().exists()


def test_landline_cannot_get_sms(d: Directory) -> None:
    err = error(Invalid, d.add_person, "Toimisto", "09 123 4567")
    assert str(err) == ("wants_sms: +35891234567 is a landline and cannot receive SMS; "
                        "turn SMS off for this person")
    office = d.add_person("Toimisto", "09 123 4567", wants_sms=False)
    error(Invalid, d.change_person, office.id, wants_sms=True)
    matti = d.add_person("Matti", "0401000001")
    error(Invalid, d.change_person, matti.id, phone="09 765 4321")
    assert Person.get_by_id(matti.id).phone == "+358401000001"
    d.change_person(matti.id, phone="09 765 4321", wants_sms=False)


def test_change_person(d: Directory, applied: Counter) -> None:
    row = d.add_person("Matti", "0401000001")
    d.change_person("040 100 0001", on_duty=False)
    d.change_person("matti", name="Matti V", phone="050 100 0001", wants_sms=False)
    stored = Person.get_by_id(row.id)
    assert (stored.name, stored.phone, stored.on_duty, stored.wants_sms) == (
        "Matti V", "+358501000001", False, False)
    assert applied.calls == 3
    assert str(error(Invalid, d.change_person, row.id)) == "person: nothing to change"


def test_ambiguous_person_name_asks_for_phone_or_id(d: Directory) -> None:
    d.add_person("Matti", "0401000001")
    d.add_person("Matti", "0401000002")
    err = error(Conflict, d.person, "Matti")
    assert str(err) == "person: 2 persons are called 'Matti' (ids 1, 2); use the phone number " \
                       "or the id"
    assert d.person("0401000002").id == 2


def test_memberships(wired: Directory) -> None:
    wired.add_person("Matti", "0401000001")
    wired.add_member("Matti", "Huolto")
    assert [p.name for p in wired.group_members("Huolto")] == ["Matti"]
    assert str(error(Conflict, wired.add_member, "Matti", "huolto")) == (
        "group: Matti is already in 'Huolto'")
    assert str(error(NotFound, wired.remove_member, "Matti", "Sähkö")) == (
        "group: Matti is not in 'Sähkö'")
    wired.remove_member("Matti", "Huolto")
    assert wired.person_groups("Matti") == []


def test_remove_person_drops_memberships(wired: Directory) -> None:
    wired.add_person("Matti", "0401000001")
    wired.add_member("Matti", "Huolto")
    wired.remove_person("Matti")
    assert not Membership.select().exists()


# --- settings -------------------------------------------------------------------------------

def test_settings(d: Directory, applied: Counter) -> None:
    assert d.set_setting("ring_time", " 45 ") == "45"
    assert d.settings()["ring_time"] == "45"
    err = error(Invalid, d.set_setting, "ring_time", "3")
    assert (err.field, str(err)) == ("ring_time", "ring_time: must be at least 5, got 3")
    err = error(NotFound, d.set_setting, "colour", "red")
    assert err.field == "key"
    assert "unknown setting 'colour'" in str(err)
    assert applied.calls == 1
    assert {"key": "ring_time", "value": "45", "default": "30",
            "choices": None} in settings_to_dicts()
    assert {"key": "prompt_language", "value": "fi", "default": "fi",
            "choices": ["fi", "en", "sv"]} in settings_to_dicts()


# --- apply and transactions ----------------------------------------------------------------

def test_reads_and_refused_changes_do_not_apply(d: Directory, applied: Counter) -> None:
    d.list_numbers()
    d.list_groups()
    d.list_people()
    error(Invalid, d.add_group, "")
    error(NotFound, d.remove_person, "Nobody")
    assert applied.calls == 0


def test_batch_is_one_transaction_and_one_apply(d: Directory, applied: Counter) -> None:
    with d.batch():
        d.add_group("Huolto")
        d.add_group("Sähkö")
    assert applied.calls == 1
    with pytest.raises(Conflict), d.batch():
        d.add_group("Kaasu")
        d.add_group("huolto")
    assert [group.name for group in d.list_groups()] == ["Huolto", "Sähkö"]
    assert applied.calls == 1


def test_failed_write_midway_leaves_nothing(d: Directory, applied: Counter,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    d.add_number("0201234567", "Demo")
    d.add_group("Huolto")
    d.add_group("Sähkö")
    d.set_number_groups("Demo", ["Huolto"])
    real_create = NumberGroup.create
    made: list[object] = []

    def create_then_fail(**fields: object) -> NumberGroup:
        if made:
            raise RuntimeError("disk full")
        made.append(real_create(**fields))
        return made[-1]

    monkeypatch.setattr(NumberGroup, "create", create_then_fail)
    with pytest.raises(RuntimeError):
        d.set_number_groups("Demo", ["Sähkö", "Huolto"])
    monkeypatch.undo()
    assert [group.name for group in d.number_groups("Demo")] == ["Huolto"]


def test_apply_failure_is_reported_but_the_change_stands(applied: Counter) -> None:
    def broken() -> None:
        raise OSError("asterisk.ctl: connection refused")

    d = Directory(Changes("tester", broken))
    err = error(ApplyFailed, d.add_group, "Huolto")
    assert str(err) == ("the change is saved, but applying it to Asterisk failed: "
                        "asterisk.ctl: connection refused")
    assert Group.select().count() == 1
    failed, saved = entries(2)
    assert (saved["actor"], saved["action"], saved["target"]) == ("tester", "group.add", "Huolto")
    assert (failed["actor"], failed["action"]) == ("tester", "apply.failed")
    assert failed["details"] == {"saved": ["group.add Huolto"],
                                 "error": "asterisk.ctl: connection refused"}


def test_every_change_is_audited_as_its_makers(d: Directory) -> None:
    d.add_number("020 123 4567", "Demo")
    d.add_group("Huolto")
    d.add_person("Maija", "040 123 4567")
    d.add_member("Maija", "Huolto")
    d.set_number_groups("Demo", ["Huolto"])
    d.change_person("Maija", name="Maija V")
    d.set_duty("Maija V", False)
    d.rename_group("Huolto", "Sähkö")
    d.remove_group("Sähkö", force=True)
    shown = [(row["actor"], row["action"], row["target"]) for row in reversed(entries())]
    assert shown == [
        ("tester", "number.add", "+358201234567"),
        ("tester", "group.add", "Huolto"),
        ("tester", "person.add", "Maija"),
        ("tester", "member.add", "Maija -> Huolto"),
        ("tester", "number.groups", "+358201234567"),
        ("tester", "person.change", "Maija V"),
        ("tester", "duty.off", "Maija V"),
        ("tester", "group.rename", "Sähkö"),
        ("tester", "group.remove", "Sähkö"),
    ]
    assert entries(1)[0]["details"] == {"force": True}


def test_refused_changes_are_not_audited(d: Directory) -> None:
    error(Invalid, d.add_group, "")
    error(NotFound, d.remove_person, "Nobody")
    with pytest.raises(Conflict), d.batch():
        d.add_group("Kaasu")
        d.add_group("kaasu")
    assert entries() == []


def test_without_changes_the_directory_changes_as_the_system(applied: Counter) -> None:
    # A unit test's database has no Asterisk beside it: the default apply has nothing to do.
    Directory().add_group("Huolto")
    assert [(row["actor"], row["action"]) for row in entries()] == [("system", "group.add")]


# --- demo -----------------------------------------------------------------------------------

def test_seed_demo(d: Directory, applied: Counter) -> None:
    assert seed_demo(d) is True
    assert applied.calls == 1
    number = number_to_dict(d.number("+358201234567"))
    assert number["name"] == "Demo päivystys"
    assert number["groups"] == ["Huolto", "Sähkö"]
    assert number["backup_group"] == "Varalla"
    sizes = {group.name: len(d.group_members(group.id)) for group in d.list_groups()}
    assert sizes == {"Huolto": 2, "Sähkö": 2, "Varalla": 2}
    in_both = [p.name for p in d.list_people() if len(d.person_groups(p.id)) == 2]
    assert len(in_both) == 1
    assert all(p.phone.startswith(("+35840", "+35850")) for p in d.list_people())
    assert seed_demo(d) is False
    assert applied.calls == 1


def test_seed_demo_is_all_or_nothing(d: Directory, applied: Counter) -> None:
    clash = next(iter(demo_module.DEMO_PEOPLE.values()))
    d.add_person("Jo olemassa", clash)
    with pytest.raises(Conflict):
        seed_demo(d)
    assert not OnCallNumber.select().exists()
    assert not Group.select().exists()
    assert Person.select().count() == 1
    assert applied.calls == 1
