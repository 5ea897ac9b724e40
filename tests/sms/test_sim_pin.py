"""A SIM with a PIN, the real modem service process and the simulated modem: the service
enters the PIN stored on the box (or --pin-file's), never spends a try on its own, says in
the modem's health what the SIM waits for, and enters a newly stored PIN without a restart."""

from __future__ import annotations

import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from paivystys.appliance.api.health.service import modem_health
from paivystys.appliance.changes import Changes
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import ModemHealth, utcnow
from paivystys.appliance.sms import sim_pin
from paivystys.appliance.sms.outbox.store import enqueue
from paivystys.modem.simulator import ModemSimulator

from conftest import ModemServiceProcess, wait_for

RIGHT_PIN = "1234"
# Longer than the service's look for a new PIN (1 s) and its first reconnect delays.
QUIET_S = 4


@dataclass
class Box:
    modem: ModemSimulator
    service: ModemServiceProcess
    state_dir: Path

    def sim(self) -> dict[str, object]:
        return self.modem.status()

    def health(self, sim_state: str) -> dict[str, object]:
        """The modem's health as /api/health shows it, once the SIM is reported in
        ``sim_state``."""
        def reported() -> dict[str, object] | None:
            health = modem_health(utcnow())
            return health if health["sim"] == sim_state else None

        return wait_for(reported, 20, f"the SIM reported {sim_state}\n{self.service.log()}")

    def store_pin(self, pin: str) -> None:
        sim_pin.set_pin(pin, Changes("toimisto", apply=lambda: None))

    def queue_message(self) -> None:
        enqueue(key="waiting", recipient="+358401234567", text="Maija otti puhelun",
                reason="taken")

    def wait_sent(self) -> None:
        wait_for(lambda: [m.text for m in self.modem.sent_messages()] == ["Maija otti puhelun"],
                 20, f"the waiting message sent\n{self.service.log()}")


def start_box(tmp_path: Path, *service_arguments: str, pin_attempts_left: int = 3) -> Box:
    modem = ModemSimulator(tmp_path / "ttyUSB0", pin=RIGHT_PIN,
                           pin_attempts_left=pin_attempts_left).start()
    service = ModemServiceProcess(tmp_path / "paivystys.db", modem.link_path, tmp_path)
    service.start(False, *service_arguments)
    return Box(modem, service, tmp_path)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[None]:
    db = open_database(tmp_path / "paivystys.db")
    yield
    db.close()


@pytest.fixture
def boxes() -> Iterator[list[Box]]:
    started: list[Box] = []
    yield started
    for box in started:
        box.service.stop()
        box.modem.stop()


def test_no_pin_stored_is_said_with_what_to_do_and_no_try_is_spent(
        tmp_path: Path, database: None, boxes: list[Box]) -> None:
    box = start_box(tmp_path)
    boxes.append(box)
    health = box.health(sim_pin.SIM_PIN_NEEDED)
    assert health["ok"] is False
    assert health["state"] == ("the SIM wants its PIN and none is stored (3 tries left): store "
                               "it in the console (Manage, Modem) or with 'paivystys modem pin "
                               "set'")
    assert health["pin_attempts_left"] == 3
    assert ModemHealth.get_by_id(1).connected  # the modem answers; the SIM waits
    time.sleep(QUIET_S)
    assert (box.sim()["pin_entries"], box.sim()["pin_attempts_left"]) == (0, 3)
    assert box.service.process.poll() is None  # waiting, not crashed
    assert not box.service.ready_file.exists()


def test_a_pin_stored_meanwhile_opens_the_sim_without_a_restart_and_the_outbox_goes(
        tmp_path: Path, database: None, boxes: list[Box]) -> None:
    box = start_box(tmp_path)
    boxes.append(box)
    box.queue_message()
    box.health(sim_pin.SIM_PIN_NEEDED)
    pid = box.service.process.pid
    box.store_pin(RIGHT_PIN)
    box.wait_sent()
    assert box.service.process.pid == pid and box.service.process.poll() is None
    assert box.service.ready_file.exists()
    assert box.sim()["pin_entries"] == 1 and box.sim()["sim_locked"] is False
    health = box.health(sim_pin.SIM_READY)
    assert health["ok"] is True and health["state"] == "registered"


