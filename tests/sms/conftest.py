"""The SMS harness: the simulated modem on a pseudo-terminal (in this process, so a test can
make it go silent or stall a send), the real modem service as its own process (so a test can
kill -9 it), and a database both share."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import OutboxMessage
from paivystys.appliance.sms.outbox import states
from paivystys.modem.simulator import ModemSimulator, SentMessage


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


@dataclass
class ModemServiceProcess:
    db_path: Path
    device: Path
    state_dir: Path
    process: subprocess.Popen | None = None

    @property
    def ready_file(self) -> Path:
        return self.state_dir / "modem.ready"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "modem.log"

    def start(self, wait_ready: bool = True, *extra: str) -> None:
        self.ready_file.unlink(missing_ok=True)
        with open(self.log_file, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "paivystys.modem.service", "--db", str(self.db_path),
                 "--device", str(self.device), "--ready-file", str(self.ready_file), *extra],
                stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        if wait_ready:
            wait_for(self.ready_file.exists, 20, f"the modem service (log: {self.log_file})")

    def kill(self) -> None:
        """kill -9: no clean-up of any kind."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=5)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""


@dataclass
class Rig:
    modem: ModemSimulator
    service: ModemServiceProcess
    sent_log: Path

    def sent(self) -> list[SentMessage]:
        return self.modem.sent_messages()

    def wait_all_sent(self, count: int, timeout: float) -> list[OutboxMessage]:
        def all_sent() -> list[OutboxMessage] | None:
            rows = list(OutboxMessage.select().order_by(OutboxMessage.id))
            done = [row for row in rows if row.state in (states.SENT, states.DELIVERED)]
            return rows if len(done) == count else None

        return wait_for(all_sent, timeout, f"{count} messages sent\n{self.service.log()}")


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    db_path = tmp_path / "paivystys.db"
    database = open_database(db_path)
    sent_log = tmp_path / "sent.jsonl"
    modem = ModemSimulator(tmp_path / "ttyUSB0", sent_log_path=sent_log).start()
    service = ModemServiceProcess(db_path, modem.link_path, tmp_path)
    try:
        yield Rig(modem, service, sent_log)
    finally:
        service.stop()
        modem.stop()
        database.close()
        assert not os.path.exists(tmp_path / "ttyUSB0")
