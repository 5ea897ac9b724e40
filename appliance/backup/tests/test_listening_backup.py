"""The listening line in backups: listening numbers are configuration, a person's personal
number and PIN hash come back, the phone lock is the box's own, the listening calls are
history, and a backup from before the listening line still restores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from paivystys.appliance.backup import BackupError, check_backup, create_backup, restore_backup
from paivystys.appliance.changes import Changes
from paivystys.appliance.changes.tests.apply_counter import Counter
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import (
    ListeningCall,
    ListeningNumber,
    Person,
    database_proxy,
)
from paivystys.appliance.directory import Directory

from .test_backup import (
    ADMIN_HASH,
    PIN_HASH,
    change_everything,
    configuration,
    configure,
    db,
    directory,
    document,
    encode,
)

__all__ = ["db", "directory"]  # the fixtures, used by name

LOCKED_UNTIL = dt.datetime(2026, 3, 2, 8, 15, tzinfo=dt.UTC)


def restore(data: bytes) -> None:
    restore_backup(data, changes=Changes("tester", Counter()))


def personal_numbers() -> dict[str, str]:
    return {person.name: person.personal_number for person in Person.select()}


def lock(name: str) -> None:
    Person.update(pin_failures=2, pin_locked_until=LOCKED_UNTIL).where(
        Person.name == name).execute()


def lock_of(name: str) -> tuple[int, dt.datetime | None]:
    person = Person.get(Person.name == name)
    return person.pin_failures, person.pin_locked_until


def previous_version(data: bytes) -> dict[str, Any]:
    """``data`` as the version before the listening line wrote it."""
    older = document(data)
    older["version"] = 1
    del older["tables"]["listening_number"]
    for person in older["tables"]["person"]:
        del person["personal_number"], person["pin_hash"]
    return older


def test_the_file_has_listening_numbers_personal_numbers_and_pin_hashes_not_the_lock(
        directory: Directory) -> None:
    configure(directory)
    lock("Matti Virtanen")
    saved = document(create_backup())
    assert saved["tables"]["listening_number"] == [{
        "id": 1, "number": "+358205550199", "name": "Kuuntelu",
        "created_at": saved["tables"]["listening_number"][0]["created_at"]}]
    matti = saved["tables"]["person"][0]
    assert (matti["personal_number"], matti["pin_hash"]) == (
        Person.get(Person.name == "Matti Virtanen").personal_number, PIN_HASH)
    assert saved["tables"]["person"][1]["pin_hash"] is None
    assert not {"pin_failures", "pin_locked_until"} & set(matti)


def test_personal_numbers_pins_and_listening_numbers_come_back(directory: Directory) -> None:
    configure(directory)
    before = personal_numbers()
    saved = configuration()
    data = create_backup()
    change_everything(directory)  # a listening number renamed, one added; PINs changed
    assert personal_numbers() != before
    restore(data)
    assert configuration() == saved
    assert personal_numbers() == before
    assert [(row.number, row.name) for row in ListeningNumber.select()] == [
        ("+358205550199", "Kuuntelu")]
    assert Person.get(Person.name == "Matti Virtanen").pin_hash == PIN_HASH
    assert Person.get(Person.name == "Liisa Korhonen").pin_hash is None


def test_a_restore_neither_lifts_nor_brings_a_phone_lock(directory: Directory,
                                                         tmp_path: Path) -> None:
    configure(directory)
    lock("Liisa Korhonen")
    data = create_backup()
    lock("Matti Virtanen")
    restore(data)
    # This box's locks stay with the people the restore brings back, whatever the file.
    assert lock_of("Matti Virtanen") == (2, LOCKED_UNTIL)
    assert lock_of("Liisa Korhonen") == (2, LOCKED_UNTIL)
    # Someone new who got a removed person's id is not that person: their lock goes.
    pekka = directory.person("Pekka Nieminen")
    directory.remove_person(pekka.id)
    newcomer = directory.add_person("Uusi Ihminen", "040 100 0004")
    assert newcomer.id == pekka.id
    lock("Uusi Ihminen")
    restore(data)
    assert lock_of("Pekka Nieminen") == (0, None)
    # Another box: nobody is locked there.
    database_proxy.close()
    open_database(tmp_path / "new.db")
    restore(data)
    assert {lock_of(name) for name in personal_numbers()} == {(0, None)}


@pytest.mark.parametrize(("column", "value", "what"), [
    ("pin_failures", 0, "count of wrong PINs"),
    ("pin_locked_until", None, "phone lock"),
    ("pin_locked_until", "2026-03-02T08:15:00+00:00", "phone lock"),
])
def test_a_file_with_the_boxs_own_columns_is_refused(directory: Directory, column: str,
                                                     value: object, what: str) -> None:
    configure(directory)
    backup = document(create_backup())
    backup["tables"]["person"][1][column] = value
    with pytest.raises(BackupError) as caught:
        check_backup(encode(backup))
    assert caught.value.field == f"person[2].{column}"
    assert str(caught.value) == (f"person id 2: {column}: is this box's own {what}, not "
                                 "configuration; remove the column")


def test_a_backup_from_before_the_listening_line_restores(directory: Directory,
                                                          tmp_path: Path) -> None:
    configure(directory)
    older = encode(previous_version(create_backup()))
    before = personal_numbers()
    change_everything(directory)  # Liisa's personal number changes, Pekka goes, Uusi comes
    liisa = personal_numbers()["Liisa Korhonen"]
    assert check_backup(older).counts["listening_number"] == 0
    restore(older)
    # The people it brings back keep the personal numbers they have; nobody has a PIN, and
    # there is no listening number (the configuration had none).
    after = personal_numbers()
    assert after["Matti Virtanen"] == before["Matti Virtanen"]
    assert after["Liisa Korhonen"] == liisa
    assert len(set(after.values())) == 3
    assert all(len(number) == 6 and number.isdigit() for number in after.values())
    assert not Person.select().where(Person.pin_hash.is_null(False)).exists()
    assert not ListeningNumber.select().exists()
    # On a new box everybody gets a new personal number, all different.
    database_proxy.close()
    open_database(tmp_path / "new.db")
    restore(older)
    fresh = personal_numbers()
    assert len(fresh) == 3 and len(set(fresh.values())) == 3
    assert all(number.isdigit() and number[0] != "0" for number in fresh.values())


def test_a_kept_personal_number_is_not_given_twice(directory: Directory) -> None:
    """A person of an old file without a personal number whose number on this box another
    person of the file has: they get a new one."""
    configure(directory)
    backup = document(create_backup())
    matti, liisa = backup["tables"]["person"][:2]
    del matti["personal_number"]
    liisa["personal_number"] = personal_numbers()["Matti Virtanen"]
    restore(encode(backup))
    numbers = personal_numbers()
    assert numbers["Liisa Korhonen"] == liisa["personal_number"]
    assert numbers["Matti Virtanen"] not in (liisa["personal_number"], None)


def test_the_current_version_must_have_its_listening_numbers(directory: Directory) -> None:
    configure(directory)
    backup = document(create_backup())
    del backup["tables"]["listening_number"]
    with pytest.raises(BackupError, match="tables: no 'listening_number' table in the backup"):
        check_backup(encode(backup))


def test_the_listening_calls_are_history_and_keep_their_links(directory: Directory) -> None:
    configure(directory)
    data = create_backup()
    kept = ListeningNumber.get(ListeningNumber.name == "Kuuntelu")
    matti = directory.person("Matti Virtanen")
    ListeningCall.create(call_id="1.1", number=kept, dialled=kept.number,
                         caller=matti.phone, arrived_at=LOCKED_UNTIL, person=matti,
                         person_name=matti.name, outcome="listened")
    change_everything(directory)
    added = ListeningNumber.get(ListeningNumber.name == "Toinen kuuntelu")
    ListeningCall.create(call_id="1.2", number=added, dialled=added.number,
                         caller="+358401234567", arrived_at=LOCKED_UNTIL, outcome="refused")
    restore(data)
    calls = {call.call_id: call for call in ListeningCall.select()}
    assert (calls["1.1"].number_id, calls["1.1"].person_id) == (kept.id, matti.id)
    assert calls["1.2"].number_id is None  # the backup has no such listening number
    assert database_proxy.execute_sql("PRAGMA foreign_key_check").fetchall() == []


Edit = Callable[[dict[str, Any]], object]


def _set(table: str, index: int, column: str, value: object) -> Edit:
    return lambda doc: doc["tables"][table][index].__setitem__(column, value)


@pytest.mark.parametrize(("edit", "field", "message"), [
    (_set("person", 0, "pin_hash", "4711"), "person[1].pin_hash",
     "person id 1: pin_hash: not an argon2id PIN hash"),
    (_set("person", 0, "pin_hash", PIN_HASH.replace("argon2id", "argon2i")),
     "person[1].pin_hash", "person id 1: pin_hash: not an argon2id PIN hash"),
    (_set("person", 0, "pin_hash", PIN_HASH.replace("m=65536", "m=4194304")),
     "person[1].pin_hash", "person id 1: pin_hash: asks for more work than a PIN's check"),
    (_set("person", 0, "pin_hash", 4711), "person[1].pin_hash",
     "person id 1: pin_hash: must be text, got a hidden value"),
    (_set("person", 0, "personal_number", "12345"), "person[1].personal_number",
     "person id 1: personal_number: 6 digits, not starting with 0, got '12345'"),
    (_set("person", 0, "personal_number", "012345"), "person[1].personal_number",
     "person id 1: personal_number: 6 digits"),
    (_set("person", 0, "personal_number", "١٢٣٤٥٦"), "person[1].personal_number",
     "person id 1: personal_number: 6 digits"),
    (_set("person", 0, "personal_number", "123456' OR '1"), "person[1].personal_number",
     "person id 1: personal_number: 6 digits"),
    (_set("person", 0, "personal_number", 123456), "person[1].personal_number",
     "person id 1: personal_number: must be text, got 123456"),
    (lambda doc: [person.__setitem__("personal_number", "123456")
                  for person in doc["tables"]["person"]], "person[2].personal_number",
     "person id 2: personal_number: '123456' is already in person id 1; it must be unique"),
    (_set("listening_number", 0, "number", "112"), "listening_number[1].number",
     "listening_number id 1: number: '112' is an emergency number"),
    (_set("listening_number", 0, "number", "+358205550199,1,Hangup()"),
     "listening_number[1].number", "listening_number id 1: number: "),
    (_set("listening_number", 0, "name", "Kuuntelu\n[globals]"), "listening_number[1].name",
     "listening_number id 1: name: 'Kuuntelu\\n[globals]' contains control characters"),
    (_set("listening_number", 0, "number", "+358201234567"), "listening_number[1].number",
     "listening_number id 1: number: +358201234567 is already the on-call number "
     "+358201234567 (Huolto); a number is one or the other"),
    (_set("person", 0, "phone", "+358205550199"), "person[1].phone",
     "person id 1: phone: +358205550199 is already the listening number +358205550199"),
    (lambda doc: doc["tables"]["listening_number"].append(
        dict(doc["tables"]["listening_number"][0], id=2)), "listening_number[2].number",
     "listening_number id 2: number: '+358205550199' is already in listening_number id 1"),
])
def test_hostile_listening_values_are_refused_naming_them(directory: Directory, edit: Edit,
                                                          field: str, message: str) -> None:
    configure(directory)
    backup = document(create_backup())
    before = configuration()
    edit(backup)
    with pytest.raises(BackupError) as caught:
        restore(encode(backup))
    assert caught.value.field == field
    assert str(caught.value).startswith(message)
    assert configuration() == before
    assert ADMIN_HASH not in str(caught.value) and "cGlu" not in str(caught.value)
