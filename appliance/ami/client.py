"""A thread-safe Asterisk Manager Interface client built on pyst2's ``asterisk.manager``.

pyst2 (the customer's choice) parses AMI messages well enough but is unsafe with more than one
thread: ``send_action(cdict={})`` shares its default dict between calls (two actions can share an
ActionID), replies go to whoever waits longest rather than to the action they answer, writes are
not locked, ``ManagerMsg.parse`` calls Python 2's ``has_key`` for ``ChanVariable`` headers (killing
its message thread), and it uses the deprecated ``setDaemon``/``isSet``.  Its reader also reads the
socket one byte per system call and glues every event that follows a ``Status`` reply into that
reply.  ``_Manager`` subclasses it and replaces those parts: one buffered reader thread frames
messages, replies are matched to their action by ActionID, events go to listeners in arrival order
on a separate thread (so a listener may itself call :meth:`AmiClient.action`).

Headers become ``dict[str, str]``.  A header that repeats (``Output`` of ``Command``) keeps its
values joined with ``\\n``; one repeated verbatim (a UserEvent's ``Channel`` field next to the
event's own ``Channel``) is kept once.  Channel variables (``ChanVariable: NAME=value``, also
``DestChanVariable`` and friends) become ``ChanVariable(NAME): value``.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import BinaryIO

from asterisk import manager as pyst_manager

log = logging.getLogger(__name__)

Headers = dict[str, str]
Listener = Callable[[Headers], None]
HeaderValue = str | int | float | Iterable[str]

EOL = "\r\n"
GREETING_PREFIX = "Asterisk Call Manager/"
# Asterisk drops (and only logs) a received line longer than this, counting its CRLF.
MAX_LINE_BYTES = 1024
DEFAULT_ACTION_TIMEOUT = 10.0
LOGOFF_TIMEOUT = 1.0


class AmiError(Exception):
    """Base of every AMI client error."""


class AmiConnectionError(AmiError):
    """Asterisk cannot be reached, or the connection was lost or is not open."""


class AmiAuthError(AmiError):
    """Asterisk refused the username or secret."""


class AmiTimeout(AmiError):
    """No reply to an action within the timeout."""


class AmiActionError(AmiError):
    """Asterisk answered ``Response: Error``; ``response`` holds the reply headers."""

    def __init__(self, action: str, response: Headers) -> None:
        super().__init__(f"AMI action {action} failed: {response.get('Message', 'no message')}")
        self.response = response


class _Message(pyst_manager.ManagerMsg):
    """pyst2's message parser with ``ChanVariable`` handling fixed and values kept as ``str``."""

    def parse(self, response: list[str]) -> None:
        data: list[str] = []
        for index, line in enumerate(response):
            # A header ends in CRLF and has a colon; anything else starts free-form data.
            if not line.endswith(EOL) or ":" not in line:
                data.extend(response[index:])
                break
            key, value = (part.strip() for part in line.split(":", 1))
            if "ChanVariable" in key:
                key, value = _channel_variable_header(key, value)
            self._add_header(key, value)
        self.data = "".join(data)

    def _add_header(self, key: str, value: str) -> None:
        previous = self.headers.get(key)
        if previous is None:
            self.headers[key] = value
        elif previous != value:  # a UserEvent field may repeat a standard header verbatim
            self.headers[key] = f"{previous}\n{value}"


def _channel_variable_header(key: str, value: str) -> tuple[str, str]:
    """``ChanVariable: NAME=v`` -> (``ChanVariable(NAME)``, v).  Asterisk before 12 wrote
    ``ChanVariable(SIP/x-1): NAME=v``; the channel is dropped, each event has one channel."""
    prefix = key.split("(", 1)[0]
    name, _, variable_value = value.partition("=")
    return f"{prefix}({name.strip()})", variable_value.strip()


@dataclass
class _Pending:
    """An action waiting for its reply (and, for list actions, the events carrying its ID)."""

    collect_events: bool
    done: threading.Event = field(default_factory=threading.Event)
    response: _Message | None = None
    events: list[Headers] = field(default_factory=list)


