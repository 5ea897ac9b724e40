"""The contract between the appliance's live feed and the console, which keeps its own copy of
the feed's names (it imports no appliance code): a call that goes through every type of bus
event is published through the monitor's real event feed, and each JSON line it sends is one
the console's model understands and acts on.  A bus event type renamed, added or dropped on
either side fails here."""

from __future__ import annotations

import datetime as dt
import json
import socket
import time
import typing
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from paivystys.appliance.api.events import http as events_http
from paivystys.appliance.monitor.feed import MESSAGES, EventFeed, wire_type
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
from paivystys.gui.live import stream
from paivystys.gui.live.model import (
    CONFIRMED,
    ENDED,
    EVENT_TYPES,
    LEG_ANSWERED,
    LEG_RINGING,
    RINGING,
    TALKING,
    LiveCall,
    LiveCallsModel,
)

CALL_ID = "contract.1"
T0 = dt.datetime(2026, 11, 26, 2, 1, 42, tzinfo=dt.UTC)
CALL_ROW = {"id": 1, "call_id": CALL_ID, "number": 1, "dialled": "+358200000001",
            "caller": "", "arrived_at": T0, "outcome": "answered", "answered_by": 1,
            "answered_by_name": "Näkyvä Niina", "answered_stage": "backup", "routing": "agi"}


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def legs(call: LiveCall) -> list[tuple[str, str, str]]:
    return [(leg.person, leg.stage, leg.state) for leg in call.legs]


# Each bus event of one call, and what the console shows once it has read it.
CALL: list[tuple[CallEvent, Callable[[LiveCall], bool]]] = [
    (CallStarted(CALL_ID, at(0), 1, "+358200000001", ""),
     lambda call: (call.number, call.caller, call.state) == ("+358200000001", "", RINGING)),
    (LegRinging(CALL_ID, at(0.1), 1, 2, "Hiljainen Heikki", "Valvomo", "+358400000003",
                "main"),
     lambda call: legs(call) == [("Hiljainen Heikki", "main", LEG_RINGING)]),
    (LegEnded(CALL_ID, at(20), 1, 2, "Hiljainen Heikki", "main", "no_answer"),
     lambda call: legs(call) == [("Hiljainen Heikki", "main", "no_answer")]),
    (LegRinging(CALL_ID, at(20.1), 2, 1, "Näkyvä Niina", None, "+358400000002", "backup"),
     lambda call: legs(call)[1] == ("Näkyvä Niina", "backup", LEG_RINGING)),
    (LegAnswered(CALL_ID, at(22), 2, 1, "Näkyvä Niina", "backup"),
     lambda call: legs(call)[1][2] == LEG_ANSWERED),
    (CallConfirmed(CALL_ID, at(23), 2, 1, "Näkyvä Niina", "backup"),
     lambda call: (call.state, call.answered_by) == (CONFIRMED, "Näkyvä Niina")),
    (CallBridged(CALL_ID, at(23.1)),
     lambda call: call.state == TALKING and call.bridged_at == at(23.1).timestamp()),
    (LegEnded(CALL_ID, at(60), 2, 1, "Näkyvä Niina", "backup", "confirmed"),
     lambda call: legs(call)[1][2] == "confirmed"),
    (CallEnded(CALL_ID, at(60.1), "answered", CALL_ROW, ({"id": 2, "call": 1},)),
     lambda call: (call.state, call.outcome) == (ENDED, "answered")),
]


@pytest.fixture
def feed_lines(tmp_path: Path) -> Iterator[Callable[[int], list[str]]]:
    """The monitor's event feed on its Unix socket: publish on `bus`, read the lines sent."""
    bus = EventBus()
    feed = EventFeed(bus, tmp_path / "events.sock").start()
    reader = socket.socket(socket.AF_UNIX)
    reader.connect(str(tmp_path / "events.sock"))
    reader.settimeout(5)
    time.sleep(0.1)  # registered

    def publish_all(count: int) -> list[str]:
        for event, _shows in CALL[:count]:
            bus.publish(event)
        data = b""
        while data.count(b"\n") < count:
            data += reader.recv(65536)
        return data.decode().splitlines()

    yield publish_all
    reader.close()
    feed.close()


def test_the_call_goes_through_every_type_of_bus_event() -> None:
    assert {type(event) for event, _shows in CALL} == set(typing.get_args(CallEvent))


def test_the_console_knows_exactly_the_feeds_types() -> None:
    assert {wire_type(message) for message in MESSAGES.values()} == EVENT_TYPES


def test_the_console_and_the_appliance_name_the_same_version() -> None:
    assert stream.SUBPROTOCOL == events_http.SUBPROTOCOL
    assert stream.UNSUPPORTED_VERSION == events_http.UNSUPPORTED_VERSION


def test_every_event_the_feed_sends_is_understood_by_the_console(
        feed_lines: Callable[[int], list[str]]) -> None:
    lines = feed_lines(len(CALL))
    model = LiveCallsModel(clock=lambda: at(61).timestamp())
    for line, (event, shows) in zip(lines, CALL, strict=True):
        sent: dict[str, Any] = json.loads(line)
        assert sent["type"] == wire_type(MESSAGES[type(event)])
        assert model.apply(sent), f"the console ignored {sent['type']}"
        live = model.call(CALL_ID)
        assert live is not None and shows(live), (sent["type"], live)
    assert model.rowCount() == 1
