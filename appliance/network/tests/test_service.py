"""The network setting as the API and the CLI change it: stored and audited, handed to the root
applier as a request, its state from the applier's status (played here by the real applier on
a temporary root), and nothing pretended where no applier runs."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from paivystys.appliance.audit import entries
from paivystys.appliance.backup.service import create_backup, restore_backup
from paivystys.appliance.box.tests.network_machine import FakeMachine
from paivystys.appliance.changes import Changes
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import Setting
from paivystys.appliance.errors import Conflict, Invalid
from paivystys.appliance.network import (
    APPLIED,
    APPLYING,
    DHCP,
    FAILED,
    NOT_APPLIED,
    PENDING,
    REVERTED,
    confirm_network,
    exchange,
    network_state,
    revert_network,
    set_network,
    static_setting,
    stored_setting,
)

NEW = static_setting("192.168.1.50/24", "192.168.1.1", ["192.168.1.1"])


@pytest.fixture
def machine(tmp_path: Path) -> Iterator[FakeMachine]:
    machine = FakeMachine(tmp_path / "root")
    database = open_database(machine.state_dir / "paivystys.db")
    yield machine
    database.close()


def changes() -> Changes:
    return Changes("toimisto", apply=lambda: None)


def on_trial(machine: FakeMachine, setting: exchange.NetworkSetting = NEW) -> str:
    """``setting`` set and on trial, answering at its new address; its request id."""
    applier = machine.applier()
    status = applier.start()
    state = set_network(setting, changes(), machine.state_dir)
    assert state.state == APPLYING
    status = applier.step(status)
    assert status.state == exchange.PENDING
    machine.set_addresses(("10.0.2.15/24", True), ("192.168.1.50/24", False))
    status = applier.step(status)  # networkd has added it
    return status.request_id


def test_where_no_applier_runs_the_setting_is_stored_and_said_not_applied(
        machine: FakeMachine) -> None:
    state = set_network(NEW, changes(), machine.state_dir)
    assert (state.state, state.setting) == (NOT_APPLIED, NEW)
    assert state.reason.startswith("this machine has no root applier for the network setting "
                                   "(lab mode")
    assert state.in_use is None
    assert stored_setting() == NEW
    assert not (machine.exchange / exchange.REQUEST_FILE).exists()
    row = entries(1)[0]
    assert (row["actor"], row["action"], row["target"]) == ("toimisto", "network.set", "static")
    assert row["details"] == {"mode": "static", "address": "192.168.1.50/24",
                              "gateway": "192.168.1.1", "dns": ["192.168.1.1"]}


def test_nothing_stored_is_dhcp_as_the_box_keeps_it(machine: FakeMachine) -> None:
    machine.applier().start()
    state = network_state(machine.state_dir)
    assert (state.state, state.setting, state.in_use, state.request_id) == (
        APPLIED, DHCP, DHCP, None)


def test_a_setting_is_handed_to_the_applier_as_a_request(machine: FakeMachine) -> None:
    machine.applier().start()
    state = set_network(NEW, changes(), machine.state_dir)
    assert (state.state, state.in_use) == (APPLYING, DHCP)
    request = json.loads((machine.exchange / exchange.REQUEST_FILE).read_text())
    assert request["id"] == state.request_id
    assert (request["setting"], request["by"]) == (NEW.to_json(), "toimisto")
    # Root reads it as a member of the services' group, or as its owner from the CLI.
    assert (machine.exchange / exchange.REQUEST_FILE).stat().st_mode & 0o777 == 0o660


def test_a_request_nobody_takes_is_said_to_have_failed(machine: FakeMachine) -> None:
    machine.applier().start()
    set_network(NEW, changes(), machine.state_dir)
    later = exchange.utc_now() + dt.timedelta(seconds=31)
    state = network_state(machine.state_dir, now=later)
    assert state.state == FAILED
    assert "has not taken the request in 31 s" in state.reason
    assert "systemctl status paivystys-network.path" in state.reason


def test_on_trial_the_state_says_where_and_how_long(machine: FakeMachine) -> None:
    request_id = on_trial(machine)
    state = network_state(machine.state_dir, now=machine.clock.now() + dt.timedelta(seconds=20))
    assert (state.state, state.request_id, state.interface) == (PENDING, request_id, "eth0")
    assert state.new_addresses == ("192.168.1.50",)
    assert state.kept_addresses == ("10.0.2.15",)
    assert state.confirm_within_s == 160
    assert not state.decided


def test_a_confirmation_through_the_new_address_keeps_it(machine: FakeMachine) -> None:
    request_id = on_trial(machine)
    state = confirm_network(request_id, "192.168.1.50", changes(), machine.state_dir)
    assert (state.state, state.decided) == (PENDING, True)
    row = entries(1)[0]
    assert (row["action"], row["target"], row["details"]["arrived_at"]) == (
        "network.confirm", request_id, "192.168.1.50")

    machine.applier().run()
    state = network_state(machine.state_dir)
    assert (state.state, state.in_use, state.setting) == (APPLIED, NEW, NEW)
    assert machine.kept_file.exists()


def test_a_confirmation_through_the_old_address_proves_nothing(machine: FakeMachine) -> None:
    request_id = on_trial(machine)
    with pytest.raises(Conflict) as caught:
        confirm_network(request_id, "10.0.2.15", changes(), machine.state_dir)
    assert caught.value.field == "address"
    assert "through the box's new address (192.168.1.50); this confirmation came to 10.0.2.15" \
        in caught.value.message
    assert not (machine.exchange / exchange.DECISION_FILE).exists()
    assert entries(1)[0]["action"] == "network.set"


@pytest.mark.parametrize("request_id", ["", "../status", "a" * 33, "ab cd", None, 7])
def test_a_hostile_request_id_is_refused(machine: FakeMachine, request_id: object) -> None:
    on_trial(machine)
    with pytest.raises(Invalid) as caught:
        confirm_network(request_id, "192.168.1.50", changes(), machine.state_dir)
    assert caught.value.field == "request_id"


def test_only_the_setting_on_trial_can_be_confirmed(machine: FakeMachine) -> None:
    on_trial(machine)
    with pytest.raises(Conflict, match="another network setting is on trial"):
        confirm_network("0123456789abcdef", "192.168.1.50", changes(), machine.state_dir)


def test_nothing_on_trial_nothing_to_confirm_or_give_up(machine: FakeMachine) -> None:
    machine.applier().start()
    for decide in (lambda: confirm_network("0123456789abcdef", None, changes(),
                                           machine.state_dir),
                   lambda: revert_network("0123456789abcdef", changes(), machine.state_dir)):
        with pytest.raises(Conflict, match="no network setting is on trial now"):
            decide()


def test_going_back_ends_the_trial(machine: FakeMachine) -> None:
    request_id = on_trial(machine)
    revert_network(request_id, changes(), machine.state_dir)
    assert entries(1)[0]["action"] == "network.revert"
    machine.applier().run()
    state = network_state(machine.state_dir)
    assert (state.state, state.setting, state.in_use) == (REVERTED, NEW, DHCP)
    assert state.reason == "toimisto went back; the box is back on DHCP"


def test_no_new_setting_while_one_is_on_trial(machine: FakeMachine) -> None:
    on_trial(machine)
    with pytest.raises(Conflict) as caught:
        set_network(DHCP, changes(), machine.state_dir)
    assert caught.value.field == "mode"
    assert stored_setting() == NEW


def test_a_trial_the_applier_never_ended_is_said_to_have_failed(machine: FakeMachine) -> None:
    on_trial(machine)
    state = network_state(machine.state_dir,
                          now=machine.clock.now() + dt.timedelta(seconds=180 + 31))
    assert state.state == FAILED
    assert "restart the box to go back" in state.reason


def test_a_status_about_another_request_is_not_taken_for_this_one(
        machine: FakeMachine) -> None:
    machine.applier().start()
    set_network(NEW, changes(), machine.state_dir)
    (machine.exchange / exchange.REQUEST_FILE).unlink()  # taken, or lost
    # Taken a moment ago: the applier is bringing it up, and reports once it has.
    assert network_state(machine.state_dir).state == APPLYING
    later = exchange.utc_now() + dt.timedelta(seconds=31)
    state = network_state(machine.state_dir, now=later)
    assert state.state == FAILED and "never reported on the last request" in state.reason


def test_a_setting_stored_without_an_applier_is_not_said_applied_later(
        machine: FakeMachine) -> None:
    set_network(NEW, changes(), machine.state_dir)  # no applier yet
    machine.applier().start()
    state = network_state(machine.state_dir)
    assert state.state == NOT_APPLIED and "set it again" in state.reason


def test_an_unreadable_status_is_said_so(machine: FakeMachine) -> None:
    (machine.exchange / exchange.STATUS_FILE).write_text("{not json")
    state = network_state(machine.state_dir)
    assert state.state == FAILED and state.reason.startswith("the box's network status cannot "
                                                             "be read")


def test_a_backup_neither_holds_nor_replaces_the_network_setting(machine: FakeMachine) -> None:
    set_network(NEW, changes(), machine.state_dir)
    backup = create_backup(changes())
    assert b"192.168.1.50" not in backup
    set_network(DHCP, changes(), machine.state_dir)
    restore_backup(backup, changes=changes())
    assert stored_setting() == DHCP

    document = json.loads(backup)
    document["tables"]["setting"].append({"key": "network", "value": json.dumps(
        {"setting": NEW.to_json(), "request_id": None})})
    with pytest.raises(Invalid, match="is this box's own network setting"):
        restore_backup(json.dumps(document).encode(), changes=changes())
    assert Setting.get(Setting.key == "network").value.count("dhcp") == 1
