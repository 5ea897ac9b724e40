"""The live view against the real API (`paivystys-api` as its own process) and a real event
feed: the call monitor's Unix socket, fed here from the test's own event bus."""

from __future__ import annotations

import datetime as dt
import json
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from websockets.sync.server import ServerConnection, serve
from websockets.typing import Subprotocol

from paivystys.appliance.api.tls import ServerIdentity, ensure_certificate, server_ssl_context
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import Call, Leg
from paivystys.appliance.directory import Directory
from paivystys.appliance.monitor.feed import EventFeed
from paivystys.appliance.ringing.bus import CallStarted, EventBus, LegRinging
from paivystys.appliance.users.service import ROLE_ADMIN, ROLE_PERSON, create_user, revoke
from paivystys.gui.live import stream as stream_module
from paivystys.gui.live.view import STOP_WAIT_S, LiveView
from paivystys.gui.net.client import ApiFailure, ApplianceClient, FailureKind
from paivystys.gui.tests import conftest
from paivystys.gui.tests.conftest import ADMIN_PASSWORD, PERSON_PASSWORD, Appliance, run_api

# The hub connects to the event feed within its reconnect pause (1 s) of starting.
HUB_READY_MS = 1500
WRONG_PIN = ":".join(["AB"] * 32)


@dataclass
class Box:
    """The appliance's state that outlives one API process: database, certificate, feed."""

    state_dir: Path
    db_path: Path
    bus: EventBus

    @property
    def events_socket(self) -> Path:
        return self.state_dir / "events.sock"

    def serve(self) -> Iterator[Appliance]:
        return run_api(self.db_path, self.state_dir / "tls", self.state_dir / "recordings",
                       events_socket=self.events_socket)


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Box]:
    state_dir = tmp_path_factory.mktemp("live")
    (state_dir / "recordings").mkdir()
    db_path = state_dir / "paivystys.db"
    database = open_database(db_path)
    create_user("valvoja", ADMIN_PASSWORD, ROLE_ADMIN)
    person = Directory().add_person("Katsoja Kaisa", "040 555 0199")
    create_user("kaisa", PERSON_PASSWORD, ROLE_PERSON, person.id)
    bus = EventBus()
    feed = EventFeed(bus, state_dir / "events.sock").start()
    yield Box(state_dir, db_path, bus)
    feed.close()
    database.close()


@pytest.fixture(scope="module")
def live_appliance(box: Box) -> Iterator[Appliance]:
    servers = box.serve()
    yield next(servers)
    servers.close()


@pytest.fixture
def log_in() -> Iterator[Callable[[Appliance, str, str], ApplianceClient]]:
    clients: list[ApplianceClient] = []

    def make(appliance: Appliance, username: str, password: str) -> ApplianceClient:
        client = ApplianceClient(appliance.url, appliance.fingerprint)
        client.login(username, password)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def _connected(view: LiveView) -> bool:
    return view.connection_label.text().startswith("Connected")


def _in_progress_call_in_the_log() -> str:
    """A call the monitor logged before the view connected, still ringing Kaisa."""
    now = dt.datetime.now(dt.UTC)
    call = Call.create(call_id="before.1", dialled="+358201110000", caller="+358401110000",
                       arrived_at=now - dt.timedelta(seconds=20))
    Leg.create(call=call, person_name="Katsoja Kaisa", phone="+358405550199", stage="main",
               rung_at=now - dt.timedelta(seconds=19))
    return call.call_id


def test_an_admin_follows_health_and_calls_live(
        qtbot: QtBot, show: Callable[[LiveView], LiveView], box: Box,
        live_appliance: Appliance, log_in: Callable[..., ApplianceClient],
        tmp_path: Path) -> None:
    earlier = _in_progress_call_in_the_log()
    client = log_in(live_appliance, "valvoja", ADMIN_PASSWORD)
    view = LiveView(client)
    view.resize(900, 240)
    with qtbot.waitSignal(view.health_changed, timeout=10_000) as health:
        show(view)
    assert set(health.args[0]) >= {"asterisk", "trunk", "modem", "disk"}
    qtbot.waitUntil(lambda: _connected(view))

    # Already ringing when the view connected: read from the call log.
    qtbot.waitUntil(lambda: view.model.call(earlier) is not None)
    assert view.model.legs_text(view.model.call(earlier)) == "Katsoja Kaisa: ringing"

    qtbot.wait(HUB_READY_MS)
    now = dt.datetime.now(dt.UTC)
    box.bus.publish(CallStarted("live.1", now, None, "+358201234567", "+358401234567"))
    box.bus.publish(LegRinging("live.1", now, 5, None, "Valvoja Ville", "Ryhmä",
                               "+358405550100", "main"))
    qtbot.waitUntil(lambda: view.model.call("live.1") is not None
                    and bool(view.model.call("live.1").legs))
    live = view.model.call("live.1")
    assert (live.number, live.caller) == ("+358201234567", "+358401234567")
    assert view.model.legs_text(live) == "Valvoja Ville: ringing"
    assert view.table.isVisible() and not view.empty_label.isVisible()
    view.grab().save(str(tmp_path / "live-view-two-calls.png"))

    stream = view.stream
    view.close()
    assert stream is not None and not stream.running  # closing ended the thread


