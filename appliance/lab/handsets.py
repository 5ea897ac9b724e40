"""Scripted handsets: what each person's phone does when the appliance rings it.

A handset's script lives in the carrier's AstDB under ``handset/<E.164>``; the carrier's
dialplan (:mod:`.carrier`) reads it for every leg, so a script set here applies to the next
leg at once, with no reload.  A number without a script rings until the appliance gives up.
"""

from __future__ import annotations

import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass

import phonenumbers

from paivystys.appliance.ami.client import AmiActionError, AmiClient, Headers
from paivystys.appliance.lab.carrier import (
    AMI_TALKING_START,
    BEHAVIOURS,
    BUSY,
    DB_FAMILY,
    DECLINE,
    DEFAULT_BEHAVIOUR,
    EVENT_HANDSET_ANSWERED,
    EVENT_HANDSET_HEARD,
    HANDSET_EVENTS,
    HANG_UP,
    HUMAN,
    SPEC_FIELDS,
    SPEC_SEPARATOR,
    VOICEMAIL,
)

REGION = "FI"
DEFAULT_ANSWER_AFTER = {HUMAN: 1.0, VOICEMAIL: 3.0, HANG_UP: 1.0}
DEFAULT_CONFIRM_AFTER = 1.5
DEFAULT_TALK = 4.0
IDENTITY_DIGITS = 4  # the default identity: the last digits of the handset's number
DB_NOT_FOUND = "database entry not found"  # Asterisk's message for a missing AstDB key
_DTMF = re.compile(r"[0-9*#A-D]{1,16}")

# Which settings each behaviour takes; anything else is a mistake in the test, not a no-op.
_ACCEPTS: dict[str, frozenset[str]] = {
    DEFAULT_BEHAVIOUR: frozenset(),
    BUSY: frozenset(),
    DECLINE: frozenset({"answer_after", "confirm_after"}),
    VOICEMAIL: frozenset({"answer_after", "tone_after"}),
    HUMAN: frozenset({"answer_after", "confirm_after", "talk", "identity"}),
    HANG_UP: frozenset({"answer_after", "confirm_after"}),  # confirm_after: when it hangs up
}


@dataclass(frozen=True)
class Handset:
    """One handset's script with every default resolved; None where it does not apply."""

    number: str
    behaviour: str
    answer_after: float | None = None
    confirm_after: float | None = None
    talk: float | None = None
    identity: str | None = None
    # A voicemail whose greeting starts with the key 1's tone pair this long after answering.
    tone_after: float | None = None

    def encode(self) -> str:
        values = {"behaviour": self.behaviour, "answer_after": self.answer_after,
                  "confirm_after": self.confirm_after, "talk": self.talk,
                  "identity": self.identity, "tone_after": self.tone_after}
        return SPEC_SEPARATOR.join(_format(values[name]) for name in SPEC_FIELDS)

    @classmethod
    def decode(cls, number: str, value: str) -> Handset:
        fields = dict(zip(SPEC_FIELDS, value.split(SPEC_SEPARATOR), strict=True))
        return cls(number=number, behaviour=fields["behaviour"],
                   answer_after=_float_or_none(fields["answer_after"]),
                   confirm_after=_float_or_none(fields["confirm_after"]),
                   talk=_float_or_none(fields["talk"]),
                   identity=fields["identity"] or None,
                   tone_after=_float_or_none(fields["tone_after"]))


