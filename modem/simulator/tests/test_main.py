"""``python -m paivystys.modem.simulator`` as its own process, as the lab runs it."""

from __future__ import annotations

import signal
import subprocess
import sys
import warnings
from pathlib import Path

from paivystys.modem.simulator import SimulatorControl, read_sent_messages
from paivystys.modem.simulator.tests.support import Received, close_promptly, wait_for

with warnings.catch_warnings():
    warnings.simplefilter("ignore", SyntaxWarning)
    from gsmmodem.modem import GsmModem


def test_runs_until_sigterm_and_cleans_up(tmp_path: Path) -> None:
    link, socket_path = tmp_path / "ttyUSB0", tmp_path / "modem.sock"
    sent_log, ready = tmp_path / "sent.jsonl", tmp_path / "modem.ready"
    process = subprocess.Popen(
        [sys.executable, "-m", "paivystys.modem.simulator", "--link", str(link),
         "--control", str(socket_path), "--sent-log", str(sent_log), "--ready-file", str(ready),
         "--delivery-delay", "0.1"],
        stderr=subprocess.PIPE, text=True)
    received = Received()
    try:
        wait_for(ready.exists, timeout=10)
        assert ready.read_text().strip() == str(process.pid)
        assert link.is_symlink() and socket_path.is_socket()

        client = GsmModem(str(link), smsReceivedCallbackFunc=received.messages.append,
                          smsStatusReportCallback=received.reports.append)
        client.connect()
        try:
            assert SimulatorControl(socket_path).incoming("+358401234567", "Päivystys ON") == [1]
            [sms] = wait_for(lambda: received.messages)
            assert (sms.number, sms.text) == ("+358401234567", "Päivystys ON")
            sent = client.sendSms("+358401234567", "Kuitattu")
            wait_for(lambda: received.reports)
        finally:
            close_promptly(client)
        assert [m.references for m in read_sent_messages(sent_log)] == [(sent.reference,)]
        assert SimulatorControl(socket_path).status()["pid"] == process.pid

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        stderr = process.stderr.read() if process.stderr else ""
    assert not link.exists() and not link.is_symlink(), stderr
    assert not socket_path.exists() and not ready.exists(), stderr
