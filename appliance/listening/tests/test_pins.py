"""PINs of the listening line: what may be set, three wrong in a row lock, the lock refuses
even the right PIN, every attempt costs the same argon2 work and is audited without the PIN."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import argon2
import pytest

from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import AuditEntry, Person
from paivystys.appliance.errors import Invalid, NotFound
from paivystys.appliance.listening import pins
from paivystys.appliance.listening.pins import (
    MAX_WRONG_PINS,
    PIN_LOCK,
    PinVerdict,
    check_new_pin,
    lift_pin_lock,
    person_by_personal_number,
    person_by_phone,
    set_pin,
    verify_pin,
)

PIN = "4711"
CALLER = "+358401111111"
START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
BOX_HASHER, BOX_DUMMY_HASH = pins._hasher, pins._DUMMY_HASH  # before the tests replace them


class CountingHasher(argon2.PasswordHasher):
    """argon2-cffi's profile for tests, counting the verifications it does."""

    def __init__(self) -> None:
        cheapest = argon2.profiles.CHEAPEST
        super().__init__(time_cost=cheapest.time_cost, memory_cost=cheapest.memory_cost,
                         parallelism=cheapest.parallelism, hash_len=cheapest.hash_len,
                         salt_len=cheapest.salt_len, type=cheapest.type)
        self.verified: list[str] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verified.append(str(hash))
        return super().verify(hash, password)