def normalise(number: str) -> str:
    """``number`` as E.164, national Finnish forms allowed; ValueError if it is no number."""
    try:
        parsed = phonenumbers.parse(number, REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number: {number!r} ({exc})") from None
    if not phonenumbers.is_possible_number(parsed):
        raise ValueError(f"not a possible phone number: {number!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def script(number: str, behaviour: str, answer_after: float | None = None,
           confirm_after: float | None = None, talk: float | None = None,
           identity: str | None = None, tone_after: float | None = None) -> Handset:
    """Validate a script and resolve its defaults."""
    e164 = normalise(number)
    if behaviour not in BEHAVIOURS:
        raise ValueError(f"unknown handset behaviour {behaviour!r}; "
                         f"expected one of {', '.join(BEHAVIOURS)}")
    given = {"answer_after": answer_after, "confirm_after": confirm_after, "talk": talk,
             "identity": identity, "tone_after": tone_after}
    unexpected = sorted(name for name, value in given.items()
                        if value is not None and name not in _ACCEPTS[behaviour])
    if unexpected:
        raise ValueError(f"{', '.join(unexpected)} does not apply to a {behaviour!r} handset")
    for name in ("answer_after", "confirm_after", "tone_after"):
        value = given[name]
        if value is not None and not value >= 0:
            raise ValueError(f"{name} must be 0 or more seconds, got {value!r}")
    if talk is not None and not talk > 0:
        raise ValueError(f"talk must be more than 0 seconds, got {talk!r}")
    if identity is not None and not _DTMF.fullmatch(identity):
        raise ValueError(f"identity must be 1-16 DTMF digits (0-9 * # A-D), got {identity!r}")

    if behaviour == HUMAN:
        return Handset(e164, behaviour,
                       answer_after=_or(answer_after, DEFAULT_ANSWER_AFTER[HUMAN]),
                       confirm_after=_or(confirm_after, DEFAULT_CONFIRM_AFTER),
                       talk=_or(talk, DEFAULT_TALK),
                       identity=identity or e164[-IDENTITY_DIGITS:])
    if behaviour == HANG_UP:
        return Handset(e164, behaviour,
                       answer_after=_or(answer_after, DEFAULT_ANSWER_AFTER[HANG_UP]),
                       confirm_after=_or(confirm_after, DEFAULT_CONFIRM_AFTER))
    if behaviour == VOICEMAIL:
        return Handset(e164, behaviour,
                       answer_after=_or(answer_after, DEFAULT_ANSWER_AFTER[VOICEMAIL]),
                       tone_after=None if tone_after is None else float(tone_after))
    if behaviour == DECLINE and answer_after is not None:
        return Handset(e164, behaviour, answer_after=answer_after,
                       confirm_after=_or(confirm_after, DEFAULT_CONFIRM_AFTER))
    # A plain decline rejects at once; confirm_after alone would never be used.
    if confirm_after is not None:
        raise ValueError("confirm_after needs answer_after: a decline without it never answers")
    return Handset(e164, behaviour)


class Handsets:
    """The handsets' scripts in the carrier's AstDB, over the carrier's AMI."""

    def __init__(self, ami: AmiClient) -> None:
        self._ami = ami

    def set(self, number: str, behaviour: str, answer_after: float | None = None,
            confirm_after: float | None = None, talk: float | None = None,
            identity: str | None = None, tone_after: float | None = None) -> Handset:
        """Script ``number``'s handset; returns the script with its defaults filled in."""
        handset = script(number, behaviour, answer_after, confirm_after, talk, identity,
                         tone_after)
        self._ami.action("DBPut", Family=DB_FAMILY, Key=handset.number, Val=handset.encode())
        return handset

    def get(self, number: str) -> Handset:
        """The script ``number``'s handset follows (the default one if none was set)."""
        e164 = normalise(number)
        try:
            events = self._ami.action_list("DBGet", Family=DB_FAMILY, Key=e164)
        except AmiActionError as exc:
            if not _is_not_found(exc.response):
                raise
            return Handset(e164, DEFAULT_BEHAVIOUR)
        return Handset.decode(e164, events[0]["Val"])

    def reset_all(self) -> None:
        """Forget every script: all handsets ring until the appliance gives up."""
        reply = self._ami.action("DBDelTree", check=False, Family=DB_FAMILY)
        # A family without keys answers "not found": nothing to forget is fine too.
        if reply.get("Response") == "Error" and not _is_not_found(reply):
            raise AmiActionError("DBDelTree", reply)


class HandsetEvents:
    """Everything the handsets did, by number, from the moment this object was created.

    The carrier reports a handset's last steps (its hang-up above all) a moment after the
    caller's side of the call ended, so tests wait for the event they expect.
    """

    def __init__(self, ami: AmiClient) -> None:
        self._changed = threading.Condition()
        self._events: dict[str, list[Headers]] = defaultdict(list)
        self._answered: dict[str, Headers] = {}  # channel -> its HandsetAnswered
        ami.add_listener(self._on_event)

    def _on_event(self, headers: Headers) -> None:
        if headers.get("Event") == AMI_TALKING_START:
            self._on_talking(headers)
            return
        if headers.get("Event") != "UserEvent" or headers.get("UserEvent") not in HANDSET_EVENTS:
            return
        with self._changed:
            number = headers.get("Number", "")
            if headers["UserEvent"] == EVENT_HANDSET_ANSWERED:
                self._answered[headers.get("Channel", "")] = headers
            self._events[number].append(headers)
            self._changed.notify_all()

    def _on_talking(self, headers: Headers) -> None:
        """The talk detector heard sound on an answered handset's line: the prompt."""
        with self._changed:
            answered = self._answered.get(headers.get("Channel", ""))
            if answered is None:
                return
            number = answered.get("Number", "")
            self._events[number].append({
                "UserEvent": EVENT_HANDSET_HEARD, "Number": number,
                "Behaviour": answered.get("Behaviour", ""), "Caller": answered.get("Caller", ""),
                "Channel": headers["Channel"]})
            self._changed.notify_all()

    def of(self, number: str) -> list[Headers]:
        """The events of ``number``'s handset so far, oldest first."""
        with self._changed:
            return list(self._events[normalise(number)])

    def names(self, number: str) -> list[str]:
        """Just the event names, e.g. ``["HandsetRinging", "HandsetBusy", "HandsetHangup"]``."""
        return [event["UserEvent"] for event in self.of(number)]

    def wait_for(self, number: str, name: str, timeout: float = 10.0) -> Headers:
        """The first event ``name`` of ``number``'s handset, waiting up to ``timeout`` s."""
        e164 = normalise(number)
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = next((event for event in self._events[e164]
                              if event["UserEvent"] == name), None)
                if found is not None:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [event["UserEvent"] for event in self._events[e164]]
                    raise TimeoutError(f"handset {e164} sent no {name} within {timeout} s "
                                       f"(it sent {seen})")
                self._changed.wait(remaining)


def _is_not_found(reply: dict[str, str]) -> bool:
    return reply.get("Message", "").lower() == DB_NOT_FOUND


def _or(value: float | None, default: float) -> float:
    return default if value is None else float(value)


def _format(value: str | float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return f"{value:.3f}"  # plain decimals: Wait() reads no exponent


def _float_or_none(text: str) -> float | None:
    return float(text) if text else None
