from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from asterisk.agi import AGISIGHUPHangup

from paivystys.agi.registry import AgiHandler, Registry
from paivystys.agi.server import FastAgiServer, parse_listen, request_route
from paivystys.agi.tests.conftest import ServerFactory
from paivystys.agi.tests.fake_asterisk import agi_env, env_bytes, run_agi
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import ListeningCall


class SetOne(AgiHandler):
    def execute(self) -> None:
        self.agi.set_variable("PV_DECISION", self.agi.get_variable("PV_DIALLED"))


class Fails(AgiHandler):
    def execute(self) -> None:
        raise RuntimeError("handler bug")


class CallerHangsUp(AgiHandler):
    def execute(self) -> None:
        raise AGISIGHUPHangup("Received SIGHUP from Asterisk")


@pytest.fixture
def server(start_server: ServerFactory) -> FastAgiServer:
    registry = Registry()
    registry.register("set-one", SetOne)
    registry.register("fails", Fails)
    registry.register("hangs-up", CallerHangsUp)
    return start_server(registry, request_timeout=0.5)


def address(server: FastAgiServer) -> tuple[str, int]:
    return server.server_address[:2]


def answers(server: FastAgiServer) -> bool:
    conversation = run_agi(address(server), agi_env("set-one"), {"PV_DIALLED": "0401234567"})
    return conversation.variables.get("PV_DECISION") == "0401234567"


def request_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if "process_request_thread" in t.name]


def wait_for_no_request_threads(deadline_s: float = 3.0) -> list[threading.Thread]:
    deadline = time.monotonic() + deadline_s
    while request_threads() and time.monotonic() < deadline:
        time.sleep(0.01)
    return request_threads()


def server_threads_cpu_s() -> float:
    """CPU time used so far by the servers' threads (accept loops and request threads), from
    /proc: the whole process's CPU time would also count what other tests left running."""
    ticks = 0
    for thread in threading.enumerate():
        if "serve_forever" in thread.name or "process_request_thread" in thread.name:
            stat = Path(f"/proc/self/task/{thread.native_id}/stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)"; comm may hold spaces
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def send_raw(server: FastAgiServer, data: bytes) -> bytes:
    """Sends data, half-closes, returns whatever the server said before closing."""
    with socket.create_connection(address(server), timeout=5) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        return sock.makefile("rb").read()


@pytest.mark.parametrize(("env", "route"), [
    ({"agi_network_script": "incoming-call", "agi_request": "agi://h/other"}, "incoming-call"),
    ({"agi_request": "agi://127.0.0.1:4573/incoming-call"}, "incoming-call"),
    ({"agi_network_script": "incoming-call?x=1"}, "incoming-call"),
    ({}, ""),
])
def test_request_route(env: dict[str, str], route: str) -> None:
    assert request_route(env) == route


def test_parse_listen() -> None:
    assert parse_listen("127.0.0.1:4573") == ("127.0.0.1", 4573)
    for bad in ("4573", "host:", "host:port", "h:99999"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_listen(bad)


def test_routes_a_request_to_its_handler(server: FastAgiServer) -> None:
    assert answers(server)


def test_unknown_route_leaves_the_variables_alone(server: FastAgiServer,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    conversation = run_agi(address(server), agi_env("no-such-thing"))
    assert conversation.commands == []
    assert "no handler for 'no-such-thing'" in caplog.text


def test_bare_connects_neither_crash_nor_leave_threads_nor_burn_cpu(
        server: FastAgiServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    for _ in range(50):
        socket.create_connection(address(server), timeout=5).close()
    assert wait_for_no_request_threads() == []
    cpu_before = server_threads_cpu_s()
    time.sleep(0.5)
    assert server_threads_cpu_s() - cpu_before < 0.1  # a spinning thread would use ~0.5 s
    assert answers(server)
    assert wait_for_no_request_threads() == []
    assert caplog.text.count("without an AGI environment") == 50


@pytest.mark.parametrize(("data", "logged"), [
    (b"\x00\xff\xfe garbage without end", "partial AGI environment"),
    (b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "no handler for ''"),
    (b"agi_network: yes\nagi_network_script: set-", "partial AGI environment"),
    (b"x\n" * 1000, "no end of the AGI environment"),
])
def test_garbage_and_half_sent_environments_are_logged(
        server: FastAgiServer, caplog: pytest.LogCaptureFixture, data: bytes,
        logged: str) -> None:
    assert send_raw(server, data) == b""
    assert logged in caplog.text
    assert answers(server)
    assert wait_for_no_request_threads() == []


def test_a_silent_peer_is_timed_out(server: FastAgiServer,
                                    caplog: pytest.LogCaptureFixture) -> None:
    with socket.create_connection(address(server), timeout=5) as sock:
        sock.sendall(b"agi_network: yes\n")
        assert sock.makefile("rb").read() == b""  # the server gives up and closes
    assert "timed out" in caplog.text
    assert wait_for_no_request_threads() == []


def test_a_failing_handler_is_logged_and_the_server_carries_on(
        server: FastAgiServer, caplog: pytest.LogCaptureFixture) -> None:
    run_agi(address(server), agi_env("fails"))
    assert "handler Fails failed" in caplog.text
    assert "RuntimeError: handler bug" in caplog.text
    assert answers(server)


def test_a_caller_hanging_up_is_not_an_error(server: FastAgiServer,
                                             caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    run_agi(address(server), agi_env("hangs-up"))
    assert "channel gone" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_asterisk_leaving_mid_request_is_logged(server: FastAgiServer,
                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    assert send_raw(server, env_bytes(agi_env("set-one"))) == b'GET VARIABLE "PV_DIALLED"\n'
    assert wait_for_no_request_threads() == []
    assert "channel gone: Asterisk closed the AGI connection" in caplog.text


def test_concurrent_requests(server: FastAgiServer) -> None:
    results: list[bool] = []
    threads = [threading.Thread(target=lambda: results.append(answers(server)))
               for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == [True] * 20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_main_serves_and_exits_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "paivystys.agi.server", "--listen", f"127.0.0.1:{port}",
         "--db", str(tmp_path / "db"), "--recordings-dir", "/rec"],
        stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert "FastAGI listening on 127.0.0.1" in process.stderr.readline()
        conversation = run_agi(("127.0.0.1", port), agi_env("incoming-call"),
                               {"PV_NUMBER_ID": "", "PV_DIALLED": "0401234567",
                                "PV_CALL_ID": "1.1"})
        assert conversation.variables["PV_DECISION"] == "unknown"
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
        log = process.stderr.read()
        assert "SIGTERM: stopping" in log and "stopped" in log
        assert "Traceback" not in log
    finally:
        process.kill()
        process.wait()


def test_main_closes_listening_calls_a_previous_run_left_open(tmp_path: Path) -> None:
    db = open_database(tmp_path / "db")
    try:
        ListeningCall.create(call_id="1.2", dialled="", caller="",
                             arrived_at=dt.datetime.now(dt.UTC))
    finally:
        db.close()
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "paivystys.agi.server", "--listen", f"127.0.0.1:{port}",
         "--db", str(tmp_path / "db"), "--recordings-dir", "/rec"],
        stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert "1 listening-line call(s) left open by the previous run closed" in \
            process.stderr.readline()
        assert "FastAGI listening on 127.0.0.1" in process.stderr.readline()
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
    finally:
        process.kill()
        process.wait()
    db = open_database(tmp_path / "db")
    try:
        assert ListeningCall.get(ListeningCall.call_id == "1.2").ended_at is not None
    finally:
        db.close()
