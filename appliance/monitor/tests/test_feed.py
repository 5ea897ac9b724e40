import datetime as dt
import json
import socket
import time

from paivystys.appliance.monitor.feed import EventFeed
from paivystys.appliance.ringing.bus import CallConfirmed, CallStarted, EventBus

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
            assert [event["type"] for event in events] == ["CallStarted", "CallConfirmed"]
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
