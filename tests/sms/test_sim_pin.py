"""A SIM with a PIN: the right one connects; a wrong one is tried once and never again, so
the service cannot use up the SIM's three attempts and lock it behind its PUK."""

from __future__ import annotations

import stat
import time
from pathlib import Path

from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import ModemHealth
from paivystys.modem.simulator import ModemSimulator

from conftest import ModemServiceProcess, wait_for


def run_with_pin(tmp_path: Path, pin: str) -> tuple[ModemSimulator, ModemServiceProcess]:
    (tmp_path / "pin").write_text(f"{pin}\n")
    (tmp_path / "pin").chmod(0o644)  # as an operator may leave it
    sim = ModemSimulator(tmp_path / "ttyUSB0", pin="1234").start()
    service = ModemServiceProcess(tmp_path / "paivystys.db", sim.link_path, tmp_path)
    service.start(False, "--pin-file", str(tmp_path / "pin"))
    return sim, service


def test_the_right_pin_opens_the_sim(tmp_path: Path) -> None:
    database = open_database(tmp_path / "paivystys.db")
    sim, service = run_with_pin(tmp_path, "1234")
    try:
        wait_for(service.ready_file.exists, 20, f"the service\n{service.log()}")
        assert sim.status()["sim_locked"] is False
        assert stat.S_IMODE((tmp_path / "pin").stat().st_mode) == 0o640  # closed to others
        assert "readable by every user on the box; made it 0640" in service.log()
    finally:
        service.stop()
        sim.stop()
        database.close()


def test_a_wrong_pin_is_tried_once_and_reported(tmp_path: Path) -> None:
    database = open_database(tmp_path / "paivystys.db")
    sim, service = run_with_pin(tmp_path, "0000")
    try:
        health = wait_for(lambda: ModemHealth.get_or_none(ModemHealth.id == 1), 20,
                          f"a health row\n{service.log()}")
        assert "refused the PIN" in health.last_error and not health.connected
        time.sleep(4)  # longer than the service's first reconnect delays
        assert sim.status()["pin_attempts_left"] == 2
        assert service.process.poll() is None  # waiting, not crashed
    finally:
        service.stop()
        sim.stop()
        database.close()
