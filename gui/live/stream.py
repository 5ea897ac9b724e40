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

The connection runs on an asyncio event loop of the thread's own: one TLS connection is then
read and written by one thread through memory buffers, and every wait (connecting, the
handshake, a message, a pause) is one the stream can give up on.  The blocking client of
`websockets` reads the socket on a second thread while the first writes the upgrade request,
and OpenSSL's connections are not safe to use from two threads at once: the TLS 1.3 session
tickets the appliance sends right after the handshake put that reader inside a blocking
OpenSSL read just as the request is written.  Now and then no answer came, and the reader,
which closing the socket does not wake, outlived the handshake's timeout and `stop()`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
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
T = TypeVar("T")


class _Stopped(Exception):
    """`stop()` was called while the thread waited."""


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
        handshake (or the `/api/me` question, if one is under way)."""
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
        asyncio.run(self._follow())

    async def _follow(self) -> None:
        asyncio.get_running_loop().set_exception_handler(_report_unless_a_changed_certificate)
        delay = self._first_retry_s
        while not self._stopping.is_set():
            try:
                outcome = await self._listen()
            except _Stopped:
                return
            if self._stopping.is_set():
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
            try:
                await self._unless_stopped(asyncio.sleep(delay))
            except _Stopped:
                return
            delay = min(delay * 2, self._max_retry_s)

    async def _unless_stopped(self, awaitable: Awaitable[T]) -> T:
        """What `awaitable` gives, looking every `POLL_S` whether the stream was stopped;
        if it was, the awaitable is cancelled and `_Stopped` raised."""
        task = asyncio.ensure_future(awaitable)
        try:
            while not self._stopping.is_set():
                done, _ = await asyncio.wait({task}, timeout=POLL_S)
                if done:
                    return task.result()
        except BaseException:
            task.cancel()
            raise
        task.cancel()
        raise _Stopped

    async def _listen(self) -> _Outcome | Incompatible:
        """One connection, until it breaks (the outcome) or the stream stops (`_Stopped`)."""
        connected = False
        try:
            # proxy=None: no proxy from the environment ever sees the connection.
            websocket = await self._unless_stopped(connect(
                self._url, ssl=pinned_context(self._fingerprint), proxy=None,
                additional_headers={"Authorization": f"Bearer {self._token}"},
                subprotocols=[SUBPROTOCOL], open_timeout=CONNECT_TIMEOUT_S,
                close_timeout=CLOSE_TIMEOUT_S))
            async with websocket:
                if websocket.subprotocol != SUBPROTOCOL:
                    return await _incompatible(websocket)
                connected = True
                self._emit(Connected())
                while True:
                    self._receive(await self._unless_stopped(websocket.recv()))
        except FingerprintMismatch as error:
            return _Outcome(ApiFailure(FailureKind.TLS_MISMATCH, str(error)), final=True)
        except InvalidStatus as error:
            status = error.response.status_code
            if status in REFUSED_STATUSES:
                return await asyncio.to_thread(
                    self._why_refused, f"the appliance refused the live view ({status})")
            return _Outcome(_unreachable(f"the upgrade was answered {status}"))
        except ConnectionClosed as error:
            close = error.rcvd
            if close is not None and close.code == POLICY_VIOLATION:
                return await asyncio.to_thread(
                    self._why_refused, f"the appliance closed the live view: {close.reason}")
            reason = f"code {close.code} {close.reason}".strip() if close else "no close frame"
            return _Outcome(_unreachable(f"the connection closed ({reason})"),
                            was_connected=connected)
        except (OSError, InvalidHandshake) as error:  # TimeoutError and ssl errors included
            return _Outcome(_unreachable(f"{self._url}: {error or type(error).__name__}"),
                            was_connected=connected)
        except _Stopped:
            raise
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


async def _incompatible(websocket: ClientConnection) -> Incompatible:
    """Why an appliance answered without this console's version: one that speaks versions
    closes at once with `UNSUPPORTED_VERSION` and says which; one older than versions does
    not know to, and sends its messages."""
    try:
        await asyncio.wait_for(websocket.recv(), CONNECT_TIMEOUT_S)
    except ConnectionClosed as error:
        if error.rcvd is not None and error.rcvd.code == UNSUPPORTED_VERSION:
            return Incompatible(f"the appliance closed the live view: {error.rcvd.reason}")
    except TimeoutError:
        pass
    return Incompatible(f"the appliance's live view has no version, it is older than "
                        f"{SUBPROTOCOL}")


def _report_unless_a_changed_certificate(loop: asyncio.AbstractEventLoop,
                                          context: dict[str, Any]) -> None:
    """asyncio reports an exception raised inside its TLS handshake as a fatal error of the
    transport, with a traceback, and then raises it from the connection attempt as well:
    a changed certificate is then said once, as `Ended`, and is not logged as a defect."""
    if not isinstance(context.get("exception"), FingerprintMismatch):
        loop.default_exception_handler(context)


def _unreachable(message: str) -> ApiFailure:
    return ApiFailure(FailureKind.UNREACHABLE, message)
