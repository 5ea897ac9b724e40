"""The UserEvents the dialplan sends to AMI about a call: one class per event.

A class names its event (the class name is the AMI ``UserEvent`` header) and its headers, in
order: one per field, the field's name in CamelCase (``dial_status`` -> ``DialStatus``).
The dialplan generator renders its ``UserEvent()`` lines from these classes, and the call
monitor and the journal read AMI events into them with :func:`parse`, so that a header name is
written once and a misspelt one fails where it is used.  Every event carries ``CallId``, the
caller channel's ``PV_CALL_ID``.

Every value is a string as Asterisk sent it.  The dialplan fills them only with values of its
own, digits, base64 or Asterisk's own words: UserEvent takes ',' as the next header and a line
break as the next AMI line, so network text never goes into one.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

# The AMI header that names a UserEvent.
NAME_HEADER = "UserEvent"


def header_name(field_name: str) -> str:
    """``call_id`` -> ``CallId``, ``caller64`` -> ``Caller64``."""
    return "".join(part.capitalize() for part in field_name.split("_"))


@dataclass(frozen=True)
class UserEvent:
    NAME: ClassVar[str]
    call_id: str

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.NAME = cls.__name__

    # Cached: the monitor reads every call event through them.
    @classmethod
    @functools.cache
    def field_names(cls) -> tuple[str, ...]:
        return tuple(spec.name for spec in dataclasses.fields(cls))

    @classmethod
    @functools.cache
    def header_names(cls) -> tuple[str, ...]:
        return tuple(header_name(name) for name in cls.field_names())

    def headers(self) -> dict[str, str]:
        """The event's headers in order, as AMI carries them (without ``UserEvent``)."""
        return {header_name(name): getattr(self, name) for name in self.field_names()}


@dataclass(frozen=True)
class PvCallStart(UserEvent):
    """The call arrived; its caller ID as the network sent it, base64, cut (see caller_id)."""

    number_id: str
    dialled: str
    caller64: str
    caller_length: str
    presentation: str


@dataclass(frozen=True)
class PvDecision(UserEvent):
    decision: str  # a Verdict; empty when the AGI failed
    routing: str  # a Routing
    recording: str  # path relative to the recordings directory, or empty


@dataclass(frozen=True)
class PvStageStart(UserEvent):
    stage: str


@dataclass(frozen=True)
class PvLegRing(UserEvent):
    person: str
    group: str
    phone: str
    stage: str


@dataclass(frozen=True)
class PvLegAnswer(UserEvent):
    person: str
    stage: str
    channel: str  # the person's channel


@dataclass(frozen=True)
class PvLegResult(UserEvent):
    person: str
    stage: str
    result: str  # a LegResult


@dataclass(frozen=True)
class PvLegEnd(UserEvent):
    """The leg's Local channel ended."""

    person: str
    stage: str
    dial_status: str
    hangup_cause: str


@dataclass(frozen=True)
class PvStageEnd(UserEvent):
    stage: str
    dial_status: str  # the outer Dial's result


@dataclass(frozen=True)
class PvConfirmed(UserEvent):
    """This leg won; the bridge follows.  Group and Phone too: a monitor that missed the leg's
    ringing logs it from here."""

    person: str
    stage: str
    group: str
    phone: str


@dataclass(frozen=True)
class PvRecording(UserEvent):
    file: str  # path relative to the recordings directory


@dataclass(frozen=True)
class PvCallEnd(UserEvent):
    """From the caller's hangup handler."""

    dial_status: str


SPECS: dict[str, type[UserEvent]] = {spec.NAME: spec for spec in (
    PvCallStart, PvDecision, PvStageStart, PvLegRing, PvLegAnswer, PvLegResult, PvLegEnd,
    PvStageEnd, PvConfirmed, PvRecording, PvCallEnd)}

# The events about one leg: each names its person and stage.
LegEvent = PvLegRing | PvLegAnswer | PvLegResult | PvLegEnd | PvConfirmed


def ami_headers(event: UserEvent, timestamp: str) -> dict[str, str]:
    """The event as AMI delivers it at ``timestamp`` (epoch seconds), for a call replayed from
    the journal."""
    return {"Event": NAME_HEADER, NAME_HEADER: event.NAME, "Timestamp": timestamp,
            **event.headers()}


def parse(headers: Mapping[str, str]) -> UserEvent | None:
    """The typed event of an AMI UserEvent's headers; a missing header reads as "".  None for
    any other event."""
    spec = SPECS.get(headers.get(NAME_HEADER, ""))
    if spec is None:
        return None
    return spec(*(headers.get(header, "") for header in spec.header_names()))