class _Manager(pyst_manager.Manager):
    """One AMI connection.  A new instance per connection keeps reconnects free of old state."""

    def __init__(self, on_event: Listener) -> None:
        # pyst2's __init__ builds its threads with the deprecated setDaemon and wires its FIFO
        # reply queue; set only the state the inherited helpers (login, logoff, ...) rely on.
        self._sock: BinaryIO | None = None
        self._raw_sock: socket.socket | None = None
        self.title: str | None = None
        self.version: str | None = None
        self.hostname = socket.gethostname()
        self._connected = threading.Event()
        self._running = threading.Event()
        self._seqlock = threading.Lock()  # pyst2's next_seq() numbers the ActionIDs
        self._seq = 0
        self.reply_timeout = DEFAULT_ACTION_TIMEOUT
        self._on_event = on_event
        self._write_lock = threading.Lock()
        self._pending_lock = threading.Lock()
        self._pending: dict[str, _Pending] = {}
        self._event_queue: queue.Queue[Headers | None] = queue.Queue()
        self._reader: threading.Thread | None = None
        self._dispatcher: threading.Thread | None = None

    # --- connection -----------------------------------------------------------------------

    def connect(self, host: str, port: int = 5038, timeout: float = 5.0) -> str:
        """Open the socket and read the greeting; returns the greeting line."""
        try:
            raw = socket.create_connection((host, port), timeout=timeout)
        except OSError as exc:
            raise AmiConnectionError(f"cannot connect to AMI at {host}:{port}: {exc}") from exc
        self._raw_sock = raw
        self._sock = raw.makefile("rwb")
        greeting = self._read_greeting(host, port)
        raw.settimeout(None)  # the reader blocks; close() wakes it with shutdown()
        self._connected.set()
        self._running.set()
        self._reader = threading.Thread(target=self._read_loop, name="ami-reader", daemon=True)
        self._dispatcher = threading.Thread(target=self._dispatch_loop, name="ami-events",
                                            daemon=True)
        self._reader.start()
        self._dispatcher.start()
        return greeting

    def _read_greeting(self, host: str, port: int) -> str:
        assert self._sock is not None
        try:
            line = self._sock.readline().decode("utf-8", "replace").strip()
        except OSError as exc:
            self._close_socket()
            raise AmiConnectionError(f"no AMI greeting from {host}:{port}: {exc}") from exc
        if not line.startswith(GREETING_PREFIX):
            self._close_socket()
            raise AmiConnectionError(f"{host}:{port} is not AMI (greeting {line!r})")
        self.title, _, self.version = line.partition("/")
        return line

    def connected(self) -> bool:
        return self._connected.is_set()

    def close(self) -> None:
        """Log off (best effort), stop the threads and close the socket.  Safe to repeat."""
        if self._connected.is_set():
            self.reply_timeout = LOGOFF_TIMEOUT
            with contextlib.suppress(AmiError):
                self.logoff()
        if self._raw_sock is not None:
            with contextlib.suppress(OSError):
                self._raw_sock.shutdown(socket.SHUT_RDWR)
        current = threading.current_thread()
        for thread in (self._reader, self._dispatcher):
            if thread is not None and thread is not current:
                thread.join()
        self._close_socket()
        self._running.clear()

    def _close_socket(self) -> None:
        for closable in (self._sock, self._raw_sock):
            if closable is not None:
                with contextlib.suppress(OSError):
                    closable.close()

    # --- sending --------------------------------------------------------------------------

    def send_action(self, cdict: dict[str, HeaderValue] | None = None,
                    **kwargs: HeaderValue) -> _Message:
        """Send one action and wait for the reply that carries its ActionID."""
        pending = self._send(cdict, kwargs, collect_events=False)
        assert pending.response is not None
        return pending.response

    def send_list_action(self, cdict: dict[str, HeaderValue]) -> tuple[Headers, list[Headers]]:
        """Send an action whose result is a list of events (``EventList: start`` ... the event
        with ``EventList: Complete``); returns the reply and the events in between."""
        pending = self._send(cdict, {}, collect_events=True)
        assert pending.response is not None
        return dict(pending.response.headers), pending.events

    def _send(self, cdict: dict[str, HeaderValue] | None, extra: dict[str, HeaderValue],
              *, collect_events: bool) -> _Pending:
        if not self._connected.is_set():
            raise AmiConnectionError("not connected to AMI")
        headers = {**(cdict or {}), **extra}
        action_id = str(headers.setdefault("ActionID", f"{self.hostname}-{self.next_seq():08x}"))
        payload = _encode_action(headers)
        pending = _Pending(collect_events)
        # Registered before writing: the reply may arrive before we start to wait.
        with self._pending_lock:
            self._pending[action_id] = pending
        try:
            self._write(payload)
            if not pending.done.wait(self.reply_timeout):
                raise AmiTimeout(f"no reply to {headers.get('Action')} within "
                                 f"{self.reply_timeout:.1f} s")
        finally:
            with self._pending_lock:
                self._pending.pop(action_id, None)
        if pending.response is None:
            raise AmiConnectionError(f"AMI connection lost during {headers.get('Action')}")
        return pending

    def _write(self, payload: bytes) -> None:
        assert self._sock is not None
        try:
            with self._write_lock:
                self._sock.write(payload)
                self._sock.flush()
        except OSError as exc:
            raise AmiConnectionError(f"AMI write failed: {exc}") from exc

    # --- receiving ------------------------------------------------------------------------

    def _read_loop(self) -> None:
        assert self._sock is not None
        lines: list[str] = []
        try:
            for raw_line in self._sock:
                line = raw_line.decode("utf-8", "replace")
                if line.strip():
                    lines.append(line)
                elif lines:
                    self._route(_Message(lines))
                    lines = []
        except OSError as exc:
            if self._connected.is_set():
                log.warning("AMI read failed: %s", exc)
        except Exception:
            # A parser bug must not leave a dead reader behind a live-looking connection.
            log.exception("AMI reader failed")
        finally:
            self._on_disconnect()

    def _route(self, message: _Message) -> None:
        headers: Headers = dict(message.headers)
        if "Event" in headers:
            self._collect_list_event(headers)
            self._event_queue.put(headers)
        else:
            self._resolve_reply(message)

    def _resolve_reply(self, message: _Message) -> None:
        headers = message.headers
        with self._pending_lock:
            pending = self._pending.get(headers.get("ActionID", ""))
        if pending is None:
            log.debug("AMI reply nobody waits for (timed out?): %s", headers)
            return
        pending.response = message
        lists_follow = headers.get("EventList", "").lower() == "start"
        if not (pending.collect_events and lists_follow):
            pending.done.set()

    def _collect_list_event(self, headers: Headers) -> None:
        if "ActionID" not in headers:
            return
        with self._pending_lock:
            pending = self._pending.get(headers["ActionID"])
        if pending is None or not pending.collect_events:
            return
        if headers.get("EventList", "").lower() == "complete":
            pending.done.set()
        else:
            pending.events.append(headers)

    def _on_disconnect(self) -> None:
        self._connected.clear()
        with self._pending_lock:
            waiting = list(self._pending.values())
        for pending in waiting:
            pending.response = None
            pending.done.set()
        self._event_queue.put(None)

    def _dispatch_loop(self) -> None:
        while (headers := self._event_queue.get()) is not None:
            try:
                self._on_event(headers)
            except Exception:
                log.exception("AMI event dispatch failed for %s", headers.get("Event"))


