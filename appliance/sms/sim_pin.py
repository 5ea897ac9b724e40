"""The SIM's PIN, kept on the box for the modem service, and what the SIM waits for.

An admin stores the PIN from the console, the API or the CLI; it is a row of the settings
table (the database is readable by the services' group only) and is never shown back:
readers learn only whether one is stored.  It is the box's own, like its record of the last
backup: a configuration backup neither holds nor replaces it.

A SIM gives its PIN three tries, then only its PUK opens it.  So the modem service enters a
PIN at most once: a PIN the SIM refused is recorded beside the stored one and is not entered
again until someone stores a different one.  Storing the refused PIN again is refused;
clearing the PIN forgets the refusal too, for a SIM that has been unlocked elsewhere since
and kept the same PIN.

A PIN from the modem service's ``--pin-file`` (lab, tests) is used only while none is
stored: one stored from the console is the newer word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from paivystys.appliance.changes import Changes
from paivystys.appliance.db.models import HealthReport, Setting, utcnow
from paivystys.appliance.errors import Invalid

PIN_KEY = "sim.pin"
REFUSED_KEY = "sim.pin_refused"
KEYS = (PIN_KEY, REFUSED_KEY)  # the box's own: not configuration, not in backups
# ASCII digits only: \d (and str.isdigit) would take '١٢٣٤', which no modem can enter.
PIN_PATTERN = re.compile(r"[0-9]{4,8}")
PIN_RULE = "the SIM's PIN is 4 to 8 digits (0-9), nothing else"

# The modem service's report of the SIM, beside the modem's health row: its ``state`` is one
# of SIM_STATES, its ``detail`` the tries left as the modem told them (digits; absent: it
# did not say).  No report: not known (no modem answered).
SIM_REPORT_KEY = "sim"

SOURCE_STORED = "stored on the box"
SOURCE_FILE = "from --pin-file"

# What the SIM waits for, as the modem service reports it in the modem's health row.
SIM_READY = "ready"
SIM_PIN_NEEDED = "pin_needed"  # it asks for its PIN and none is stored
SIM_PIN_REFUSED = "pin_refused"  # it refused the PIN, which is not entered again
SIM_PUK_NEEDED = "puk_needed"  # three wrong PINs: only its PUK opens it
SIM_MISSING = "no_sim"
SIM_BLOCKED = "blocked"  # ten wrong PUKs, or a broken SIM
SIM_OTHER_LOCK = "locked"  # the modem wants another code (a SIM lock to one operator...)
SIM_STATES = (SIM_READY, SIM_PIN_NEEDED, SIM_PIN_REFUSED, SIM_PUK_NEEDED, SIM_MISSING,
              SIM_BLOCKED, SIM_OTHER_LOCK)


@dataclass(frozen=True)
class PinStatus:
    """What anyone may be told: whether a PIN is stored, and whether the SIM refused it."""

    has_pin: bool
    refused: bool


@dataclass(frozen=True)
class SimReport:
    state: str  # one of SIM_STATES
    attempts_left: int | None  # as the modem told them; None: it did not


@dataclass(frozen=True)
class PinChoice:
    """What the modem service enters when the SIM asks for its PIN."""

    pin: str | None  # None: nothing (none known, or the one known was refused)
    source: str | None  # SOURCE_STORED, SOURCE_FILE; None: no PIN known
    refused: bool  # the PIN known was refused by the SIM: it waits for another


def check_pin(pin: object) -> str:
    """``pin`` if it is a PIN a SIM takes; Invalid naming the field ``pin`` otherwise.  The
    message never repeats the value: it ends up on terminals and in logs."""
    if not isinstance(pin, str) or PIN_PATTERN.fullmatch(pin) is None:
        raise Invalid("pin", f"pin: {PIN_RULE}")
    return pin


def _value(key: str) -> str | None:
    row = Setting.get_or_none(Setting.key == key)
    return row.value if row is not None else None


def pin_status() -> PinStatus:
    stored = _value(PIN_KEY)
    return PinStatus(has_pin=stored is not None,
                     refused=stored is not None and stored == _value(REFUSED_KEY))


def set_pin(pin: object, changes: Changes) -> PinStatus:
    """Store the SIM's PIN (audited as ``sim_pin.set``, without the PIN); the modem service
    enters it the next time the SIM asks, at once if the SIM is waiting for it now."""
    clean = check_pin(pin)
    with changes.change("sim_pin.set", reaches_asterisk=False):
        if clean == _value(REFUSED_KEY):
            raise Invalid("pin", "pin: the SIM has refused this PIN, and entering it again "
                                 "would use up another of its three tries; check the PIN on "
                                 "the SIM's papers (if the SIM has been unlocked elsewhere "
                                 "since and keeps this PIN, clear the stored PIN first)")
        Setting.insert(key=PIN_KEY, value=clean).on_conflict_replace().execute()
    return pin_status()


def clear_pin(changes: Changes) -> PinStatus:
    """Forget the stored PIN and any refusal (audited as ``sim_pin.clear``)."""
    with changes.change("sim_pin.clear", reaches_asterisk=False) as change:
        change.details = {"was_stored": _value(PIN_KEY) is not None}
        Setting.delete().where(Setting.key.in_(KEYS)).execute()
    return pin_status()


def pin_to_enter(file_pin: str | None) -> PinChoice:
    """The PIN to enter when the SIM asks: the stored one, else ``file_pin``; none when that
    one is the PIN the SIM refused."""
    stored = _value(PIN_KEY)
    pin, source = (stored, SOURCE_STORED) if stored is not None else (
        file_pin, SOURCE_FILE if file_pin is not None else None)
    if pin is not None and pin == _value(REFUSED_KEY):
        return PinChoice(None, source, refused=True)
    return PinChoice(pin, source, refused=False)


def record_refused(pin: str) -> None:
    """The SIM refused ``pin``: it is not entered again until another PIN is stored."""
    Setting.insert(key=REFUSED_KEY, value=check_pin(pin)).on_conflict_replace().execute()


def report_sim(report: SimReport | None) -> None:
    """The modem service's word on the SIM (None: not known, as when no modem answers)."""
    if report is None:
        HealthReport.delete().where(HealthReport.key == SIM_REPORT_KEY).execute()
        return
    values = {"ok": report.state == SIM_READY, "state": report.state,
              "detail": None if report.attempts_left is None else str(report.attempts_left),
              "updated_at": utcnow()}
    HealthReport.insert(key=SIM_REPORT_KEY, **values).on_conflict(
        conflict_target=[HealthReport.key], update=values).execute()