def test_a_wrong_pin_costs_one_try_and_is_not_entered_again_until_another_is_stored(
        tmp_path: Path, database: None, boxes: list[Box]) -> None:
    box = start_box(tmp_path)
    boxes.append(box)
    box.queue_message()
    box.store_pin("0000")
    health = box.health(sim_pin.SIM_PIN_REFUSED)
    assert health["state"] == ("the SIM refused the PIN (2 tries left); it is not entered "
                               "again: store the right one")
    assert ModemHealth.get_by_id(1).last_error == (
        "the SIM refused the PIN stored on the box (2 tries left); it is not entered again: "
        "store the right one")
    assert sim_pin.pin_status() == sim_pin.PinStatus(has_pin=True, refused=True)
    time.sleep(QUIET_S)
    assert (box.sim()["pin_entries"], box.sim()["pin_attempts_left"]) == (1, 2)

    # Nor by the service started again (the box rebooted): the refusal is kept with the PIN.
    box.service.stop()
    ModemHealth.delete().execute()
    box.service.start(False)
    box.health(sim_pin.SIM_PIN_REFUSED)
    time.sleep(QUIET_S)
    assert (box.sim()["pin_entries"], box.sim()["pin_attempts_left"]) == (1, 2)

    # Cleared: the SIM now waits for a PIN where none is stored, and says so at once.
    sim_pin.clear_pin(Changes("toimisto", apply=lambda: None))
    box.health(sim_pin.SIM_PIN_NEEDED)
    box.store_pin(RIGHT_PIN)
    box.wait_sent()
    assert (box.sim()["pin_entries"], box.sim()["pin_attempts_left"]) == (2, 3)


def test_a_sim_that_wants_its_puk_gets_nothing_entered(
        tmp_path: Path, database: None, boxes: list[Box]) -> None:
    box = start_box(tmp_path, pin_attempts_left=0)
    boxes.append(box)
    box.store_pin(RIGHT_PIN)
    health = box.health(sim_pin.SIM_PUK_NEEDED)
    assert "needs its PUK (10 tries left): unlock it in a phone" in str(health["state"])
    time.sleep(QUIET_S)
    assert (box.sim()["pin_entries"], box.sim()["puk_attempts_left"]) == (0, 10)


def test_the_pin_file_opens_the_sim_and_is_closed_to_others(
        tmp_path: Path, database: None, boxes: list[Box]) -> None:
    pin_file = tmp_path / "pin"
    pin_file.write_text(f"{RIGHT_PIN}\n")
    pin_file.chmod(0o644)  # as an operator may leave it
    box = start_box(tmp_path, "--pin-file", str(pin_file))
    boxes.append(box)
    wait_for(box.service.ready_file.exists, 20, f"the service\n{box.service.log()}")
    assert box.sim()["sim_locked"] is False
    assert stat.S_IMODE(pin_file.stat().st_mode) == 0o640
    assert "readable by every user on the box; made it 0640" in box.service.log()


def test_a_pin_stored_on_the_box_wins_over_the_file(
        tmp_path: Path, database: None, boxes: list[Box]) -> None:
    pin_file = tmp_path / "pin"
    pin_file.write_text("0000\n")
    pin_file.chmod(0o600)
    sim_pin.set_pin(RIGHT_PIN, Changes("toimisto", apply=lambda: None))
    box = start_box(tmp_path, "--pin-file", str(pin_file))
    boxes.append(box)
    wait_for(box.service.ready_file.exists, 20, f"the service\n{box.service.log()}")
    assert (box.sim()["pin_entries"], box.sim()["pin_attempts_left"]) == (1, 3)


def test_a_wrong_pin_file_is_tried_once(tmp_path: Path, database: None,
                                        boxes: list[Box]) -> None:
    pin_file = tmp_path / "pin"
    pin_file.write_text("0000\n")
    pin_file.chmod(0o600)
    box = start_box(tmp_path, "--pin-file", str(pin_file))
    boxes.append(box)
    box.health(sim_pin.SIM_PIN_REFUSED)
    assert "the SIM refused the PIN from --pin-file (2 tries left)" in \
        ModemHealth.get_by_id(1).last_error
    time.sleep(QUIET_S)
    assert (box.sim()["pin_entries"], box.sim()["pin_attempts_left"]) == (1, 2)
