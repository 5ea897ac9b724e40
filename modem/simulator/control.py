"""Driving a simulator that runs as its own process: JSON lines over a Unix socket.

The lab CLI (and tests of whole processes) cannot call ``ModemSimulator`` methods directly,
so each method has a command.  One request is one JSON object on one line; the answer is one
JSON object on one line, ``{"ok": true, ...}`` or ``{"ok": false, "error": "..."}``.

Commands (fields in brackets are optional):

- ``{"cmd": "incoming", "from": "+358401234567", "text": "ON"}``: a message arrives; the
  answer has ``"slots"``, the storage index of each part (null: memory full, held back).
- ``{"cmd": "silent", ["seconds": 30]}``: answer nothing for that long (null or absent:
  until ``wake``).
- ``{"cmd": "wake"}``: answer again.
- ``{"cmd": "fail_next", "count": 2, ["code": 500]}``: the next sends get +CMS ERROR: code.
- ``{"cmd": "network", "registered": false}``: lose or regain the network (sends: 331).
- ``{"cmd": "stall", "seconds": 5}``: the next send goes out but is answered that late.
- ``{"cmd": "stray_byte"}``: an unsolicited line that is not UTF-8.
- ``{"cmd": "set", ["delivery_delay": 2 | null], ["send_delay": 1.5], ["cms_error_rate": 0.1],
  ["rssi": 15]}``.
- ``{"cmd": "sent"}``: the answer has ``"messages"``, each ``SentMessage.to_dict()``.
- ``{"cmd": "status"}``: the simulator's state (pid, link, silent, registered, storage...).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import socketserver
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from paivystys.modem.simulator.device import ModemSimulator
from paivystys.modem.simulator.sent_log import SentMessage

__all__ = ["ControlServer", "SimulatorControl", "SimulatorControlError", "handle_request"]

MAX_REQUEST_BYTES = 1 << 20
SHUTDOWN_POLL_S = 0.05


class BadRequest(ValueError):
    """A request the simulator cannot carry out; its text goes back to the client."""


def handle_request(simulator: ModemSimulator, request: object) -> dict[str, Any]:
    """Carry out one decoded request; never raises for a bad one."""
    try:
        if not isinstance(request, dict):
            raise BadRequest("request must be a JSON object")
        command = request.get("cmd")
        handler = _COMMANDS.get(command) if isinstance(command, str) else None
        if handler is None:
            raise BadRequest(f"unknown command {command!r}; known: {', '.join(sorted(_COMMANDS))}")
        return {"ok": True, **handler(simulator, _Arguments(command, request))}
    except BadRequest as error:
        return {"ok": False, "error": str(error)}
    except ValueError as error:  # refused by the simulator itself
        return {"ok": False, "error": f"{command}: {error}"}


class _Arguments:
    """A request's fields, checked by type, with errors that name the command and field."""

    def __init__(self, command: str, request: dict[str, Any]) -> None:
        self._command = command
        self._request = request

    def _fail(self, key: str, expected: str) -> BadRequest:
        return BadRequest(f"{self._command}: {key!r} must be {expected}")

    def text(self, key: str, *, non_empty: bool = False) -> str:
        value = self._request.get(key)
        if not isinstance(value, str) or (non_empty and not value):
            raise self._fail(key, "a non-empty string" if non_empty else "a string")
        return value

    def number(self, key: str, *, maximum: float | None = None) -> float:
        """A number >= 0 (and <= maximum)."""
        value = self._request.get(key)
        if (isinstance(value, bool) or not isinstance(value, int | float) or value < 0
                or (maximum is not None and value > maximum)):
            bounds = f" and <= {maximum}" if maximum is not None else ""
            raise self._fail(key, f"a number >= 0{bounds}")
        return float(value)

    def optional_number(self, key: str) -> float | None:
        """A number >= 0, or null / absent for "no value"."""
        if self._request.get(key) is None:
            return None
        value = self._request[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise self._fail(key, "a number >= 0 or null")
        return float(value)

    def integer(self, key: str, default: int | None = None, maximum: int | None = None) -> int:
        value = self._request.get(key, default)
        if (isinstance(value, bool) or not isinstance(value, int) or value < 0
                or (maximum is not None and value > maximum)):
            bounds = f"0..{maximum}" if maximum is not None else ">= 0"
            raise self._fail(key, f"an integer {bounds}")
        return value

    def boolean(self, key: str) -> bool:
        value = self._request.get(key)
        if not isinstance(value, bool):
            raise self._fail(key, "true or false")
        return value

    def has(self, key: str) -> bool:
        return key in self._request


def _incoming(simulator: ModemSimulator, arguments: _Arguments) -> dict[str, Any]:
    sender, text = arguments.text("from", non_empty=True), arguments.text("text")
    return {"slots": simulator.incoming(sender, text)}


def _silent(simulator: ModemSimulator, arguments: _Arguments) -> dict[str, Any]:
    simulator.go_silent(arguments.optional_number("seconds"))
    return {}


def _wake(simulator: ModemSimulator, arguments: _Arguments) -> dict[str, Any]:
    simulator.wake()
    return {}


def _fail_next(simulator: ModemSimulator, arguments: _Arguments) -> dict[str, Any]:
    simulator.fail_next(arguments.integer("count"), arguments.integer("code", 500, maximum=511))
    return {}


def _network(simulator: ModemSimulator, arguments: _Arguments) -> dict[str, Any]:
    simulator.set_network(arguments.boolean("registered"))
    return {}


def _stall(simulator: ModemSimulator, arguments: _Arguments) -> dict[str, Any]:
    simulator.stall_next_send(arguments.number("seconds"))
    return {}


def _stray_byte(simulator: ModemSimulator, arguments: _Arguments) -> dict[str, Any]:
    simulator.stray_byte()
    return {}


def _set(simulator: ModemSimulator, arguments: _Arguments) -> dict[str, Any]:
    # All checked before any is changed, so a bad request changes nothing.
    changes: list[Callable[[], None]] = []
    if arguments.has("delivery_delay"):
        delay = arguments.optional_number("delivery_delay")
        changes.append(lambda: setattr(simulator, "delivery_delay", delay))
    if arguments.has("send_delay"):
        send_delay = arguments.number("send_delay")
        changes.append(lambda: setattr(simulator, "send_delay", send_delay))
    if arguments.has("cms_error_rate"):
        rate = arguments.number("cms_error_rate", maximum=1.0)
        changes.append(lambda: setattr(simulator, "cms_error_rate", rate))
    if arguments.has("rssi"):
        rssi = arguments.integer("rssi", maximum=99)
        if rssi > 31 and rssi != 99:
            raise BadRequest("set: 'rssi' must be 0..31 or 99 (not known)")
        changes.append(lambda: setattr(simulator, "rssi", rssi))
    if not changes:
        raise BadRequest("set: give at least one of 'delivery_delay', 'send_delay', "
                         "'cms_error_rate', 'rssi'")
    for change in changes:
        change()
    return {}


def _sent(simulator: ModemSimulator, arguments: _Arguments) -> dict[str, Any]:
    return {"messages": [message.to_dict() for message in simulator.sent_messages()]}


def _status(simulator: ModemSimulator, arguments: _Arguments) -> dict[str, Any]:
    return {"pid": os.getpid(), **simulator.status()}


_COMMANDS: dict[str, Callable[[ModemSimulator, _Arguments], dict[str, Any]]] = {
    "incoming": _incoming, "silent": _silent, "wake": _wake, "fail_next": _fail_next,
    "network": _network, "stall": _stall, "stray_byte": _stray_byte, "set": _set,
    "sent": _sent, "status": _status,
}


class _RequestHandler(socketserver.StreamRequestHandler):
    """Answers each request line of one connection."""

    server: _UnixServer

    def handle(self) -> None:
        for line in iter(lambda: self.rfile.readline(MAX_REQUEST_BYTES), b""):
            if not line.strip():
                continue
            try:
                request = json.loads(line)
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                answer: dict[str, Any] = {"ok": False, "error": f"request is not JSON: {error}"}
            else:
                answer = handle_request(self.server.simulator, request)
            self.wfile.write(json.dumps(answer, ensure_ascii=False).encode("utf-8") + b"\n")


class _UnixServer(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True

    def __init__(self, path: str, simulator: ModemSimulator) -> None:
        self.simulator = simulator
        super().__init__(path, _RequestHandler)


class ControlServer:
    """The control socket of one simulator, served from a background thread."""

    def __init__(self, simulator: ModemSimulator, socket_path: str | os.PathLike[str]) -> None:
        self.socket_path = Path(socket_path)
        self._simulator = simulator
        self._server: _UnixServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> ControlServer:
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()  # left over from a killed run
        self._server = _UnixServer(str(self.socket_path), self._simulator)
        # A short poll interval: shutdown() waits for the serving loop to look at its flag.
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": SHUTDOWN_POLL_S},
                                        name=f"modem-sim control {self.socket_path}",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._server = self._thread = None
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()

    def __enter__(self) -> ControlServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()


class SimulatorControlError(RuntimeError):
    """The simulator refused a request (its ``error`` text is the message)."""


class SimulatorControl:
    """Client of a simulator's control socket; one connection per request."""

    def __init__(self, socket_path: str | os.PathLike[str], timeout: float = 5.0) -> None:
        self.socket_path = Path(socket_path)
        self.timeout = timeout

    def request(self, cmd: str, **fields: Any) -> dict[str, Any]:
        """Send one request; the answer without its ``ok``. Raises SimulatorControlError."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(self.timeout)
            connection.connect(str(self.socket_path))
            line = json.dumps({"cmd": cmd, **fields}, ensure_ascii=False) + "\n"
            connection.sendall(line.encode("utf-8"))
            with connection.makefile("rb") as answers:
                answer = json.loads(answers.readline())
        if not answer.pop("ok", False):
            raise SimulatorControlError(answer.get("error", "simulator refused the request"))
        return answer

    def incoming(self, sender: str, text: str) -> list[int | None]:
        return self.request("incoming", **{"from": sender, "text": text})["slots"]

    def silent(self, seconds: float | None = None) -> None:
        self.request("silent", seconds=seconds)

    def wake(self) -> None:
        self.request("wake")

    def fail_next(self, count: int, code: int = 500) -> None:
        self.request("fail_next", count=count, code=code)

    def network(self, registered: bool) -> None:
        self.request("network", registered=registered)

    def stall(self, seconds: float) -> None:
        self.request("stall", seconds=seconds)

    def stray_byte(self) -> None:
        self.request("stray_byte")

    def set(self, **settings: float | None) -> None:
        """Change ``delivery_delay``, ``send_delay``, ``cms_error_rate`` and/or ``rssi``."""
        self.request("set", **settings)

    def sent(self) -> list[SentMessage]:
        return [SentMessage.from_dict(message) for message in self.request("sent")["messages"]]

    def status(self) -> dict[str, Any]:
        return self.request("status")
