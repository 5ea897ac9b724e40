"""`paivystys network` on a box whose root applier is the real one on a temporary root (started
as paivystys-network.path starts it, whenever a request or a decision waits): each change is
audited as the Unix user's, the command waits for the box to try it and says what became of
it, and exits non-zero whenever the setting is not what was asked."""

from __future__ import annotations

import getpass
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from paivystys.appliance.audit import entries
from paivystys.appliance.box.network_apply import NetworkApplier, SystemClock
from paivystys.appliance.box.network_files import render_kept
from paivystys.appliance.box.tests.network_machine import FakeMachine
from paivystys.appliance.cli.main import main
from paivystys.appliance.db.database import open_database
from paivystys.appliance.network import DHCP, exchange, static_setting, stored_setting

STATIC = ("192.168.1.50/24", "--gateway", "192.168.1.1", "--dns", "192.168.1.1")
NEW = static_setting("192.168.1.50/24", "192.168.1.1", ["192.168.1.1"])


class PathUnit:
    """paivystys-network.path: the applier runs whenever a request or a decision waits."""

    def __init__(self, machine: FakeMachine) -> None:
        self.machine = machine
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        waiting = [self.machine.exchange / name
                   for name in (exchange.REQUEST_FILE, exchange.DECISION_FILE)]
        while not self.stopped.is_set():
            if any(path.exists() for path in waiting):
                NetworkApplier(self.machine.exchange, self.machine.host, SystemClock(),
                               probation_s=60).run()
            time.sleep(0.02)


@pytest.fixture
def machine(tmp_path: Path) -> Iterator[FakeMachine]:
    machine = FakeMachine(tmp_path / "root")
    database = open_database(machine.state_dir / "paivystys.db")
    yield machine
    database.close()


@pytest.fixture
def box(machine: FakeMachine) -> Iterator[FakeMachine]:
    """The machine with its applier, as the box has it."""
    machine.applier().start()
    unit = PathUnit(machine)
    unit.thread.start()
    yield machine
    unit.stopped.set()


def run(machine: FakeMachine, *argv: str) -> int:
    return main(["--db", str(machine.state_dir / "paivystys.db"), "network", *argv])


def test_a_static_address_is_tried_confirmed_and_kept(box: FakeMachine,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    actor = f"cli:{getpass.getuser()}"
    assert run(box, "set-static", *STATIC) == 0, capsys.readouterr().err
    said = capsys.readouterr().out
    assert "Setting: 192.168.1.50/24, gateway 192.168.1.1, DNS 192.168.1.1" in said
    assert "On trial: the box answers with it at no address yet, and still at 10.0.2.15" in said
    assert "'paivystys network confirm'" in said
    assert (entries(1)[0]["actor"], entries(1)[0]["action"]) == (actor, "network.set")

    assert run(box, "confirm") == 0, capsys.readouterr().err
    assert capsys.readouterr().out.endswith("Applied.\n")
    assert (entries(1)[0]["actor"], entries(1)[0]["action"]) == (actor, "network.confirm")
    assert box.kept_file.exists()

    assert run(box, "show") == 0
    assert "The box keeps: 192.168.1.50/24, gateway 192.168.1.1, DNS 192.168.1.1 (on eth0)" \
        in capsys.readouterr().out


def test_going_back_from_a_trial(box: FakeMachine, capsys: pytest.CaptureFixture[str]) -> None:
    box.kept_file.parent.mkdir(parents=True)
    box.kept_file.write_text(render_kept("eth0", NEW))
    box.set_addresses(("192.168.1.50/24", False))
    assert run(box, "set-dhcp") == 0, capsys.readouterr().err
    assert run(box, "revert") == 0, capsys.readouterr().err
    said = capsys.readouterr().out
    assert (f"Given up: cli:{getpass.getuser()} went back; the box is back on 192.168.1.50/24, "
            "gateway 192.168.1.1, DNS 192.168.1.1") in said
    assert box.kept_file.exists()
    assert entries(1)[0]["action"] == "network.revert"
    assert not box.trial_file.exists()


def test_nothing_on_trial_is_said_so(box: FakeMachine,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    for action in ("confirm", "revert"):
        assert run(box, action) == 1
        assert "no network setting is on trial (it is applied)" in capsys.readouterr().err
    assert entries() == []


@pytest.mark.parametrize(("argv", "says"), [
    (("10.0.0.5/24", "--gateway", "10.0.1.1", "--dns", "10.0.0.1"), "gateway: "),
    (("10.0.0.5/24;reboot", "--gateway", "10.0.0.1", "--dns", "10.0.0.1"), "address: "),
    (("10.0.0.5/24", "--gateway", "10.0.0.1", "--dns", "10.0.0.1", "--dns", "10.0.0.1"),
     "given twice"),
])
def test_a_hostile_value_exits_2_and_changes_nothing(box: FakeMachine, argv: tuple[str, ...],
                                                     says: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert run(box, "set-static", *argv) == 2
    assert says in capsys.readouterr().err
    assert stored_setting() == DHCP and entries() == []


def test_without_an_applier_the_command_says_it_is_not_applied(
        machine: FakeMachine, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(machine, "set-static", *STATIC) == 1
    assert "the network setting is not applied: this machine has no root applier" in \
        capsys.readouterr().err
    assert stored_setting() == NEW  # stored all the same, and shown as not applied
    assert run(machine, "show", "--json") == 0
    assert '"state": "not_applied"' in capsys.readouterr().out
