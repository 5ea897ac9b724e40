"""The live view screen: calls in progress, who is being rung, who took each call.

The events come from `stream.EventStream`, which reads the appliance's WebSocket on a thread
of its own.  That thread must never touch a window, nor hold the last reference to one (see
`net/worker.py`): it only emits on `_Relay`, one object created on the UI thread and never
deleted, with its stream's number.  The relay's queued signal runs `_dispatch` on the UI
thread, which hands the news to the view that owns that number, if it still listens.  A view
stops listening before it goes (closed, deleted, or the application quitting), and a stopped
stream never emits again, so no news reaches a deleted view and no thread outlives Qt in a
way that matters.
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from paivystys.gui.live.model import ANSWERED_COLOUR, RINGING_COLOUR, EventType, LiveCallsModel
from paivystys.gui.live.stream import (
    FIRST_RETRY_S,
    MAX_RETRY_S,
    Connected,
    Ended,
    EventStream,
    Incompatible,
    News,
    Received,
    Retrying,
)
from paivystys.gui.net.client import ApiFailure, ApplianceClient, FailureKind
from paivystys.gui.net.worker import BackgroundCalls
from paivystys.gui.widgets.failures import describe, error_label, try_again_button
from paivystys.gui.widgets.table import table_view

log = logging.getLogger(__name__)

TICK_MS = 1000
# Closing the view waits this long for the thread to end (it normally takes under POLL_S).
STOP_WAIT_S = 2.0
# The newest calls of the log, read on every (re)connection for calls the events missed.
SEED_CALLS = 50
CONNECTED_STYLE = f"QLabel {{ color: {ANSWERED_COLOUR}; }}"
WAITING_STYLE = f"QLabel {{ color: {RINGING_COLOUR}; }}"
STOPPED_STYLE = "QLabel { color: #b3261e; font-weight: bold; }"


class _Relay(QObject):
    """The one object event threads emit on; created on the UI thread, never deleted."""

    news = Signal(int, object)  # stream number, stream.News


@dataclass
class _Listener:
    stream: EventStream
    deliver: Callable[[News], None]


_relay: _Relay | None = None
_listeners: dict[int, _Listener] = {}
_stream_numbers = itertools.count(1)


def _relay_on_ui_thread() -> _Relay:
    global _relay
    if _relay is None:
        _relay = _Relay()
        _relay.news.connect(_dispatch, Qt.ConnectionType.QueuedConnection)
        application = QCoreApplication.instance()
        if application is not None:
            # However the console ends, no stream emits once the application is going.
            application.aboutToQuit.connect(_stop_all)
    return _relay


def _dispatch(number: int, news: News) -> None:
    listener = _listeners.get(number)
    if listener is not None:
        listener.deliver(news)


def _forget(number: int) -> None:
    listener = _listeners.pop(number, None)
    if listener is not None:
        listener.stream.stop()


def _stop_all() -> None:
    for number in list(_listeners):
        _forget(number)


@dataclass
class _Current:
    """The view's stream, as a plain object the view's `destroyed` handler may keep."""

    number: int = 0
    stream: EventStream | None = None

    def stop(self) -> None:
        _forget(self.number)


class LiveView(QWidget):
    """Emits `session_ended(ApiFailure)` when the appliance no longer accepts the login and
    `health_changed(dict)` with the appliance's health (`/api/health`'s shape) whenever the
    stream brings it: on connecting and on every change."""

    session_ended = Signal(object)
    health_changed = Signal(dict)

    def __init__(self, client: ApplianceClient, parent: QWidget | None = None,
                 first_retry_s: float = FIRST_RETRY_S, max_retry_s: float = MAX_RETRY_S,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(parent)
        self.client = client
        self.calls = BackgroundCalls(self)
        self.model = LiveCallsModel(clock, parent=self)
        self._first_retry_s = first_retry_s
        self._max_retry_s = max_retry_s
        self._current = _Current()
        self._retry_at: float | None = None  # time.monotonic() of the next attempt
        self._ended = False
        self._connected = False
        current = self._current
        self.destroyed.connect(lambda: current.stop())  # not self: it is being deleted

        self.connection_label = QLabel()
        self.connection_label.setObjectName("connection")
        self.error = error_label()
        self.try_again_button = try_again_button(self.tr("Connect again"))
        self.try_again_button.clicked.connect(self.start)
        self.empty_label = QLabel(self.tr("No calls in progress."))
        self.empty_label.setObjectName("empty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.table = table_view(self.model, selectable=False)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setWordWrap(True)
        # Each call's legs are one line each: the row grows with them.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for signal in (self.model.rowsInserted, self.model.rowsRemoved):
            signal.connect(self._show_emptiness)

        top = QHBoxLayout()
        top.addWidget(self.connection_label, 1)
        top.addWidget(self.try_again_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label, 1)
        layout.addStretch(0)  # keeps the lines on top while neither table nor label shows

        self._timer = QTimer(self, interval=TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self.start()

    # --- the stream -------------------------------------------------------------------------

    @property
    def stream(self) -> EventStream | None:
        return self._current.stream

    def start(self) -> None:
        """(Re)connect: at construction, and when the person asks after the view gave up."""
        self._current.stop()
        self._ended = False
        self._retry_at = None
        self._set_connected(False)
        self.try_again_button.setVisible(False)
        self.error.setVisible(False)
        self._set_connection(self.tr("Connecting…"), WAITING_STYLE)
        relay = _relay_on_ui_thread()
        number = next(_stream_numbers)

        def deliver(news: News) -> None:  # on the stream's thread: the relay, nothing else
            relay.news.emit(number, news)

        stream = EventStream(self.client.base_url, self.client.fingerprint,
                             self.client.token or "", deliver, self._first_retry_s,
                             self._max_retry_s)
        _listeners[number] = _Listener(stream, self._on_news)
        self._current.number, self._current.stream = number, stream
        stream.start()

    def stop(self) -> None:
        """Stop following; nothing from the stream arrives after this.  The main window calls
        it when the session ends, and closing the view does."""
        self._current.stop()
        self._retry_at = None
        self._set_connected(False)

    def closeEvent(self, event: QEvent) -> None:
        self.stop()
        if self.stream is not None and not self.stream.join(STOP_WAIT_S):
            log.warning("the live events thread did not end within %.0f s", STOP_WAIT_S)
        super().closeEvent(event)

    def _on_news(self, news: News) -> None:
        if isinstance(news, Received):
            self._received(news.message)
        elif isinstance(news, Connected):
            self._retry_at = None
            self._set_connected(True)
            self.error.setVisible(False)
            self._set_connection(self.tr("Connected: calls appear here as they come in."),
                                 CONNECTED_STYLE)
        elif isinstance(news, Retrying):
            self._set_connected(False)
            self._retry_at = time.monotonic() + news.delay_s
            self._show_retry()
            self.error.setText(describe(news.failure))
            self.error.setVisible(True)
        elif isinstance(news, Ended):
            self._gave_up(news.failure)
        elif isinstance(news, Incompatible):
            self._incompatible(news.detail)

    def _received(self, message: dict[str, Any]) -> None:
        kind = message.get("kind")
        if kind == "call" and isinstance(message.get("event"), dict):
            event = message["event"]
            if not self.model.apply(event):
                log.debug("live view: an event of a type it does not show: %r",
                          event.get("type"))
            elif (event.get("type") == EventType.CALL_STARTED
                  and event.get("number_id") is not None
                  and event.get("dialled") not in self.model.number_names):
                self._name_numbers()  # a number added since the names were read
        elif kind in ("hello", "health") and isinstance(message.get("health"), dict):
            self.health_changed.emit(message["health"])
            if kind == "hello":
                self._catch_up()

    def _catch_up(self) -> None:
        """Calls that began before this connection (or ended while there was none)."""
        self.calls.run(lambda: self.client.get("/api/calls", limit=SEED_CALLS),
                       lambda page: self.model.seed(page["items"]), self._catch_up_failed)
        self._name_numbers()

    def _name_numbers(self) -> None:
        self.calls.run(lambda: self.client.get("/api/numbers"), self.model.name_numbers,
                       self._catch_up_failed)

    def _catch_up_failed(self, failure: ApiFailure) -> None:
        if failure.kind is FailureKind.UNAUTHORIZED:
            self._gave_up(failure)
        else:  # the events still come; only calls begun earlier (or names) are missing
            log.warning("live view: the calls in progress could not be read: %s", failure)

    def _gave_up(self, failure: ApiFailure) -> None:
        self.stop()
        if failure.kind is FailureKind.UNAUTHORIZED:
            self._set_connection(self.tr("Not connected: the session has ended."),
                                 STOPPED_STYLE)
            if not self._ended:
                self._ended = True
                self.session_ended.emit(failure)
            return
        if failure.kind is FailureKind.FORBIDDEN:
            self._set_connection(self.tr("Not connected: only admins can follow calls live."),
                                 STOPPED_STYLE)
            return
        self._set_connection(self.tr("Not connected."), STOPPED_STYLE)
        self.error.setText(describe(failure))
        self.error.setVisible(True)
        self.try_again_button.setVisible(True)

    def _incompatible(self, detail: str) -> None:
        """The console and the appliance speak different versions of the live view."""
        self.stop()
        self._set_connection(self.tr("Not connected: this console and the switchboard speak "
                                     "different versions of the live view."), STOPPED_STYLE)
        self.error.setText(self.tr("Update the console or the switchboard, whichever is "
                                   "older. ({detail})").format(detail=detail))
        self.error.setVisible(True)
        self.try_again_button.setVisible(True)

    # --- display ----------------------------------------------------------------------------

    def _tick(self) -> None:
        self.model.tick()
        if self._retry_at is not None:
            self._show_retry()

    def _show_retry(self) -> None:
        assert self._retry_at is not None
        seconds = max(0, math.ceil(self._retry_at - time.monotonic()))
        if seconds:
            self._set_connection(self.tr("Connection lost. Trying again in {seconds} s.").format(
                seconds=seconds), WAITING_STYLE)
        else:
            self._set_connection(self.tr("Connection lost. Connecting…"), WAITING_STYLE)

    def _set_connection(self, text: str, style: str) -> None:
        self.connection_label.setText(text)
        self.connection_label.setStyleSheet(style)

    def _set_connected(self, connected: bool) -> None:
        self._connected = connected
        self._show_emptiness()

    def _show_emptiness(self) -> None:
        empty = self.model.rowCount() == 0
        # Without a connection nobody knows whether calls are in progress: say nothing.
        self.empty_label.setVisible(empty and self._connected)
        self.table.setVisible(not empty)
