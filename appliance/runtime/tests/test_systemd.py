"""What the services tell systemd, received on a real notify socket, from the real services."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from paivystys.appliance.db.database import open_database
from paivystys.appliance.runtime import systemd


class NotifySocket:
    """systemd's side of sd_notify: a datagram socket collecting what is sent to it."""

    def __init__(self, address: str | bytes) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.sock.settimeout(0.1)

    def messages(self, until: str | None = None, timeout: float = 10.0) -> list[str]:
        """Every message so far; with ``until``, wait for a message holding that line."""
        received: list[str] = []
        deadline = time.monotonic() + timeout
        while True:
            try:
                received.append(self.sock.recv(4096).decode())
                continue
            except TimeoutError:
                pass
            if until is None or any(until in m.splitlines() for m in received):
                return received
            assert time.monotonic() < deadline, f"no {until!r}; got {received}"


@pytest.fixture
def notify_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[NotifySocket]:
    path = tmp_path / "notify"
    server = NotifySocket(str(path))
    monkeypatch.setenv(systemd.NOTIFY_SOCKET_ENV, str(path))
    yield server
    server.sock.close()


def test_readiness_is_told_to_systemd_and_to_the_ready_file(
        notify_socket: NotifySocket, tmp_path: Path) -> None:
    ready_file = tmp_path / "run" / "svc.ready"
    readiness = systemd.Readiness(ready_file)
    readiness.ready("serving on port 1")
    assert ready_file.read_text() == f"{os.getpid()}\n"
    readiness.status("busy")
    readiness.stopping()
    assert not ready_file.exists()
    assert notify_socket.messages() == ["READY=1\nSTATUS=serving on port 1", "STATUS=busy",
                                        "STOPPING=1"]


def test_an_abstract_notify_socket_is_reached(monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"paivystys-test-{os.getpid()}"
    server = NotifySocket(b"\0" + name.encode())
    monkeypatch.setenv(systemd.NOTIFY_SOCKET_ENV, "@" + name)
    try:
        assert systemd.notify("READY=1")
        assert server.messages() == ["READY=1"]
    finally:
        server.sock.close()


def test_without_systemd_nothing_is_sent_and_a_gone_socket_is_only_a_warning(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.delenv(systemd.NOTIFY_SOCKET_ENV, raising=False)
    assert systemd.notify("READY=1") is False
    monkeypatch.setenv(systemd.NOTIFY_SOCKET_ENV, str(tmp_path / "gone"))
    with caplog.at_level(logging.WARNING):
        assert systemd.notify("READY=1") is False
    assert "cannot notify systemd" in caplog.text


def test_the_watchdog_interval_is_this_processes_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(systemd.WATCHDOG_USEC_ENV, "30000000")
    monkeypatch.delenv(systemd.WATCHDOG_PID_ENV, raising=False)
    assert systemd.watchdog_interval() == 30.0
    monkeypatch.setenv(systemd.WATCHDOG_PID_ENV, str(os.getpid()))
    assert systemd.watchdog_interval() == 30.0
    monkeypatch.setenv(systemd.WATCHDOG_PID_ENV, "1")  # meant for another process
    assert systemd.watchdog_interval() is None
    monkeypatch.delenv(systemd.WATCHDOG_USEC_ENV)
    assert systemd.watchdog_interval() is None


def test_the_watchdog_is_fed_while_the_loop_goes_round_and_starved_when_it_stops(
        notify_socket: NotifySocket, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(systemd.WATCHDOG_USEC_ENV, "200000")  # 0.2 s: a ping every 0.1 s
    heartbeat = systemd.Heartbeat()
    assert heartbeat.max_age == pytest.approx(0.16)
    stop = threading.Event()
    looping = threading.Event()
    looping.set()

    def main_loop() -> None:
        while looping.is_set():
            heartbeat.beat()
            time.sleep(0.01)

    threading.Thread(target=main_loop, daemon=True).start()
    watchdog = systemd.keep_watchdog(heartbeat.fresh, stop)
    assert watchdog is not None
    time.sleep(0.6)
    fed = notify_socket.messages().count("WATCHDOG=1")
    assert fed >= 3
    looping.clear()  # the main loop is stuck from now on
    watchdog.join(timeout=2)
    assert not watchdog.is_alive()  # no more pings: systemd restarts the service
    stop.set()


def test_no_watchdog_thread_without_a_watchdog(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(systemd.WATCHDOG_USEC_ENV, raising=False)
    assert systemd.keep_watchdog(lambda: True, threading.Event()) is None


def _log_line(env: dict[str, str]) -> str:
    code = ("from paivystys.appliance.runtime.systemd import configure_logging; import logging;"
            "configure_logging(); logging.getLogger('svc').info('hello')")
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, check=True).stderr.strip()


def test_lines_in_the_journal_carry_no_time_of_their_own(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != systemd.JOURNAL_STREAM_ENV}
    assert _log_line(env).endswith(" INFO svc: hello")
    assert _log_line(env)[:4].isdigit()  # lab mode's log files: the time first
    # What systemd sets: the device and inode of the stream it gave the service as stderr.
    # Here that stream is a pipe; a JOURNAL_STREAM naming something else is not believed.
    code = ("import os, subprocess, sys; st = os.fstat(2);"
            "os.environ['JOURNAL_STREAM'] = f'{st.st_dev}:{st.st_ino}';"
            "from paivystys.appliance.runtime.systemd import configure_logging; import logging;"
            "configure_logging(); logging.getLogger('svc').info('hello')")
    journal = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True).stderr.strip()
    assert journal == "INFO svc: hello"
    assert _log_line({**env, systemd.JOURNAL_STREAM_ENV: "1:2"}).endswith(" INFO svc: hello")


def _service(args: list[str], notify_path: Path) -> subprocess.Popen[str]:
    env = {**os.environ, systemd.NOTIFY_SOCKET_ENV: str(notify_path)}
    return subprocess.Popen([sys.executable, "-m", *args], env=env, text=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


@pytest.mark.parametrize("service, arguments", [
    ("paivystys.agi.server", ["--listen", "127.0.0.1:0"]),
    # No Asterisk answers: still up, it connects when Asterisk comes.
    ("paivystys.appliance.monitor.service", ["--ami", "127.0.0.1:9", "--ami-secret-file",
                                             "{secret}"]),
    # No modem plugged in: still up, it waits for one.
    ("paivystys.modem.service", ["--device", "{tmp}/no-modem"]),
])
def test_each_service_says_ready_to_systemd_and_stopping(
        service: str, arguments: list[str], tmp_path: Path) -> None:
    db = tmp_path / "paivystys.db"
    open_database(db).close()
    (tmp_path / "secret").write_text("x\n")
    argv = [service, "--db", str(db),
            *(a.format(secret=tmp_path / "secret", tmp=tmp_path) for a in arguments)]
    notify = NotifySocket(str(tmp_path / "notify"))
    process = _service(argv, tmp_path / "notify")
    try:
        ready = notify.messages(until="READY=1", timeout=30)
        assert any(line.startswith("STATUS=") for m in ready for line in m.splitlines())
    finally:
        _stop(process)
        notify.messages(until="STOPPING=1")
        notify.sock.close()
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
