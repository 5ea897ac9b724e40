"""A person's PIN for the listening line, and who a caller is.

PINs are argon2id hashes (argon2-cffi), as passwords are.  A caller gets
:data:`MAX_WRONG_PINS` tries in a row; the last wrong one locks the person's phone access for
:data:`PIN_LOCK`, during which even the right PIN is refused the same way, until the lock ends
or an admin lifts it.  The count is the person's, not the calling phone's: a guesser calling
from many phones gets no more tries.

Every attempt costs the same argon2 work, whether the person exists, has a PIN or is locked,
so neither what the caller hears nor when tells them which personal numbers exist.  Every
attempt is audited; the PIN never is.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from enum import StrEnum

import argon2

from paivystys.appliance.audit import record
from paivystys.appliance.changes import Changes
from paivystys.appliance.db.models import PERSONAL_NUMBER_DIGITS, Person, database_proxy
from paivystys.appliance.errors import Invalid, NotFound

PIN_LENGTHS = range(4, 9)
MAX_WRONG_PINS = 3  # in a row; the last of them locks the person's phone access ...
PIN_LOCK = dt.timedelta(minutes=15)  # ... for this long
AUDIT_ACTOR = "listening-line"  # the actor of the audit rows of PIN attempts
AUDIT_ACTION = "listening.pin"
MAX_AUDITED_KEYS = 32  # of a keyed personal number, in the audit row: it is the caller's input

_PIN = re.compile(f"[0-9]{{{PIN_LENGTHS.start},{PIN_LENGTHS.stop - 1}}}")
_PERSONAL_NUMBER = re.compile(f"[0-9]{{{PERSONAL_NUMBER_DIGITS}}}")
# A guesser's first tries: one digit repeated, and runs up or down (wrapping from 9 to 0).
_UP = "01234567890123456789"
_DOWN = _UP[::-1]

_hasher = argon2.PasswordHasher()
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


class PinVerdict(StrEnum):
    ACCEPTED = "accepted"  # the right PIN, no lock running
    WRONG = "wrong"  # a wrong PIN, or nobody with that personal number
    LOCKED = "locked"  # the person's phone access is locked (the right PIN too is refused)
    NO_PIN = "no-pin"  # the person has set no PIN: no phone access


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def check_new_pin(pin: object, field: str = "pin") -> str:
    """A PIN a person may set: 4-8 digits (0-9 only), not one a guesser tries first.  The
    messages never repeat the PIN: they may end up in a log."""
    if not isinstance(pin, str):
        raise Invalid(field, f"{field}: must be text of digits, got {type(pin).__name__}")
    if pin and not (pin.isascii() and pin.isdigit()):
        raise Invalid(field, f"{field}: digits 0-9 only (keyed on a phone)")
    if len(pin) not in PIN_LENGTHS:
        raise Invalid(field, f"{field}: {PIN_LENGTHS.start}-{PIN_LENGTHS.stop - 1} digits, "
                             f"got {len(pin)}")
    if len(set(pin)) == 1 or pin in _UP or pin in _DOWN:
        raise Invalid(field, f"{field}: one digit repeated, or digits in a run up or down, is "
                             "what a guesser tries first; choose another")
    return pin


def _pin_change(person: Person, actor: str, action: str, **values: object) -> None:
    """Write ``values`` into the person's row, audited as ``actor``'s ``action``.  Asterisk
    reads no PIN: nothing is applied."""
    with Changes(actor).change(action, person.name, {"person_id": person.id},
                               reaches_asterisk=False):
        if not Person.update(**values).where(Person.id == person.id).execute():
            raise NotFound("person", f"person: no person with id {person.id}")
    for name, value in values.items():
        setattr(person, name, value)


def set_pin(person: Person, pin: str, actor: str) -> None:
    """Set the person's PIN (checked by :func:`check_new_pin`); their wrong PINs in a row and
    any lock end.  The PIN is hashed before the transaction (about 0.1 s of work)."""
    pin_hash = _hasher.hash(check_new_pin(pin))
    _pin_change(person, actor, "person.pin.set", pin_hash=pin_hash, pin_failures=0,
                pin_locked_until=None)


def lift_pin_lock(person: Person, actor: str) -> None:
    """End the person's phone lock, and forget their wrong PINs in a row."""
    _pin_change(person, actor, "person.pin.unlock", pin_failures=0, pin_locked_until=None)


