"""Who to ring for an incoming call: the decision behind the "incoming-call" AGI.

Reads the database (three indexed queries, no writes) and knows nothing of AGI, so it can be
tested and timed on its own.  The handler turns the ``Decision`` into channel variables.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

import phonenumbers

from paivystys.appliance.asterisk.variables import (
    DECISION_NOBODY,
    DECISION_RING,
    DECISION_UNKNOWN,
)
from paivystys.appliance.db.models import database_proxy
from paivystys.appliance.db.settings import SPECS
from paivystys.appliance.phones import normalise_caller

log = logging.getLogger(__name__)

DIALLED_REGION = "FI"
# A call id becomes a file name; Asterisk's UNIQUEID is "<epoch>.<sequence>".
SAFE_CALL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
NUMBER_ID_FORM = re.compile(r"[0-9]{1,18}")  # fits SQLite's 64-bit integer


@dataclass(frozen=True)
class IncomingCall:
    """What the dialplan tells us about the call (all strings, possibly empty)."""

    number_id: str
    dialled: str
    call_id: str
    caller: str


@dataclass(frozen=True)
class Leg:
    person_id: int
    group_id: int  # the first of the person's groups (by position) that rings for this number


@dataclass(frozen=True)
class Decision:
    decision: str  # one of DECISION_VALUES
    main_legs: tuple[Leg, ...]
    backup_legs: tuple[Leg, ...]
    ring_time: str
    confirm_timeout: str
    language: str
    recording_file: str  # "" = do not record

    @property
    def main_list(self) -> str:
        return leg_list(self.main_legs)

    @property
    def backup_list(self) -> str:
        return leg_list(self.backup_legs)


# (person id, name, phone, membership's group id, the group's position for this number or None)
PersonRow = tuple[int, str, str, int, int | None]


@dataclass(frozen=True)
class NumberRow:
    id: int
    backup_group_id: int | None
    recording: bool


# The hot path is plain SQL on the peewee models' tables: on the development machine peewee took
# 0.5 ms to build and run a one-row select (plain SQL: 0.01 ms) and 0.9 ms just to build the
# people query, so five peewee queries spent most of the 5 ms budget (a Pi is slower still).
# The tests run these statements against the real schema.
NUMBER_COLUMNS = "SELECT id, backup_group_id, recording FROM on_call_number"
SETTINGS_SQL = "SELECT key, value FROM setting WHERE key IN (?, ?, ?)"
CALL_SETTINGS = ("ring_time", "confirm_timeout", "prompt_language")
# On-duty members of the number's groups (those rows carry the group's position) and of its
# backup group (position NULL unless the backup group is also one of the number's groups);
# number groups in position order, so a person's first row names their first group.
PEOPLE_SQL = """
SELECT p.id, p.name, p.phone, m.group_id, ng.position
FROM membership AS m
JOIN person AS p ON p.id = m.person_id
LEFT JOIN number_group AS ng ON ng.group_id = m.group_id AND ng.number_id = :number
WHERE p.on_duty
  AND (m.group_id IN (SELECT group_id FROM number_group WHERE number_id = :number)
       OR m.group_id = :backup)
ORDER BY ng.position, ng.id, p.id
"""


def decide(call: IncomingCall, recordings_dir: PurePosixPath, now: dt.datetime) -> Decision:
    number = find_number(call)
    ring_time, confirm_timeout, language = call_settings()
    if number is None:
        log.warning("call %s: %r (number id %r) is not an on-call number",
                    call.call_id, call.dialled, call.number_id)
        return Decision(DECISION_UNKNOWN, (), (), ring_time, confirm_timeout, language, "")
    people = without_callers_own_phone(call, on_duty_people(number))
    main, backup = assemble_legs(call.call_id, people, number.backup_group_id)
    recording = recording_path(recordings_dir, call.call_id, now) if number.recording else ""
    return Decision(DECISION_RING if main or backup else DECISION_NOBODY, main, backup,
                    ring_time, confirm_timeout, language, recording)


def find_number(call: IncomingCall) -> NumberRow | None:
    """By the id the number's extension set; failing that, by the dialled number (the id is
    empty when the dialplan does not know the number, stale when it was deleted since)."""
    if NUMBER_ID_FORM.fullmatch(call.number_id):
        row = database_proxy.execute_sql(f"{NUMBER_COLUMNS} WHERE id = ?",
                                         (int(call.number_id),)).fetchone()
        if row is not None:
            return NumberRow(row[0], row[1], bool(row[2]))
    elif call.number_id:
        log.warning("call %s: number id %r is not an id", call.call_id, call.number_id)
    candidates = dialled_forms(call.dialled)
    if not candidates:
        return None
    placeholders = ", ".join("?" * len(candidates))
    row = database_proxy.execute_sql(
        f"{NUMBER_COLUMNS} WHERE number IN ({placeholders}) LIMIT 1", candidates).fetchone()
    return NumberRow(row[0], row[1], bool(row[2])) if row is not None else None


def dialled_forms(dialled: str) -> list[str]:
    """The E.164 forms the dialled digits may stand for: national ("040..."), international
    ("+358..." or "00358...") and the trunk's bare-digit form ("358...", E.164 without the +)."""
    forms = [dialled]
    if dialled.isdigit() and not dialled.startswith("0"):
        forms.append("+" + dialled)
    e164 = []
    for form in forms:
        try:
            parsed = phonenumbers.parse(form, DIALLED_REGION)
        except phonenumbers.NumberParseException:
            continue
        e164.append(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))
    return e164