@pytest.fixture(autouse=True)
def hasher(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    """The rules are under test here, not argon2's cost (the box's parameters take about
    0.1 s a PIN); the same verify and the same dummy hash path run."""
    counting = CountingHasher()
    monkeypatch.setattr(pins, "_hasher", counting)
    monkeypatch.setattr(pins, "_DUMMY_HASH", counting.hash("a PIN nobody has"))
    return counting


@pytest.fixture
def person(tmp_path: Path) -> Iterator[Person]:
    db = open_database(tmp_path / "paivystys.db")
    yield Person.create(name="Maija Virtanen", phone="+358401234567")
    db.close()


def reread(person: Person) -> Person:
    return Person.get_by_id(person.id)


def pin_audits() -> list[dict[str, object]]:
    return [{"actor": row.actor, "target": row.target, **json.loads(row.details)}
            for row in AuditEntry.select().where(AuditEntry.action == "listening.pin")
            .order_by(AuditEntry.id)]


# --- what PIN may be set -------------------------------------------------------------------

@pytest.mark.parametrize("pin", ["4711", "80615", "271828", "3141592", "90210478"])
def test_four_to_eight_digits_are_a_pin(pin: str) -> None:
    assert check_new_pin(pin) == pin


@pytest.mark.parametrize(("pin", "problem"), [
    ("", "4-8 digits, got 0"),
    ("471", "4-8 digits, got 3"),
    ("123456789", "4-8 digits, got 9"),
    ("9" * 10_000, "4-8 digits, got 10000"),
    ("47 11", "digits 0-9 only"),
    (" 4711", "digits 0-9 only"),
    ("4711\n", "digits 0-9 only"),
    ("47a1", "digits 0-9 only"),
    ("-4711", "digits 0-9 only"),
    ("+4711", "digits 0-9 only"),
    ("4711#", "digits 0-9 only"),
    ("47*1", "digits 0-9 only"),
    ("٤٧١١", "digits 0-9 only"),  # Arabic-Indic digits: str.isdigit() says yes
    ("４７１１", "digits 0-9 only"),  # full-width digits
    ("4711\x00", "digits 0-9 only"),
    ("'; DROP TABLE person; --", "digits 0-9 only"),
    ("${PIN}", "digits 0-9 only"),
    ("0000", "one digit repeated"),
    ("99999999", "one digit repeated"),
    ("1234", "in a run up or down"),
    ("4321", "in a run up or down"),
    ("7890", "in a run up or down"),
    ("0987", "in a run up or down"),
    ("12345678", "in a run up or down"),
])
def test_a_pin_that_is_not_digits_or_is_guessed_first_is_refused(pin: str, problem: str) -> None:
    with pytest.raises(Invalid) as caught:
        check_new_pin(pin, field="new_pin")
    assert caught.value.field == "new_pin"
    assert caught.value.message.startswith("new_pin: ")
    assert problem in caught.value.message
    if len(pin) >= 4:
        assert pin not in caught.value.message  # a refused PIN is not repeated


@pytest.mark.parametrize("pin", [4711, 4711.0, None, True, ["4711"], {"pin": "4711"}, b"4711"])
def test_a_pin_that_is_not_text_is_refused(pin: object) -> None:
    with pytest.raises(Invalid, match="pin: must be text of digits") as caught:
        check_new_pin(pin)
    assert caught.value.field == "pin"


# --- setting and lifting ---------------------------------------------------------------------

def test_setting_a_pin_stores_an_argon2id_hash_ends_the_lock_and_audits_without_the_pin(
        person: Person) -> None:
    Person.update(pin_failures=2, pin_locked_until=START).where(Person.id == person.id).execute()
    set_pin(person, PIN, "admin")
    stored = reread(person)
    assert stored.pin_hash.startswith("$argon2id$") and PIN not in stored.pin_hash
    assert argon2.PasswordHasher().verify(stored.pin_hash, PIN)
    assert (stored.pin_failures, stored.pin_locked_until) == (0, None)
    assert person.pin_hash == stored.pin_hash  # the caller's object follows
    audit = AuditEntry.get(AuditEntry.action == "person.pin.set")
    assert (audit.actor, audit.target) == ("admin", "Maija Virtanen")
    assert json.loads(audit.details) == {"person_id": person.id}
    assert not [row for row in AuditEntry.select() if PIN in (row.details or "")]


def test_a_refused_pin_changes_and_audits_nothing(person: Person) -> None:
    set_pin(person, PIN, "admin")
    with pytest.raises(Invalid):
        set_pin(person, "12", "admin")
    assert pins._hasher.verify(reread(person).pin_hash, PIN)
    assert AuditEntry.select().where(AuditEntry.action == "person.pin.set").count() == 1


def test_setting_the_pin_of_a_person_removed_meanwhile_is_refused(person: Person) -> None:
    Person.delete_by_id(person.id)
    with pytest.raises(NotFound, match="no person with id"):
        set_pin(person, PIN, "admin")
    assert not AuditEntry.select().where(AuditEntry.action == "person.pin.set").exists()


def test_lifting_the_lock_lets_the_right_pin_in_at_once(person: Person) -> None:
    set_pin(person, PIN, "maija")
    for _ in range(MAX_WRONG_PINS):
        verify_pin(person, "0815", CALLER, START)
    assert verify_pin(person, PIN, CALLER, START) is PinVerdict.LOCKED
    lift_pin_lock(person, "admin")
    assert (reread(person).pin_failures, reread(person).pin_locked_until) == (0, None)
    assert AuditEntry.get(AuditEntry.action == "person.pin.unlock").actor == "admin"
    assert verify_pin(person, PIN, CALLER, START) is PinVerdict.ACCEPTED


# --- attempts --------------------------------------------------------------------------------

def test_the_right_pin_is_accepted_and_ends_the_wrong_ones_in_a_row(person: Person) -> None:
    set_pin(person, PIN, "maija")
    assert verify_pin(person, "0815", CALLER, START) is PinVerdict.WRONG
    assert reread(person).pin_failures == 1
    assert verify_pin(person, PIN, CALLER, START) is PinVerdict.ACCEPTED
    assert reread(person).pin_failures == 0
    # So two more wrong ones do not lock: only wrong ones in a row count.
    for _ in range(MAX_WRONG_PINS - 1):
        assert verify_pin(person, "0815", CALLER, START) is PinVerdict.WRONG
    assert verify_pin(person, PIN, CALLER, START) is PinVerdict.ACCEPTED


def test_the_third_wrong_pin_locks_for_a_quarter_and_then_the_right_one_is_refused_too(
        person: Person) -> None:
    set_pin(person, PIN, "maija")
    verdicts = [verify_pin(person, "0815", CALLER, START) for _ in range(MAX_WRONG_PINS)]
    assert verdicts == [PinVerdict.WRONG] * (MAX_WRONG_PINS - 1) + [PinVerdict.LOCKED]
    assert reread(person).pin_locked_until == START + PIN_LOCK
    just_before = START + PIN_LOCK - dt.timedelta(seconds=1)
    assert verify_pin(person, PIN, CALLER, just_before) is PinVerdict.LOCKED
    assert verify_pin(person, "0815", "+358409999999", just_before) is PinVerdict.LOCKED
    assert reread(person).pin_locked_until == START + PIN_LOCK  # refusals do not lengthen it
    assert verify_pin(person, PIN, CALLER, START + PIN_LOCK) is PinVerdict.ACCEPTED
    assert reread(person).pin_locked_until is None


def test_after_a_lock_ends_three_more_wrong_pins_lock_again(person: Person) -> None:
    set_pin(person, PIN, "maija")
    for _ in range(MAX_WRONG_PINS):
        verify_pin(person, "0815", CALLER, START)
    later = START + PIN_LOCK
    verdicts = [verify_pin(person, "0815", CALLER, later) for _ in range(MAX_WRONG_PINS)]
    assert verdicts[-1] is PinVerdict.LOCKED and PinVerdict.LOCKED not in verdicts[:-1]
    assert reread(person).pin_locked_until == later + PIN_LOCK


def test_wrong_pins_from_different_phones_count_together(person: Person) -> None:
    set_pin(person, PIN, "maija")
    callers = ["+358401111111", "+358402222222", "+358403333333"]
    verdicts = [verify_pin(person, "0815", caller, START) for caller in callers]
    assert verdicts[-1] is PinVerdict.LOCKED


def test_a_stale_person_object_is_judged_on_the_stored_row(person: Person) -> None:
    stale = reread(person)
    set_pin(person, PIN, "maija")
    assert verify_pin(stale, PIN, CALLER, START) is PinVerdict.ACCEPTED
    Person.delete_by_id(person.id)
    assert verify_pin(stale, PIN, CALLER, START) is PinVerdict.WRONG


def test_a_person_without_a_pin_has_no_phone_access(person: Person) -> None:
    assert verify_pin(person, "", CALLER, START) is PinVerdict.NO_PIN
    assert verify_pin(person, PIN, CALLER, START) is PinVerdict.NO_PIN
    assert reread(person).pin_failures == 0


def test_nobody_with_the_personal_number_is_a_wrong_pin(person: Person) -> None:
    assert verify_pin(None, PIN, CALLER, START, personal_number="999999") is PinVerdict.WRONG
    assert pin_audits() == [{"actor": "listening-line", "target": "999999",
                             "verdict": "wrong", "caller": CALLER}]


@pytest.mark.parametrize("keyed", [
    "", "4711#", "4711*", "4711 ", "٤٧١١", "47111", "471111111", "x" * 100_000, "\x00",
    "4711' OR 1=1 --",
])
def test_keyed_input_that_is_no_pin_is_a_wrong_pin_that_counts(person: Person,
                                                                keyed: str) -> None:
    set_pin(person, PIN, "maija")
    assert verify_pin(person, keyed, CALLER, START) is PinVerdict.WRONG
    assert reread(person).pin_failures == 1


def test_a_pin_that_is_not_text_is_a_wrong_pin(person: Person) -> None:
    set_pin(person, PIN, "maija")
    assert verify_pin(person, 4711, CALLER, START) is PinVerdict.WRONG  # type: ignore[arg-type]
    assert verify_pin(person, None, CALLER, START) is PinVerdict.WRONG  # type: ignore[arg-type]


def test_every_attempt_is_audited_with_its_verdict_and_never_the_pin(person: Person) -> None:
    set_pin(person, PIN, "maija")
    verify_pin(person, "0815", CALLER, START)
    verify_pin(person, PIN, CALLER, START)
    verify_pin(None, PIN, "", START, personal_number="123123")
    for _ in range(MAX_WRONG_PINS):
        verify_pin(person, "0816", CALLER, START)
    target = str(person.id)
    until = (START + PIN_LOCK).isoformat(timespec="seconds")
    assert pin_audits() == [
        {"actor": "listening-line", "target": target, "verdict": "wrong", "caller": CALLER},
        {"actor": "listening-line", "target": target, "verdict": "accepted", "caller": CALLER},
        {"actor": "listening-line", "target": "123123", "verdict": "wrong", "caller": ""},
        {"actor": "listening-line", "target": target, "verdict": "wrong", "caller": CALLER},
        {"actor": "listening-line", "target": target, "verdict": "wrong", "caller": CALLER},
        {"actor": "listening-line", "target": target, "verdict": "locked", "caller": CALLER,
         "locked_until": until},
    ]
    assert not [row for row in AuditEntry.select()
                if PIN in (row.details or "") or "0815" in (row.details or "")]


def test_a_long_keyed_personal_number_is_cut_short_in_the_audit(person: Person) -> None:
    verify_pin(None, PIN, CALLER, START, personal_number="7" * 10_000)
    assert pin_audits()[0]["target"] == "7" * pins.MAX_AUDITED_KEYS


# --- timing ----------------------------------------------------------------------------------

def test_every_kind_of_attempt_does_exactly_one_argon2_verification_of_a_like_hash(
        person: Person, hasher: CountingHasher) -> None:
    """Nobody, no PIN, a lock, a wrong PIN, input that is no PIN and the right PIN: one
    verification each, of a hash made with the same parameters, so the time an answer takes
    does not tell them apart."""
    other = Person.create(name="Ville Koskinen", phone="+358407654321")
    set_pin(other, PIN, "ville")
    for _ in range(MAX_WRONG_PINS):
        verify_pin(other, "0815", CALLER, START)
    set_pin(person, PIN, "maija")
    without_pin = Person.create(name="Liisa Laine", phone="+358405555555")
    hasher.verified.clear()
    attempts = [(None, PIN), (without_pin, PIN), (other, PIN), (person, "0815"),
                (person, "x" * 1000), (person, PIN)]
    verdicts = [verify_pin(who, pin, CALLER, START) for who, pin in attempts]
    assert verdicts == [PinVerdict.WRONG, PinVerdict.NO_PIN, PinVerdict.LOCKED,
                        PinVerdict.WRONG, PinVerdict.WRONG, PinVerdict.ACCEPTED]
    assert len(hasher.verified) == len(attempts)
    parameters = [argon2.extract_parameters(value) for value in hasher.verified]
    assert all(each == parameters[0] for each in parameters)  # the dummy's work is a real one's


def test_the_dummy_hash_is_made_with_the_parameters_pins_are_hashed_with() -> None:
    """The module's own, not the test's: the box's dummy verification costs what a real one
    does."""
    assert (argon2.extract_parameters(BOX_DUMMY_HASH)
            == argon2.extract_parameters(BOX_HASHER.hash("4711")))


# --- who is calling --------------------------------------------------------------------------

def test_a_person_is_found_by_their_phone(person: Person) -> None:
    assert person_by_phone("+358401234567").id == person.id
    assert person_by_phone("+358401234568") is None


@pytest.mark.parametrize("phone", [
    "", "0401234567", "358401234567", "+358401234567 ", None, 358401234567, "' OR 1=1 --",
])
def test_a_phone_not_in_the_stored_form_finds_nobody(person: Person, phone: object) -> None:
    assert person_by_phone(phone) is None  # type: ignore[arg-type]


def test_a_person_is_found_by_their_personal_number(person: Person) -> None:
    assert person_by_personal_number(reread(person).personal_number).id == person.id


@pytest.mark.parametrize("keyed", [
    "", "12345", "1234567", "12345#", "*12345", " 123456", "١٢٣٤٥٦", None, 123456,
    "' OR 1=1", "%",
])
def test_keys_that_are_no_personal_number_find_nobody(person: Person, keyed: object) -> None:
    Person.update(personal_number="123456").where(Person.id == person.id).execute()
    assert person_by_personal_number("123456").id == person.id
    assert person_by_personal_number(keyed) is None  # type: ignore[arg-type]