def _pin_matches(pin_hash: str | None, pin: object) -> bool:
    """Whether ``pin`` is the PIN of ``pin_hash``, after the same argon2 work whatever the
    hash and the input are (no hash, or input that is no PIN: the dummy hash's work)."""
    well_formed = isinstance(pin, str) and _PIN.fullmatch(pin) is not None
    candidate = pin if well_formed else ""
    try:
        _hasher.verify(pin_hash or _DUMMY_HASH, candidate)
    except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
        return False
    return well_formed and pin_hash is not None


def verify_pin(person: Person | None, pin: str, caller: str, now: dt.datetime, *,
               personal_number: str | None = None) -> PinVerdict:
    """A caller's PIN attempt for ``person`` (None: nobody has the personal number keyed,
    which ``personal_number`` names in the audit row).  See the module's description."""
    current = Person.get_or_none(Person.id == person.id) if person is not None else None
    matches = _pin_matches(current.pin_hash if current is not None else None, pin)
    details: dict[str, object] = {"caller": caller}
    if current is None:
        verdict = PinVerdict.WRONG
        target = None if personal_number is None else str(personal_number)[:MAX_AUDITED_KEYS]
    else:
        target = str(current.id)
        locked_until = _aware(current.pin_locked_until)
        if locked_until is not None and locked_until > _aware(now):
            verdict = PinVerdict.LOCKED
        elif current.pin_hash is None:
            verdict = PinVerdict.NO_PIN
        elif matches:
            verdict = PinVerdict.ACCEPTED
            _accepted(current, str(pin))
        else:
            verdict, until = _wrong(current, _aware(now))
            if until is not None:
                details["locked_until"] = until.isoformat(timespec="seconds")
    record(AUDIT_ACTOR, AUDIT_ACTION, target, {"verdict": verdict.value, **details})
    return verdict


def _accepted(person: Person, pin: str) -> None:
    values: dict[str, object] = {"pin_failures": 0, "pin_locked_until": None}
    if _hasher.check_needs_rehash(person.pin_hash):
        values["pin_hash"] = _hasher.hash(pin)
    Person.update(**values).where(Person.id == person.id).execute()


def _wrong(person: Person, now: dt.datetime) -> tuple[PinVerdict, dt.datetime | None]:
    """Count a wrong PIN; the :data:`MAX_WRONG_PINS`-th in a row locks (and the count starts
    again for after the lock).  One statement a step, so two calls at once both count."""
    with database_proxy.atomic():
        Person.update(pin_failures=Person.pin_failures + 1).where(
            Person.id == person.id).execute()
        failures = Person.get_by_id(person.id).pin_failures
        if failures < MAX_WRONG_PINS:
            return PinVerdict.WRONG, None
        until = now + PIN_LOCK
        Person.update(pin_failures=0, pin_locked_until=until).where(
            Person.id == person.id).execute()
        return PinVerdict.LOCKED, until


def person_by_phone(e164: str) -> Person | None:
    """The person whose phone is ``e164`` (a caller's number as the appliance keeps it)."""
    if not isinstance(e164, str) or not e164.startswith("+"):
        return None
    return Person.get_or_none(Person.phone == e164)


def person_by_personal_number(digits: str) -> Person | None:
    """The person whose personal number was keyed, if any."""
    if not isinstance(digits, str) or _PERSONAL_NUMBER.fullmatch(digits) is None:
        return None
    return Person.get_or_none(Person.personal_number == digits)

