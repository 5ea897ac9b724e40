import dataclasses
import datetime as dt
import enum
import json
import re
import socket
import time
import typing

import pytest

from paivystys.appliance.monitor.feed import MESSAGES, EventFeed, event_to_dict, wire_type
from paivystys.appliance.ringing.bus import (
    CallConfirmed,
    CallEvent,
    CallStarted,
    EventBus,
    LegEnded,
)

AT = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def read_lines(connection: socket.socket, count: int) -> list[dict]:
    data = b""
    deadline = time.monotonic() + 5
    while data.count(b"\n") < count and time.monotonic() < deadline:
        data += connection.recv(65536)
    return [json.loads(line) for line in data.splitlines()]


def test_every_reader_gets_every_event_as_a_json_line(tmp_path):
    bus = EventBus()
    feed = EventFeed(bus, tmp_path / "events.sock").start()
    try:
        readers = [socket.socket(socket.AF_UNIX) for _ in range(2)]
        for reader in readers:
            reader.connect(str(tmp_path / "events.sock"))
        time.sleep(0.1)  # both registered
        bus.publish(CallStarted("1.1", AT, 3, "+358201234567", "+358401234567"))
        bus.publish(CallConfirmed("1.1", AT, 7, 2, "Maija", "main"))
        for reader in readers:
            events = read_lines(reader, 2)
            assert [event["type"] for event in events] == ["call.started", "call.confirmed"]
            assert events[0]["at"] == "2026-11-25T12:00:00+00:00"
            assert events[1]["person_name"] == "Maija"
            reader.close()
    finally:
        feed.close()
    assert not (tmp_path / "events.sock").exists()


def test_a_reader_that_never_reads_is_dropped_not_waited_for(tmp_path, monkeypatch):
    from paivystys.appliance.monitor import feed as feed_module

    monkeypatch.setattr(feed_module, "BACKLOG", 5)
    bus = EventBus()
    feed = EventFeed(bus, tmp_path / "events.sock").start()
    try:
        stuck = socket.socket(socket.AF_UNIX)
        stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        stuck.connect(str(tmp_path / "events.sock"))
        time.sleep(0.1)
        for index in range(2000):  # far more than the socket buffers and the backlog hold
            bus.publish(CallStarted(f"{index}", AT, None, "x" * 200, "y"))
        stuck.settimeout(5)
        received = b""
        while chunk := stuck.recv(65536):  # the feed ends the connection: EOF, not a hang
            received += chunk
        assert received.count(b"\n") < 2000
        stuck.close()
    finally:
        feed.close()


def test_every_bus_event_has_one_wire_name_of_its_own() -> None:
    assert set(MESSAGES) == set(typing.get_args(CallEvent))
    names = [wire_type(message) for message in MESSAGES.values()]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"(call|leg)\.[a-z]+", name) for name in names), names


def test_the_wire_name_is_not_the_class_name_and_the_fields_keep_their_order() -> None:
    event = LegEnded("1.1", AT, 7, None, "Maija", "backup", "no_answer")
    assert list(event_to_dict(event).items()) == [
        ("type", "leg.ended"), ("call_id", "1.1"), ("at", "2026-11-25T12:00:00+00:00"),
        ("leg_id", 7), ("person_id", None), ("person_name", "Maija"), ("stage", "backup"),
        ("result", "no_answer")]


def test_a_naive_time_is_utc_and_an_enum_its_string() -> None:
    class Stage(enum.StrEnum):
        BACKUP = "backup"

    event = LegEnded("1.1", AT.replace(tzinfo=None), 7, 2, "Maija", Stage.BACKUP, "declined")
    line = json.dumps(event_to_dict(event))
    assert '"at": "2026-11-25T12:00:00+00:00"' in line and '"stage": "backup"' in line


@pytest.mark.parametrize("caller", ['"}\n{"type": "call.ended", "call_id": "1.1"}',
                                    "\u2028<script>", "\x00' OR 1=1 --"])
def test_a_hostile_caller_stays_one_string_on_one_line(caller: str) -> None:
    line = json.dumps(event_to_dict(CallStarted("1.1", AT, None, "+358201234567", caller)),
                      ensure_ascii=False)
    assert "\n" not in line
    assert json.loads(line)["caller"] == caller


def test_an_event_the_feed_does_not_declare_is_refused_not_guessed() -> None:
    @dataclasses.dataclass(frozen=True)
    class CallTransferred:
        call_id: str
        at: dt.datetime

    with pytest.raises(KeyError):
        event_to_dict(CallTransferred("1.1", AT))  # type: ignore[arg-type]
    # A field the message does not declare fails too, rather than travel undeclared.
    with pytest.raises(ValueError, match="extra"):
        MESSAGES[CallStarted].model_validate(
            {**event_to_dict(CallStarted("1.1", AT, None, "+3582", "")), "secret": "x"})
