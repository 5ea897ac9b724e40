"""Listening numbers: any form stored E.164, never an on-call number or a person's phone (nor
those one of them), audited and applied like the on-call numbers; a new person's personal
number drawn again when taken."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import peewee
import pytest

from paivystys.appliance.audit import entries
from paivystys.appliance.changes import Changes
from paivystys.appliance.changes.tests.apply_counter import Counter
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import ListeningCall, ListeningNumber, Person, utcnow
from paivystys.appliance.directory import (
    Conflict,
    Directory,
    FieldError,
    Invalid,
    NotFound,
    listening_number_to_dict,
    person_to_dict,
)
from paivystys.appliance.directory import service as directory_service
from paivystys.appliance.directory.views import pin_state


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


def test_a_listening_number_in_any_form_is_stored_e164_audited_and_applied(
        d: Directory, applied: Counter) -> None:
    row = d.add_listening_number("020 555 0199", "  Kuuntelu  ")
    assert (row.number, row.name) == ("+358205550199", "Kuuntelu")
    assert listening_number_to_dict(row) == {"id": row.id, "number": "+358205550199",
                                             "name": "Kuuntelu"}
    assert applied.calls == 1  # the dialplan is made from the listening numbers
    audit = entries(1)[0]
    assert (audit["actor"], audit["action"], audit["target"]) == (
        "tester", "listening_number.add", "+358205550199")
    for form in ("+358 20 555 0199", "0205550199", "+358205550199"):
        assert d.listening_number(form).id == row.id
    assert d.listening_number("kuuntelu").id == row.id
    assert d.listening_number(str(row.id)).id == row.id
    assert [n.id for n in d.list_listening_numbers()] == [row.id]


def test_change_and_remove_a_listening_number(d: Directory, applied: Counter) -> None:
    row = d.add_listening_number("0205550199", "Kuuntelu")
    ListeningCall.create(call_id="1700000000.1", number=row, dialled=row.number,
                         caller="+358401234567", arrived_at=utcnow())
    changed = d.change_listening_number("Kuuntelu", number="020 555 0198", name="Kuuntelu 2")
    assert (changed.number, changed.name) == ("+358205550198", "Kuuntelu 2")
    assert entries(1)[0]["details"] == {"number": "020 555 0198", "name": "Kuuntelu 2"}
    assert d.change_listening_number(row.id, name="Kuuntelu 3").number == "+358205550198"
    assert error(Invalid, d.change_listening_number, row.id).field == "number"
    d.remove_listening_number("+358205550198")
    assert not ListeningNumber.select().exists()
    # The calls it had stay in the log, no longer linked to it.
    assert ListeningCall.get(ListeningCall.call_id == "1700000000.1").number_id is None
    assert (entries(1)[0]["action"], entries(1)[0]["target"]) == (
        "listening_number.remove", "+358205550198")
    assert applied.calls == 4
    assert str(error(NotFound, d.remove_listening_number, "Kuuntelu 3")) == (
        "listening_number: no listening number 'Kuuntelu 3'")
    assert applied.calls == 4


def test_a_number_is_an_on_call_number_or_a_listening_number_never_both(d: Directory) -> None:
    d.add_number("0201234567", "Huolto")
    err = error(Conflict, d.add_listening_number, "+358 20 123 4567", "Kuuntelu")
    assert err.field == "number"
    assert str(err) == ("number: +358201234567 is already the on-call number "
                        "+358201234567 (Huolto)")
    d.add_listening_number("0205550199", "Kuuntelu")
    err = error(Conflict, d.add_number, "020 555 0199", "Toinen")
    assert (err.field, str(err)) == ("number", "number: +358205550199 is already the listening "
                                               "number +358205550199 (Kuuntelu)")
    err = error(Conflict, d.change_number, "Huolto", number="0205550199")
    assert err.field == "number"
    err = error(Conflict, d.change_listening_number, "Kuuntelu", number="0201234567")
    assert err.field == "number"
    assert error(Conflict, d.add_listening_number, "0205550199", "Sama").field == "number"
    # Changing a listening number to its own number is no conflict.
    assert d.change_listening_number("Kuuntelu", number="0205550199").name == "Kuuntelu"
    assert ListeningNumber.select().count() == 1


def test_a_persons_phone_is_never_a_listening_number(d: Directory) -> None:
    d.add_person("Matti", "040 100 0001")
    err = error(Conflict, d.add_listening_number, "0401000001", "Kuuntelu")
    assert "is already the phone of Matti" in str(err)
    d.add_listening_number("0401000002", "Kuuntelu")
    err = error(Conflict, d.add_person, "Liisa", "+358401000002")
    assert (err.field, str(err)) == ("phone", "phone: +358401000002 is already the listening "
                                              "number +358401000002 (Kuuntelu)")
    assert error(Conflict, d.change_person, "Matti", phone="0401000002").field == "phone"


@pytest.mark.parametrize(("number", "name", "field", "problem"), [
    ("", "Kuuntelu", "number", "a phone number is required"),
    ("112", "Kuuntelu", "number", "is an emergency number"),
    ("0205", "Kuuntelu", "number", "is a short number"),
    ("+3582055501991234567", "Kuuntelu", "number", "too long"),
    ("020 555 0199; Dial(PJSIP/x)", "Kuuntelu", "number", "is not"),
    ("${CALLERID(num)}", "Kuuntelu", "number", "is not a phone number"),
    ("0205550199\n", "Kuuntelu", "number", ""),
    ("0205550199", "", "name", "must not be empty"),
    ("0205550199", "Kuun\ntelu", "name", "contains control characters"),
    ("0205550199", "x" * 81, "name", "longer than 80 characters"),
    ("0205550199", "0205550199", "name", "looks like an id or a phone number"),
    ("0205550199", 42, "name", "must be text"),
    ("0205550199", None, "name", "must be text"),
])
def test_hostile_listening_numbers_are_refused_naming_the_field(
        d: Directory, applied: Counter, number: str, name: object, field: str,
        problem: str) -> None:
    if number.endswith("\n"):  # phonenumbers reads past a trailing newline: stored clean
        assert d.add_listening_number(number, "Kuuntelu").number == "+358205550199"
        return
    err = error(Invalid, d.add_listening_number, number, name)
    assert err.field == field
    assert problem in str(err)
    assert not ListeningNumber.select().exists()
    assert applied.calls == 0
    assert not entries(10)


def test_a_taken_personal_number_is_drawn_again(d: Directory,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    first = d.add_person("Matti", "040 100 0001")
    drawn = iter([first.personal_number, first.personal_number, "654321"])
    monkeypatch.setattr(directory_service, "new_personal_number", lambda taken: next(drawn))
    second = d.add_person("Liisa", "040 100 0002")
    assert second.personal_number == "654321"
    assert Person.get_by_id(second.id).personal_number == "654321"
    assert [row["action"] for row in entries(10)] == ["person.add", "person.add"]


def test_personal_numbers_running_out_is_a_conflict_and_adds_nobody(
        d: Directory, monkeypatch: pytest.MonkeyPatch) -> None:
    first = d.add_person("Matti", "040 100 0001")
    monkeypatch.setattr(directory_service, "new_personal_number",
                        lambda taken: first.personal_number)
    err = error(Conflict, d.add_person, "Liisa", "040 100 0002")
    assert err.field == "personal_number"
    assert f"{directory_service.PERSONAL_NUMBER_DRAWS} random personal numbers" in str(err)
    assert Person.select().count() == 1
    assert len(entries(10)) == 1


def test_another_unique_column_is_not_taken_for_a_personal_number_collision(
        d: Directory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Someone else added the same phone between the check and the insert: no redraw, the
    change's conflict names it."""
    d.add_person("Matti", "040 100 0001")
    monkeypatch.setattr(Directory, "_check_phone_free", staticmethod(lambda *a, **k: None))
    with pytest.raises(Conflict, match="conflicts with a concurrent change") as caught:
        d.add_person("Liisa", "040 100 0001")
    assert isinstance(caught.value.__cause__, peewee.IntegrityError)
    assert Person.select().count() == 1


def test_a_persons_view_shows_their_listening_access_never_the_hash(d: Directory) -> None:
    person = d.add_person("Matti", "040 100 0001")
    assert person.personal_number.isdigit() and len(person.personal_number) == 6
    view = person_to_dict(person)
    assert (view["personal_number"], view["has_pin"], view["pin_locked_until"]) == (
        person.personal_number, False, None)
    until = dt.datetime(2026, 3, 2, 8, 15, tzinfo=dt.UTC)
    Person.update(pin_hash="$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
                  pin_locked_until=until).where(Person.id == person.id).execute()
    stored = Person.get_by_id(person.id)
    assert pin_state(stored, until - dt.timedelta(minutes=1)) == {
        "personal_number": person.personal_number, "has_pin": True,
        "pin_locked_until": "2026-03-02T08:15:00+00:00"}
    assert pin_state(stored, until)["pin_locked_until"] is None  # an ended lock is none
    assert "argon2" not in str(person_to_dict(stored))