def test_a_person_is_told_the_live_view_is_for_admins(
        qtbot: QtBot, show: Callable[[LiveView], LiveView], live_appliance: Appliance,
        log_in: Callable[..., ApplianceClient]) -> None:
    view = show(LiveView(log_in(live_appliance, "kaisa", PERSON_PASSWORD)))
    ended: list[ApiFailure] = []
    view.session_ended.connect(ended.append)
    qtbot.waitUntil(lambda: "only admins" in view.connection_label.text(), timeout=10_000)
    assert view.connection_label.text() == "Not connected: only admins can follow calls live."
    qtbot.waitUntil(lambda: view.stream is not None and not view.stream.running)
    assert ended == []  # the login is fine; it just is not an admin's


def test_a_revoked_token_ends_the_session(
        qtbot: QtBot, show: Callable[[LiveView], LiveView], live_appliance: Appliance,
        log_in: Callable[..., ApplianceClient]) -> None:
    client = log_in(live_appliance, "valvoja", ADMIN_PASSWORD)
    revoke(client.token)
    view = LiveView(client)
    with qtbot.waitSignal(view.session_ended, timeout=10_000) as ended:
        show(view)
    failure = ended.args[0]
    assert isinstance(failure, ApiFailure) and failure.kind is FailureKind.UNAUTHORIZED
    assert view.connection_label.text() == "Not connected: the session has ended."


def test_another_certificate_stops_the_view_without_retrying(
        qtbot: QtBot, show: Callable[[LiveView], LiveView], live_appliance: Appliance,
        log_in: Callable[..., ApplianceClient]) -> None:
    token = log_in(live_appliance, "valvoja", ADMIN_PASSWORD).token
    with ApplianceClient(live_appliance.url, WRONG_PIN, token) as impostor_pin:
        view = show(LiveView(impostor_pin))
        qtbot.waitUntil(view.try_again_button.isVisible, timeout=10_000)
        assert view.connection_label.text() == "Not connected."
        assert "different certificate" in view.error.text()
        assert view.stream is not None
        qtbot.waitUntil(lambda: not view.stream.running)  # gave up: no retry loop
        view.close()


def test_the_view_reconnects_when_the_appliance_is_back_and_ends_when_the_token_is_revoked(
        qtbot: QtBot, show: Callable[[LiveView], LiveView], box: Box,
        monkeypatch: pytest.MonkeyPatch, log_in: Callable[..., ApplianceClient]) -> None:
    servers = box.serve()
    appliance = next(servers)
    port = int(appliance.url.rsplit(":", 1)[1])
    monkeypatch.setattr(conftest, "free_port", lambda: port)  # restarts on the same address
    client = log_in(appliance, "valvoja", ADMIN_PASSWORD)
    view = show(LiveView(client, first_retry_s=0.5, max_retry_s=2.0))
    try:
        qtbot.waitUntil(lambda: _connected(view), timeout=10_000)

        servers.close()  # the appliance restarts
        qtbot.waitUntil(lambda: view.connection_label.text().startswith("Connection lost"),
                        timeout=15_000)
        assert view.error.isVisible()  # says why: the switchboard does not answer
        servers = box.serve()
        with qtbot.waitSignal(view.health_changed, timeout=15_000):
            next(servers)
        qtbot.waitUntil(lambda: _connected(view))
        assert not view.error.isVisible()

        revoke(client.token)  # e.g. an admin ended this login elsewhere
        servers.close()
        servers = box.serve()
        with qtbot.waitSignal(view.session_ended, timeout=15_000) as ended:
            next(servers)
        assert ended.args[0].kind is FailureKind.UNAUTHORIZED
    finally:
        view.close()
        servers.close()


