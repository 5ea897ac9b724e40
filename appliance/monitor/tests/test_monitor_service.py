from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from paivystys.appliance.ami.options import parse_address
from paivystys.appliance.ami.tests.fake_ami import FakeAmi, wait_for
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import Call
from paivystys.appliance.ringing import events


def test_parse_address() -> None:
    assert parse_address("127.0.0.1:5038") == ("127.0.0.1", 5038)
    for bad in ("127.0.0.1", ":5038", "host:port", "host:70000"):
        with pytest.raises(ValueError):
            parse_address(bad)


def test_service_logs_calls_reconnects_and_stops_on_sigterm(tmp_path: Path) -> None:
    fake = FakeAmi(username="paivystys", secret="s3cret")
    secret = tmp_path / "ami.secret"
    secret.write_text("s3cret\n")
    db_path = tmp_path / "paivystys.db"
    ready = tmp_path / "run" / "monitor.ready"
    process = subprocess.Popen(
        [sys.executable, "-m", "paivystys.appliance.monitor.service", "--db", str(db_path),
         "--ami", f"127.0.0.1:{fake.port}", "--ami-secret-file", str(secret),
         "--ready-file", str(ready)],
        stderr=subprocess.PIPE, text=True)
    try:
        wait_for(ready.exists)
        assert ready.read_text().strip() == str(process.pid)
        assert fake.logged_in_clients() == 1
        fake.send_event({"Event": "UserEvent", "UserEvent": events.PvCallStart.NAME,
                         "CallId": "1764100000.5", "Timestamp": "1764100000.500000",
                         "NumberId": "", "Dialled": "0900000001", "Caller64": "MDUwMTExMjIyMg==",
                         "CallerLength": "10", "Presentation": "allowed_not_screened"})
        database = open_database(db_path)
        wait_for(lambda: Call.select().count() == 1)
        fake.drop_connections()  # Asterisk restarts; the open call's channel is gone
        wait_for(lambda: Call.get().ended_at is not None)
        database.close()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert not ready.exists()
    finally:
        if process.poll() is None:
            process.kill()
        fake.close()
    _, log = process.communicate()
    assert "AMI connected" in log
    assert "lost; reconnecting" in log
    assert "SIGTERM received" in log
    assert fake.actions[-1]["Action"] == "Logoff"