def _encode_action(headers: dict[str, HeaderValue]) -> bytes:
    lines: list[str] = []
    for key, value in headers.items():
        values = [value] if isinstance(value, str | int | float) else list(value)
        lines.extend(f"{key}: {item}" for item in values)
    for line in lines:
        if "\r" in line or "\n" in line:
            # A line break would smuggle extra headers (or a whole action) into the stream.
            raise ValueError(f"AMI header contains a line break: {line[:60]!r}")
        if len(line.encode()) + len(EOL) > MAX_LINE_BYTES:
            log.warning("AMI line of %d bytes exceeds %d; Asterisk will drop it: %.60s...",
                        len(line.encode()) + len(EOL), MAX_LINE_BYTES, line)
    return (EOL.join(lines) + EOL + EOL).encode()


class AmiClient:
    """AMI connection with thread-safe actions, event listeners and a reconnect loop."""

    def __init__(self, host: str, port: int, username: str, secret: str, *,
                 event_filters: tuple[str, ...] = ()) -> None:
        """``event_filters``: regular expressions for AMI's ``Filter`` action, set after each
        login; only events matching one of them are sent to this connection."""
        self.host = host
        self.port = port
        self.username = username
        self._secret = secret
        self._event_filters = event_filters
        self.action_timeout = DEFAULT_ACTION_TIMEOUT
        self._listeners: list[Listener] = []
        self._listeners_lock = threading.Lock()
        self._manager: _Manager | None = None

    def __repr__(self) -> str:
        return f"AmiClient({self.host}:{self.port}, user={self.username!r})"

    @property
    def connected(self) -> bool:
        """True while logged in and the socket is open."""
        return self._manager is not None and self._manager.connected()

    def connect(self, timeout: float = 5.0) -> None:
        """Connect and log in; returns only once the login succeeded."""
        self.close()
        manager = _Manager(self._dispatch)
        manager.connect(self.host, self.port, timeout)
        manager.reply_timeout = timeout
        try:
            manager.login(self.username, self._secret)
        except pyst_manager.ManagerAuthException as exc:
            manager.close()
            raise AmiAuthError(f"AMI login as {self.username!r} refused: {exc}") from exc
        except AmiError:
            manager.close()
            raise
        manager.reply_timeout = self.action_timeout
        self._manager = manager
        log.info("AMI connected to %s:%s (%s)", self.host, self.port, manager.version)
        for pattern in self._event_filters:
            reply = self.action("Filter", check=False, Operation="Add", Filter=pattern)
            if reply.get("Response") != "Success":
                # Only an optimisation: unfiltered, the events still come, just more of them.
                log.warning("AMI filter %r refused: %s", pattern, reply.get("Message"))

    def close(self) -> None:
        """Log off and disconnect.  Listeners stay registered for the next connect()."""
        manager, self._manager = self._manager, None
        if manager is not None:
            manager.close()

    def action(self, name: str, *, check: bool = True, **headers: HeaderValue) -> Headers:
        """Send action ``name`` and return its reply headers.

        A list value sends the header once per item (``Variable=["A=1", "B=2"]``).  Raises
        :class:`AmiActionError` on ``Response: Error`` unless ``check`` is false.
        """
        reply = self._connected_manager().send_action({"Action": name, **headers})
        return _checked(name, dict(reply.headers), check)

    def action_list(self, name: str, *, check: bool = True,
                    **headers: HeaderValue) -> list[Headers]:
        """Send a list action (``CoreShowChannels``, ``Status``, ...) and return its events,
        without the closing ``...Complete`` event.  The events also reach the listeners."""
        reply, events = self._connected_manager().send_list_action({"Action": name, **headers})
        _checked(name, reply, check)
        return events

    def add_listener(self, callback: Listener) -> None:
        """Call ``callback(headers)`` for every event, in arrival order, on the event thread."""
        with self._listeners_lock:
            self._listeners.append(callback)

    def run_forever(self, on_connect: Callable[[AmiClient], object], stop: threading.Event, *,
                    min_delay: float = 1.0, max_delay: float = 30.0,
                    ping_interval: float = 20.0,
                    on_tick: Callable[[], None] = lambda: None) -> None:
        """Stay connected until ``stop`` is set, reconnecting with back-off whenever Asterisk
        is down or restarts.  ``on_connect`` runs after each successful login; if it fails the
        connection is dropped and retried.  ``on_tick`` runs each time the loop goes round (a
        few times a second while connected, before each retry): a watchdog's heartbeat."""
        delay = min_delay
        while not stop.is_set():
            on_tick()
            if self._try_connect(on_connect):
                delay = min_delay
                self._watch_connection(stop, ping_interval, on_tick)
                if not stop.is_set():
                    log.warning("AMI connection to %s:%s lost; reconnecting", self.host, self.port)
            else:
                log.info("retrying AMI in %.0f s", delay)
                stop.wait(delay)
                delay = min(delay * 2, max_delay)
        self.close()

    def _try_connect(self, on_connect: Callable[[AmiClient], object]) -> bool:
        try:
            self.connect()
        except AmiError as exc:
            log.warning("%s", exc)
            return False
        try:
            on_connect(self)
        except Exception:
            log.exception("AMI on-connect handler failed; dropping the connection")
            self.close()
            return False
        return True

    def _watch_connection(self, stop: threading.Event, ping_interval: float,
                          on_tick: Callable[[], None]) -> None:
        """Return when the connection drops or ``stop`` is set.  The ping finds a silent
        peer (Asterisk hung, socket half-open) that a read would wait on for ever."""
        last_ping = time.monotonic()
        while not stop.wait(0.2):
            on_tick()
            if not self.connected:
                return
            if time.monotonic() - last_ping >= ping_interval:
                last_ping = time.monotonic()
                try:
                    self.action("Ping")
                except AmiError as exc:
                    log.warning("AMI ping failed: %s", exc)
                    return

    def _connected_manager(self) -> _Manager:
        manager = self._manager
        if manager is None or not manager.connected():
            raise AmiConnectionError("not connected to AMI")
        return manager

    def _dispatch(self, headers: Headers) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(headers)
            except Exception:
                log.exception("AMI listener %r failed on %s", listener, headers.get("Event"))


def _checked(name: str, reply: Headers, check: bool) -> Headers:
    if check and reply.get("Response") == "Error":
        raise AmiActionError(name, reply)
    return reply