def test_a_console_of_a_version_the_appliance_does_not_speak_says_so_and_stops(
        qtbot: QtBot, show: Callable[[LiveView], LiveView], live_appliance: Appliance,
        monkeypatch: pytest.MonkeyPatch, log_in: Callable[..., ApplianceClient]) -> None:
    """A console newer than its appliance (it reads only a later version of the events)."""
    monkeypatch.setattr(stream_module, "SUBPROTOCOL", Subprotocol("paivystys.events.v99"))
    view = show(LiveView(log_in(live_appliance, "valvoja", ADMIN_PASSWORD)))
    qtbot.waitUntil(view.try_again_button.isVisible, timeout=10_000)
    assert view.connection_label.text() == ("Not connected: this console and the switchboard "
                                            "speak different versions of the live view.")
    assert "paivystys.events.v1 only" in view.error.text()
    qtbot.waitUntil(lambda: view.stream is not None and not view.stream.running)
    view.close()


def test_an_appliance_older_than_versioned_events_is_told_apart_from_a_quiet_one(
        qtbot: QtBot, show: Callable[[LiveView], LiveView], box: Box,
        live_appliance: Appliance, log_in: Callable[..., ApplianceClient]) -> None:
    """An appliance that predates versioned events accepts without a subprotocol and sends
    its events by Python class name: the console says so instead of showing no calls."""
    client = log_in(live_appliance, "valvoja", ADMIN_PASSWORD)
    identity = ensure_certificate(box.state_dir / "tls")

    def old_appliance(websocket: ServerConnection) -> None:
        websocket.send(json.dumps({"kind": "hello", "health": {}}))
        websocket.send(json.dumps({"kind": "call", "event": {
            "type": "CallStarted", "call_id": "old.1", "at": "2026-11-25T12:00:00+00:00"}}))
        websocket.recv()  # until the console closes

    with serve(old_appliance, "127.0.0.1", 0, ssl=server_ssl_context(identity)) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.socket.getsockname()[1]
        old = ApplianceClient(f"https://127.0.0.1:{port}", client.fingerprint, client.token)
        view = show(LiveView(old))
        qtbot.waitUntil(view.try_again_button.isVisible, timeout=10_000)
        assert "different versions" in view.connection_label.text()
        assert "it is older than paivystys.events.v1" in view.error.text()
        assert view.model.rowCount() == 0 and not view.empty_label.isVisible()
        qtbot.waitUntil(lambda: view.stream is not None and not view.stream.running)
        view.close()
        old.close()
        server.shutdown()


@pytest.fixture
def silent_appliance(tmp_path: Path) -> Iterator[tuple[ServerIdentity, int]]:
    """A server that completes the TLS handshake and then answers nothing, as an appliance
    does whose event loop is stuck or that went away after the handshake.  It sends the TLS
    1.3 session tickets every Python TLS server sends (the API's too): they arrive at the
    console right after its handshake, before any answer."""
    identity = ensure_certificate(tmp_path / "tls")
    context = server_ssl_context(identity)
    context.num_tickets = 2
    held: list[ssl.SSLSocket] = []
    listener = socket.create_server(("127.0.0.1", 0))

    def accept() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return  # the listener was closed
            try:
                held.append(context.wrap_socket(connection, server_side=True))
            except OSError:
                connection.close()

    threading.Thread(target=accept, daemon=True).start()
    yield identity, listener.getsockname()[1]
    listener.close()
    for connection in held:
        connection.close()


def test_an_appliance_that_never_answers_the_upgrade_is_retried_and_closing_ends_the_view(
        qtbot: QtBot, show: Callable[[LiveView], LiveView], monkeypatch: pytest.MonkeyPatch,
        silent_appliance: tuple[ServerIdentity, int], caplog: pytest.LogCaptureFixture) -> None:
    """The connection attempt gives up after its timeout and says so, and closing the view
    ends the stream's thread at once: neither waits for an answer that does not come."""
    monkeypatch.setattr(stream_module, "CONNECT_TIMEOUT_S", 1.0)
    identity, port = silent_appliance
    silent = ApplianceClient(f"https://127.0.0.1:{port}", identity.fingerprint, "a-token")
    view = show(LiveView(silent, first_retry_s=0.5, max_retry_s=0.5))
    qtbot.waitUntil(view.error.isVisible, timeout=5_000)
    assert view.connection_label.text().startswith("Connection lost")
    assert view.error.text().startswith("The switchboard does not answer.")
    # The pause is over and the next attempt waits for its answer: close the view then.
    qtbot.waitUntil(lambda: view.connection_label.text() == "Connection lost. Connecting…",
                    timeout=3_000)
    stream = view.stream
    assert stream is not None
    view.close()
    assert not stream.running, f"the live events thread outlived closing by {STOP_WAIT_S} s"
    assert "did not end" not in caplog.text
    silent.close()
