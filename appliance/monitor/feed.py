"""The call monitor's events for other local processes (the API's live view): a Unix socket
that sends every bus event as one JSON line to each connected reader.

A reader that falls behind by more than ``BACKLOG`` events is dropped rather than allowed to
slow the monitor down; it reconnects and continues with the next events (the live view is a
view, the call log is the record).

The wire format, version ``FEED_VERSION`` (1)
---------------------------------------------
Each line is one JSON object: ``"type"``, the event's wire name, then the fields of its bus
event (``paivystys.appliance.ringing.bus``) under their own names.  The wire names are

    call.started  leg.ringing  leg.answered  call.confirmed  call.bridged  leg.ended  call.ended

and are declared here and nowhere else on the appliance, by one pydantic model each
(``MESSAGES``); they never follow the Python class names, which may change at will.  ``at``
is ISO 8601 with its UTC offset; ``stage``, ``result`` and ``outcome`` are the call log's
strings.  The API forwards these objects to the console over its WebSocket, whose
subprotocol names the version (``paivystys.events.v1``), and publishes the models in its
OpenAPI document; the console keeps its own list of the names, and a contract test holds the
two lists equal.

What a reader of version 1 may rely on: it ignores types and fields it does not know, so a
new type or a new field is no new version.  Renaming or removing a type or a field, or
changing what a value means, is: ``FEED_VERSION`` goes up and the console follows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import logging
import os
import queue
import socket
import socketserver
import threading
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from paivystys.appliance.ringing.bus import (
    CallBridged,
    CallConfirmed,
    CallEnded,
    CallEvent,
    CallStarted,
    EventBus,
    LegAnswered,
    LegEnded,
    LegRinging,
)

log = logging.getLogger(__name__)

BACKLOG = 1000
FEED_VERSION = 1

Moment = Annotated[str, Field(json_schema_extra={"format": "date-time"},
                              description="ISO 8601 with the UTC offset")]
Stage = Annotated[str, Field(description='"main" or "backup"')]


class EventMessage(BaseModel):
    """What every event of the feed carries."""

    # An event field the model does not declare fails here, in the tests, rather than
    # reaching the console undeclared.
    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)

    type: str = Field(description="the event's wire name; each message model fixes its own")
    call_id: str = Field(description="the caller channel's Asterisk UNIQUEID; the call "
                                     "log's call_id")
    at: Moment


class CallStartedMessage(EventMessage):
    """A caller reached an on-call number."""

    type: Literal["call.started"] = "call.started"
    number_id: int | None = Field(description="the on-call number's id; null: the trunk "
                                              "sent a number that is not configured")
    dialled: str
    caller: str = Field(description='"" for a withheld caller')


class LegRingingMessage(EventMessage):
    """A person's phone rings for the call."""

    type: Literal["leg.ringing"] = "leg.ringing"
    leg_id: int
    person_id: int | None
    person_name: str
    group_name: str | None
    phone: str
    stage: Stage


class _PersonOnLegMessage(EventMessage):
    leg_id: int
    person_id: int | None
    person_name: str
    stage: Stage


class LegAnsweredMessage(_PersonOnLegMessage):
    """The person picked up and hears the prompt; not yet confirmed."""

    type: Literal["leg.answered"] = "leg.answered"


class CallConfirmedMessage(_PersonOnLegMessage):
    """A person pressed 1 and won the call; the caller is bridged to them next."""

    type: Literal["call.confirmed"] = "call.confirmed"


class CallBridgedMessage(EventMessage):
    """Caller and the winner talk."""

    type: Literal["call.bridged"] = "call.bridged"


class LegEndedMessage(_PersonOnLegMessage):
    """A leg is over; a later one for the same leg may refine its result."""

    type: Literal["leg.ended"] = "leg.ended"
    result: str = Field(description="the call log's leg result")


class CallEndedMessage(EventMessage):
    """The call is over."""

    type: Literal["call.ended"] = "call.ended"
    outcome: str = Field(description="the call log's outcome")
    call: dict[str, Any] = Field(description="the call's final row as stored (foreign keys "
                                             "as ids)")
    legs: list[dict[str, Any]] = Field(description="its legs' rows as stored")


# The one place a bus event meets its wire name.
MESSAGES: dict[type, type[EventMessage]] = {
    CallStarted: CallStartedMessage,
    LegRinging: LegRingingMessage,
    LegAnswered: LegAnsweredMessage,
    CallConfirmed: CallConfirmedMessage,
    CallBridged: CallBridgedMessage,
    LegEnded: LegEndedMessage,
    CallEnded: CallEndedMessage,
}
FeedMessage = Annotated[
    CallStartedMessage | LegRingingMessage | LegAnsweredMessage | CallConfirmedMessage
    | CallBridgedMessage | LegEndedMessage | CallEndedMessage,
    Field(discriminator="type")]


def wire_type(message: type[EventMessage]) -> str:
    """The wire name a message model declares."""
    name: str = message.model_fields["type"].default
    return name


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        return aware.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def event_to_dict(event: CallEvent) -> dict[str, Any]:
    """The event as the feed sends it: checked against its message model."""
    message = MESSAGES[type(event)]
    fields = {field.name: _plain(getattr(event, field.name))
              for field in dataclasses.fields(event)}
    return message.model_validate({"type": wire_type(message), **fields},
                                  strict=True).model_dump(mode="json")


class EventFeed:
    def __init__(self, bus: EventBus, path: Path) -> None:
        self._path = path
        self._readers: set[queue.Queue[bytes | None]] = set()
        self._lock = threading.Lock()
        self._server: socketserver.ThreadingUnixStreamServer | None = None
        self._unsubscribe = bus.subscribe(self._publish)

    def start(self) -> EventFeed:
        feed = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                feed._serve(self.request)

        self._path.parent.mkdir(parents=True, exist_ok=True)
        self._path.unlink(missing_ok=True)
        server = socketserver.ThreadingUnixStreamServer(str(self._path), Handler)
        server.daemon_threads = True
        os.chmod(self._path, 0o660)
        self._server = server
        threading.Thread(target=server.serve_forever, name="event-feed", daemon=True).start()
        return self

    def close(self) -> None:
        self._unsubscribe()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        with self._lock:
            for reader in self._readers:
                reader.put(None)
        self._path.unlink(missing_ok=True)

    def _publish(self, event: CallEvent) -> None:
        line = (json.dumps(event_to_dict(event), ensure_ascii=False) + "\n").encode()
        with self._lock:
            readers = list(self._readers)
        for reader in readers:
            try:
                reader.put_nowait(line)
            except queue.Full:
                log.warning("an event feed reader fell %d events behind; dropping it", BACKLOG)
                self._drop(reader)

    def _drop(self, reader: queue.Queue[bytes | None]) -> None:
        """Forget the reader and make room for the None that ends its connection."""
        with self._lock:
            self._readers.discard(reader)
        while True:
            try:
                reader.get_nowait()
            except queue.Empty:
                break
        reader.put_nowait(None)

    def _serve(self, connection: socket.socket) -> None:
        reader: queue.Queue[bytes | None] = queue.Queue(maxsize=BACKLOG)
        with self._lock:
            self._readers.add(reader)
        try:
            while True:
                line = reader.get()
                if line is None:
                    return
                connection.sendall(line)
        except OSError:
            return
        finally:
            with self._lock:
                self._readers.discard(reader)