def sim_report() -> SimReport | None:
    row = HealthReport.get_or_none(HealthReport.key == SIM_REPORT_KEY)
    if row is None or row.state not in SIM_STATES:
        return None
    attempts = int(row.detail) if row.detail is not None and row.detail.isdecimal() else None
    return SimReport(row.state, attempts)


def _tries(attempts_left: int | None) -> str:
    if attempts_left is None:
        return ""
    return " (1 try left)" if attempts_left == 1 else f" ({attempts_left} tries left)"


def describe_sim(state: str, attempts_left: int | None = None,
                 pin_source: str | None = None) -> str:
    """What the SIM waits for and what a person does about it, in one sentence
    (``pin_source``: where the refused PIN came from, SOURCE_STORED or SOURCE_FILE)."""
    refused = "the PIN" if pin_source is None else f"the PIN {pin_source}"
    return {
        SIM_READY: "the SIM is open",
        SIM_PIN_NEEDED: "the SIM wants its PIN and none is stored"
                        f"{_tries(attempts_left)}: store it in the console (Manage, Modem) or "
                        "with 'paivystys modem pin set'",
        SIM_PIN_REFUSED: f"the SIM refused {refused}{_tries(attempts_left)}; it is not "
                         "entered again: store the right one",
        SIM_PUK_NEEDED: "the SIM is locked after three wrong PINs and needs its PUK"
                        f"{_tries(attempts_left)}: unlock it in a phone with the PUK from the "
                        "SIM's papers, put it back and store its PIN",
        SIM_MISSING: "there is no SIM card in the modem (or it does not make contact)",
        SIM_BLOCKED: "the SIM is blocked for good (ten wrong PUKs) or broken: ask the operator "
                     "for a new one",
        SIM_OTHER_LOCK: "the modem wants another code than the SIM's PIN (it may be locked to "
                        "another operator): the modem service's log names it",
    }[state]