def without_callers_own_phone(call: IncomingCall, rows: list[PersonRow]) -> list[PersonRow]:
    """An on-call person calling the line is not rung on the phone they call from."""
    caller = normalise_caller(call.caller)
    if not caller.startswith("+"):
        return rows
    kept = [row for row in rows if row[2] != caller]
    if len(kept) != len(rows):
        log.info("call %s: not ringing %s: the call comes from their own phone", call.call_id,
                 ", ".join(sorted({row[1] for row in rows if row[2] == caller})))
    return kept


def on_duty_people(number: NumberRow) -> list[PersonRow]:
    return database_proxy.execute_sql(
        PEOPLE_SQL, {"number": number.id, "backup": number.backup_group_id}).fetchall()


def assemble_legs(call_id: str, rows: Iterable[PersonRow], backup_group_id: int | None,
                  ) -> tuple[tuple[Leg, ...], tuple[Leg, ...]]:
    """Every person once: in the main stage with their first group, else in the backup stage.
    A person whose stored phone cannot be dialled is left out, loudly."""
    main: dict[int, Leg] = {}
    backup: dict[int, Leg] = {}
    skipped: set[int] = set()
    for person_id, name, phone, group_id, position in rows:
        if not is_e164(phone):
            if person_id not in skipped:
                skipped.add(person_id)
                log.warning("call %s: not ringing %s (person %d): stored phone %r is not an "
                            "E.164 number", call_id, name, person_id, phone)
            continue
        if position is not None:
            main.setdefault(person_id, Leg(person_id, group_id))
        if group_id == backup_group_id:
            backup.setdefault(person_id, Leg(person_id, group_id))
    return (tuple(main.values()),
            tuple(leg for person_id, leg in backup.items() if person_id not in main))


@functools.lru_cache(maxsize=4096)
def is_e164(phone: str) -> bool:
    """Canonical E.164 and of a possible length for its country.  Deliberately not
    ``is_valid_number``: libphonenumber's ranges lag the operators', and an on-call person must
    not silently drop out because their new number range is not in our copy yet.  Cached: the
    same few phones are checked on every call and parsing costs tens of microseconds."""
    try:
        parsed = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return False
    return (phonenumbers.is_possible_number(parsed)
            and phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == phone)


def call_settings() -> tuple[str, ...]:
    """ring_time, confirm_timeout, prompt_language in one query.  As settings.get_setting: the
    stored value, else the default; and a stored value that is not valid (written by hand or by
    an older version) also gives the default: a bad setting must not stop calls."""
    stored = dict(database_proxy.execute_sql(SETTINGS_SQL, CALL_SETTINGS).fetchall())
    values = []
    for key in CALL_SETTINGS:
        spec = SPECS[key]
        try:
            values.append(spec.validate(key, stored.get(key, spec.default)))
        except ValueError as error:
            log.warning("setting %s: %s; using the default %r", key, error, spec.default)
            values.append(spec.default)
    return tuple(values)


def recording_path(recordings_dir: PurePosixPath, call_id: str, now: dt.datetime) -> str:
    """<recordings dir>/<YYYY>/<MM>/<call id>.wav (month in UTC, like every stored time).
    MixMonitor creates the missing directories itself."""
    if not SAFE_CALL_ID.fullmatch(call_id):
        log.warning("call %r: call id unusable as a file name; not recording", call_id)
        return ""
    utc = now.astimezone(dt.UTC)
    return str(recordings_dir / f"{utc:%Y}" / f"{utc:%m}" / f"{call_id}.wav")


def leg_list(legs: Iterable[Leg]) -> str:
    """The dialplan's form of who to ring: "<person id>-<group id>" joined by "&"."""
    return "&".join(f"{leg.person_id}-{leg.group_id}" for leg in legs)
