"""The appliance's event WebSocket (`/api/events`), read on a thread of its own.

Plain Python, no Qt: the thread hands what happens to a `deliver` callable (the view turns that
into a queued signal on an object that outlives the thread), so the thread never holds a
reference to a window.  Once `stop()` has returned, `deliver` is never called again.

The connection is pinned like every other: the TLS handshake completes only with the
certificate whose fingerprint was confirmed, before the token goes out in the upgrade request.
A refused upgrade (403) does not say why, so the stream asks `/api/me` with the same token:
401 there means the session is over, an answer means the user is no admin.  Those two and a
changed certificate end the stream; anything else (the appliance restarting, the network
gone) is retried with a growing pause.

The version of the messages is the WebSocket subprotocol: the stream offers `SUBPROTOCOL`
and the appliance answers with it when it speaks it.  An appliance that answers with none
(one older than versioned messages) or closes with `UNSUPPORTED_VERSION` (one that no longer
speaks this version) ends the stream with `Incompatible`: retrying cannot help until one of
the two is updated, and messages this console would misread must not pass for a quiet day.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from paivystys.gui.net.client import ApiFailure, ApplianceClient, FailureKind
from paivystys.gui.net.pinning import FingerprintMismatch, pinned_context

log = logging.getLogger(__name__)

EVENTS_PATH = "/api/events"
CONNECT_TIMEOUT_S = 5.0
# How often a quiet connection looks whether it should stop: bounds how long closing waits.
POLL_S = 0.25
CLOSE_TIMEOUT_S = 1.0
FIRST_RETRY_S = 1.0
MAX_RETRY_S = 30.0
POLICY_VIOLATION = 1008  # the close code the appliance uses for "not allowed"
UNSUPPORTED_VERSION = 4426  # the close code for "this appliance does not speak that version"
REFUSED_STATUSES = (401, 403)
# The version of the live feed this console reads (its event types: `model.EventType`).
SUBPROTOCOL = Subprotocol("paivystys.events.v1")


@dataclass(frozen=True)
class Connected:
    """The upgrade succeeded; messages follow."""


@dataclass(frozen=True)
class Received:
    """One message from the appliance: ``{"kind": "hello" | "health" | "call", ...}``."""

    message: dict[str, Any]


@dataclass(frozen=True)
class Retrying:
    """The connection failed or broke; the next attempt starts in `delay_s` seconds."""

    delay_s: float
    failure: ApiFailure


@dataclass(frozen=True)
class Ended:
    """The stream gave up for good: UNAUTHORIZED, FORBIDDEN or TLS_MISMATCH."""

    failure: ApiFailure


@dataclass(frozen=True)
class Incompatible:
    """The stream gave up for good: the appliance does not speak `SUBPROTOCOL`; `detail`
    says what it answered (English, for the details line and the log)."""

    detail: str


News = Connected | Received | Retrying | Ended | Incompatible


@dataclass(frozen=True)
class _Outcome:
    failure: ApiFailure
    final: bool = False
    was_connected: bool = False


class EventStream:
    """Reads the live events of the appliance at `base_url` until stopped or refused."""

    def __init__(self, base_url: str, fingerprint: str, token: str,
                 deliver: Callable[[News], None], first_retry_s: float = FIRST_RETRY_S,
                 max_retry_s: float = MAX_RETRY_S) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "https" or parts.hostname is None:
            raise ValueError(f"{base_url} is not an https URL: the token goes only over TLS")
        self._base_url = base_url
        self._address = (parts.hostname, parts.port or 443)
        self._url = f"wss://{parts.netloc}{EVENTS_PATH}"
        self._fingerprint = fingerprint
        self._token = token
        self._deliver = deliver
        self._first_retry_s = first_retry_s
        self._max_retry_s = max_retry_s
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="live-events", daemon=True)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """No news after this returns; the thread ends within about `POLL_S` plus a close
        handshake (or a connect attempt's timeout, if one is under way)."""
        with self._lock:
            self._stopping.set()

    def join(self, timeout: float) -> bool:
        """Wait for the thread to end; whether it did."""
        if self._thread.ident is not None:
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def _emit(self, news: News) -> None:
        # Under the lock, so a stop() on the UI thread cannot slip between check and send.
        with self._lock:
            if not self._stopping.is_set():
                self._deliver(news)

    # --- the thread -----------------------------------------------------------------------

    def _run(self) -> None:
        delay = self._first_retry_s
        while not self._stopping.is_set():
            outcome = self._listen()
            if outcome is None or self._stopping.is_set():
                return
            if isinstance(outcome, Incompatible):
                log.warning("live events: %s", outcome.detail)
                self._emit(outcome)
                return
            if outcome.final:
                self._emit(Ended(outcome.failure))
                return
            if outcome.was_connected:
                delay = self._first_retry_s  # it worked until now: no reason to wait long
            log.info("live events: %s; again in %.0f s", outcome.failure.message, delay)
            self._emit(Retrying(delay, outcome.failure))
            if self._stopping.wait(delay):
                return
            delay = min(delay * 2, self._max_retry_s)

    def _listen(self) -> _Outcome | Incompatible | None:
        """One connection, until it breaks (the outcome) or the stream stops (None)."""
        connected = False
        try:
            # Our own TCP socket: no proxy from the environment ever sees the connection.
            with (socket.create_connection(self._address, timeout=CONNECT_TIMEOUT_S) as sock,
                  connect(self._url, sock=sock, ssl=pinned_context(self._fingerprint),
                          additional_headers={"Authorization": f"Bearer {self._token}"},
                          subprotocols=[SUBPROTOCOL], open_timeout=CONNECT_TIMEOUT_S,
                          close_timeout=CLOSE_TIMEOUT_S) as websocket):
                if websocket.subprotocol != SUBPROTOCOL:
                    return _incompatible(websocket)
                connected = True
                self._emit(Connected())
                while not self._stopping.is_set():
                    try:
                        raw = websocket.recv(timeout=POLL_S)
                    except TimeoutError:
                        continue
                    self._receive(raw)
            return None
        except FingerprintMismatch as error:
            return _Outcome(ApiFailure(FailureKind.TLS_MISMATCH, str(error)), final=True)
        except InvalidStatus as error:
            status = error.response.status_code
            if status in REFUSED_STATUSES:
                return self._why_refused(f"the appliance refused the live view ({status})")
            return _Outcome(_unreachable(f"the upgrade was answered {status}"))
        except ConnectionClosed as error:
            close = error.rcvd
            if close is not None and close.code == POLICY_VIOLATION:
                return self._why_refused(f"the appliance closed the live view: {close.reason}")
            reason = f"code {close.code} {close.reason}".strip() if close else "no close frame"
            return _Outcome(_unreachable(f"the connection closed ({reason})"),
                            was_connected=connected)
        except (OSError, InvalidHandshake) as error:  # TimeoutError and ssl errors included
            return _Outcome(_unreachable(f"{self._url}: {error or type(error).__name__}"),
                            was_connected=connected)
        except Exception as error:
            # A defect, not the network: log it for the bug report, and keep the view alive
            # with retries rather than let the thread die and the view say "connected".
            log.exception("live events: unexpected failure")
            return _Outcome(_unreachable(f"{type(error).__name__}: {error}"),
                            was_connected=connected)

    def _receive(self, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            log.warning("live events: not JSON: %r", raw[:200])
            return
        if isinstance(message, dict):
            self._emit(Received(message))

    def _why_refused(self, what: str) -> _Outcome:
        """Ask the REST API what the WebSocket cannot say: whether the token still counts."""
        try:
            with ApplianceClient(self._base_url, self._fingerprint, self._token) as client:
                me = client.get("/api/me")
        except ApiFailure as failure:
            # It goes to the UI thread: without this thread's frames.
            failure.__traceback__ = failure.__cause__ = failure.__context__ = None
            if failure.kind in (FailureKind.UNAUTHORIZED, FailureKind.TLS_MISMATCH):
                return _Outcome(failure, final=True)
            return _Outcome(_unreachable(f"{what}; {failure.message}"))
        if me.get("role") != "admin":
            return _Outcome(ApiFailure(FailureKind.FORBIDDEN, what), final=True)
        # An admin whose token still works was refused: a race with a restart; try again.
        return _Outcome(_unreachable(what))


def _incompatible(websocket: ClientConnection) -> Incompatible:
    """Why an appliance answered without this console's version: one that speaks versions
    closes at once with `UNSUPPORTED_VERSION` and says which; one older than versions does
    not know to, and sends its messages."""
    try:
        websocket.recv(timeout=CONNECT_TIMEOUT_S)
    except ConnectionClosed as error:
        if error.rcvd is not None and error.rcvd.code == UNSUPPORTED_VERSION:
            return Incompatible(f"the appliance closed the live view: {error.rcvd.reason}")
    except TimeoutError:
        pass
    return Incompatible(f"the appliance's live view has no version, it is older than "
                        f"{SUBPROTOCOL}")


def _unreachable(message: str) -> ApiFailure:
    return ApiFailure(FailureKind.UNREACHABLE, message)
