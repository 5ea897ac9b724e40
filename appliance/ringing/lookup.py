"""The decision for an incoming call: the ringing rule applied to the database as it is now.

Three indexed queries, no writes.  Knows nothing of AGI, so it can be tested and timed on its
own; the "incoming-call" handler turns the ``Decision`` into channel variables, and the
configuration generator asks ``on_duty_people`` for the dialplan's failsafe legs.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from paivystys.appliance.db.models import database_proxy
from paivystys.appliance.db.settings import SPECS
from paivystys.appliance.ringing.rule import (
    Decision,
    IncomingCall,
    PersonRow,
    Verdict,
    assemble_legs,
    dialled_forms,
    recording_path,
    verdict,
    without_callers_own_phone,
)

log = logging.getLogger(__name__)

NUMBER_ID_FORM = re.compile(r"[0-9]{1,18}")  # fits SQLite's 64-bit integer


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
        return Decision(Verdict.UNKNOWN, (), (), ring_time, confirm_timeout, language, "")
    people = without_callers_own_phone(call, on_duty_people(number))
    main, backup = assemble_legs(call.call_id, people, number.backup_group_id)
    recording = recording_path(recordings_dir, call.call_id, now) if number.recording else ""
    return Decision(verdict(main, backup), main, backup, ring_time, confirm_timeout, language,
                    recording)


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


def on_duty_people(number: NumberRow) -> list[PersonRow]:
    return database_proxy.execute_sql(
        PEOPLE_SQL, {"number": number.id, "backup": number.backup_group_id}).fetchall()


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
