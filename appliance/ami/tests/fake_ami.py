"""A fake Asterisk Manager Interface on 127.0.0.1 that speaks the real wire protocol.

Replies carry the action's ActionID; an ``Echo`` action answers after ``Delay`` milliseconds so
concurrent replies leave out of order, and ``Noise: yes`` sends an unrelated event before the
reply.  Tests push events with :meth:`FakeAmi.send_event` and simulate an Asterisk restart with
:meth:`FakeAmi.drop_connections`.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterable

GREETING = "Asterisk Call Manager/11.0.0\r\n"
Headers = dict[str, str]


def encode(headers: Iterable[tuple[str, str]]) -> bytes:
    return "".join(f"{key}: {value}\r\n" for key, value in headers).encode() + b"\r\n"


class _Connection:
    def __init__(self, server: FakeAmi, sock: socket.socket) -> None:
        self.server = server
        self.sock = sock
        self.write_lock = threading.Lock()
        self.logged_in = False

    def send(self, headers: Iterable[tuple[str, str]]) -> None:
        with contextlib.suppress(OSError), self.write_lock:
            self.sock.sendall(encode(headers))

    def serve(self) -> None:
        self.sock.sendall(GREETING.encode())
        reader = self.sock.makefile("rb")
        lines: list[str] = []
        with contextlib.suppress(OSError, ValueError):
            for raw in reader:
                line = raw.decode().rstrip("\r\n")
                if line:
                    lines.append(line)
                    continue
                if lines:
                    self.handle(lines)
                    lines = []
        self.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()

    def handle(self, lines: list[str]) -> None:
        action: Headers = {}
        for line in lines:
            key, _, value = line.partition(":")
            action[key.strip()] = value.strip()
        self.server.actions.append(action)
        name = action.get("Action", "")
        action_id = ("ActionID", action.get("ActionID", ""))
        if name == "Login":
            self.login(action, action_id)
        elif name == "Logoff":
            self.send([("Response", "Goodbye"), action_id, ("Message", "Thanks for all the fish.")])
            self.close()
        elif not self.logged_in:
            self.send([("Response", "Error"), action_id, ("Message", "Permission denied")])
        elif name == "Ping":
            self.send([("Response", "Success"), action_id, ("Ping", "Pong")])
        elif name == "Echo":
            self.echo(action, action_id)
        elif name == "CoreShowChannels":
            self.core_show_channels(action_id)
        elif name == "DBGetTree":
            self.db_get_tree(action.get("Family", ""), action_id)
        elif name == "Filter":
            self.send([("Response", "Success"), action_id, ("Message", "Filter Added")])
        elif name == "DBDelTree":
            self.db_del_tree(f"/{action.get('Family', '')}/{action.get('Key', '')}", action_id)
        elif name == "Reload":
            self.reload(action.get("Module", ""), action_id)
        else:
            self.send([("Response", "Error"), action_id, ("Message", "Invalid/unknown command")])

    def login(self, action: Headers, action_id: tuple[str, str]) -> None:
        if (action.get("Username"), action.get("Secret")) != self.server.credentials:
            self.send([("Response", "Error"), action_id, ("Message", "Authentication failed")])
            return
        self.logged_in = True
        self.send([("Response", "Success"), action_id, ("Message", "Authentication accepted")])
        self.send([("Event", "FullyBooted"), ("Privilege", "system,all"), ("Status", "Ready")])

    def echo(self, action: Headers, action_id: tuple[str, str]) -> None:
        reply = [("Response", "Success"), action_id, ("Value", action.get("Value", ""))]
        if action.get("Noise") == "yes":
            self.send([("Event", "Noise"), ("Privilege", "user,all"), ("Value", "noise")])
        delay = int(action.get("Delay", "0")) / 1000
        if delay:
            threading.Timer(delay, self.send, args=(reply,)).start()
        else:
            self.send(reply)

    def core_show_channels(self, action_id: tuple[str, str]) -> None:
        self.send([("Response", "Success"), action_id, ("EventList", "start"),
                   ("Message", "Channels will follow")])
        for uniqueid in self.server.channels:
            self.send([("Event", "CoreShowChannel"), action_id,
                       ("Channel", f"PJSIP/trunk-{uniqueid}"), ("Uniqueid", uniqueid)])
        self.send([("Event", "CoreShowChannelsComplete"), action_id, ("EventList", "Complete"),
                   ("ListItems", str(len(self.server.channels)))])


    def reload(self, module: str, action_id: tuple[str, str]) -> None:
        """Answered as Asterisk's manager does: an ack, or the refusal the test queued."""
        if self.server.reload_refusals:
            refusal = self.server.reload_refusals.pop(0)
            self.send([("Response", "Error"), action_id, ("Message", refusal)])
            return
        self.server.reloads.append(module)
        self.send([("Response", "Success"), action_id, ("Message", "Module Reloaded.")])

    def db_get_tree(self, family: str, action_id: tuple[str, str]) -> None:
        entries = {key: value for key, value in self.server.astdb.items()
                   if key.startswith(f"/{family}/")}
        self.send([("Response", "Success"), action_id, ("EventList", "start"),
                   ("Message", "Result will follow")])
        for key, value in entries.items():
            self.send([("Event", "DBGetTreeResponse"), action_id, ("Key", key), ("Val", value)])
        self.send([("Event", "DBGetTreeComplete"), action_id, ("EventList", "Complete"),
                   ("ListItems", str(len(entries)))])

    def db_del_tree(self, prefix: str, action_id: tuple[str, str]) -> None:
        doomed = [key for key in self.server.astdb if key.startswith(f"{prefix}/")]
        for key in doomed:
            del self.server.astdb[key]
        if doomed:
            self.send([("Response", "Success"), action_id,
                       ("Message", "Key tree deleted successfully")])
        else:
            self.send([("Response", "Error"), action_id, ("Message", "Database entry not found")])


class FakeAmi:
    def __init__(self, username: str = "monitor", secret: str = "s3cret") -> None:
        self.credentials = (username, secret)
        self.actions: list[Headers] = []
        self.channels: list[str] = []
        self.astdb: dict[str, str] = {}  # "/family/key" -> value
        self.reloads: list[str] = []  # the modules reloaded, in order
        self.reload_refusals: list[str] = []  # the next reloads' error messages
        self._connections: list[_Connection] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()

    def _accept_loop(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                sock, _ = self._listener.accept()
                connection = _Connection(self, sock)
                self._connections.append(connection)
                threading.Thread(target=connection.serve, daemon=True).start()

    def send_event(self, headers: Iterable[tuple[str, str]] | Headers) -> None:
        items = list(headers.items()) if isinstance(headers, dict) else list(headers)
        for connection in list(self._connections):
            if connection.logged_in:
                connection.send(items)

    def logged_in_clients(self) -> int:
        return sum(connection.logged_in for connection in self._connections)

    def drop_connections(self) -> None:
        for connection in self._connections:
            connection.close()
        self._connections.clear()

    def close(self) -> None:
        self._listener.close()
        self.drop_connections()


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll `condition` until it holds; the tests' threads and subprocesses need a moment."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)
