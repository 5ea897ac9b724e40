"""Who is rung for an incoming call, and the words a call's life is told in.

Pure: no database, no AGI, no Asterisk.  ``appliance.ringing.lookup`` feeds it the database's
rows for the AGI's decision and for the dialplan's failsafe legs alike, so that both ring by
the same rule.  The enums' values are what the dialplan sends, the call log stores and the API
shows; ``StrEnum`` keeps them plain strings everywhere.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePosixPath

import phonenumbers

from paivystys.appliance.phones import DEFAULT_REGION, normalise_caller

log = logging.getLogger(__name__)


class Verdict(StrEnum):
    """What the decision for a call says (the dialplan's PV_DECISION)."""

    RING = "ring"  # somebody to ring (main and/or backup)
    NOBODY = "nobody"  # number known, but nobody on duty anywhere
    UNKNOWN = "unknown"  # the dialled number is not an on-call number


class Routing(StrEnum):
    """Who decided: the FastAGI handler, or the dialplan's failsafe legs (the AGI failed)."""

    AGI = "agi"
    FAILSAFE = "failsafe"


class Stage(StrEnum):
    MAIN = "main"  # the number's groups
    BACKUP = "backup"  # the number's backup group, when nobody of the main stage took the call


class LegResult(StrEnum):
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    DECLINED = "declined"
    VOICEMAIL_SUSPECTED = "voicemail_suspected"
    CONFIRMED = "confirmed"
    TOO_LATE = "too_late"  # pressed 1 after somebody else had taken the call
    # answered, had not pressed anything when the call was taken by another, passed on or ended
    NOT_CONFIRMED = "not_confirmed"
    FAILED = "failed"  # the leg could not be placed at all (trunk down, bad number)


class CallOutcome(StrEnum):
    ANSWERED = "answered"
    ANSWERED_BY_BACKUP = "answered_by_backup"
    MISSED = "missed"
    ABANDONED = "abandoned"
    UNKNOWN_NUMBER = "unknown_number"


# A call id becomes a file name; Asterisk's UNIQUEID is "<epoch>.<sequence>".
SAFE_CALL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

# The call key names a call's lock and its journal entry in AstDB: the call id's digits.  The
# dialplan derives it with FILTER(<these characters>,...), Python with call_key().
CALL_KEY_CHARACTERS = "0-9"

# <recordings dir>/<YYYY>/<MM>/<call id>.wav, the month in UTC like every stored time; the
# failsafe dialplan fills in the same template with STRFTIME.  MixMonitor creates the missing
# directories itself.
RECORDING_FILE = "{directory}/{month}/{call_id}.wav"
RECORDING_MONTH = "%Y/%m"  # strftime's and Asterisk's STRFTIME's format alike


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
    decision: Verdict
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


# An on-duty person as the rule sees them: (person id, name, phone, membership's group id,
# the group's position for this number or None when only the backup group holds them)
PersonRow = tuple[int, str, str, int, int | None]


def verdict(main: tuple[Leg, ...], backup: tuple[Leg, ...]) -> Verdict:
    """For a known number: ring if there is anybody to ring."""
    return Verdict.RING if main or backup else Verdict.NOBODY


def dialled_forms(dialled: str) -> list[str]:
    """The E.164 forms the dialled digits may stand for: national ("040..."), international
    ("+358..." or "00358...") and the trunk's bare-digit form ("358...", E.164 without the +)."""
    forms = [dialled]
    if dialled.isdigit() and not dialled.startswith("0"):
        forms.append("+" + dialled)
    e164 = []
    for form in forms:
        try:
            parsed = phonenumbers.parse(form, DEFAULT_REGION)
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


def recording_path(recordings_dir: PurePosixPath, call_id: str, now: dt.datetime) -> str:
    """Where the call is recorded (see RECORDING_FILE); "" when the call id cannot be a file
    name."""
    if not SAFE_CALL_ID.fullmatch(call_id):
        log.warning("call %r: call id unusable as a file name; not recording", call_id)
        return ""
    month = now.astimezone(dt.UTC).strftime(RECORDING_MONTH)
    return RECORDING_FILE.format(directory=recordings_dir, month=month, call_id=call_id)


def call_key(call_id: str) -> str:
    """The call's key (see CALL_KEY_CHARACTERS): the dialplan's PV_CALL_KEY."""
    return re.sub(f"[^{CALL_KEY_CHARACTERS}]", "", call_id)


def leg_list(legs: Iterable[Leg]) -> str:
    """The dialplan's form of who to ring: "<person id>-<group id>" joined by "&"."""
    return "&".join(f"{leg.person_id}-{leg.group_id}" for leg in legs)
