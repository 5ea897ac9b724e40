"""The root applier of the network setting on a temporary root, with stand-ins for ``ip`` and
``networkctl`` and a clock that moves only when told to."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from paivystys.appliance.box.network_apply import Host, HostError, NetworkApplier
from paivystys.appliance.box.tests.network_machine import BOOT_TIME, FakeMachine
from paivystys.appliance.errors import Invalid
from paivystys.appliance.network import exchange
from paivystys.appliance.network.exchange import Decision, Request
from paivystys.appliance.network.setting import DHCP, NetworkSetting, static_setting

NEW = static_setting("192.168.1.50/24", "192.168.1.1", ["192.168.1.1", "9.9.9.9"])
SAME_AS_LEASE = static_setting("10.0.2.15/24", "10.0.2.2", ["10.0.2.3"])


@pytest.fixture
def machine(tmp_path: Path) -> FakeMachine:
    return FakeMachine(tmp_path / "root")


def ask(machine: FakeMachine, setting: NetworkSetting, request_id: str = "r1",
        modified: float | None = None) -> None:
    path = machine.exchange / exchange.REQUEST_FILE
    request = Request(request_id, setting, "toimisto", machine.clock.now())
    exchange.write_json(path, request.to_json())
    if modified is not None:
        os.utime(path, (modified, modified))


def decide(machine: FakeMachine, keep: bool, request_id: str = "r1") -> None:
    exchange.write_json(machine.exchange / exchange.DECISION_FILE,
                        Decision(request_id, keep, "toimisto").to_json())


def started(machine: FakeMachine, setting: NetworkSetting) -> tuple[NetworkApplier,
                                                                     exchange.Status]:
    """A trial of ``setting`` under way."""
    applier = machine.applier()
    status = applier.start()
    ask(machine, setting)
    status = applier.step(status)
    assert status.state == exchange.PENDING, status.reason
    return applier, status


def test_the_first_run_says_the_box_keeps_dhcp(machine: FakeMachine) -> None:
    status = machine.applier().run()
    assert (status.state, status.in_use) == (exchange.APPLIED, DHCP)
    written = machine.status()
    assert written["boot_id"] == "0b6f1c2e-4d3a-4e5f-8a9b-1c2d3e4f5a6b"
    assert written["in_use"] == {"mode": "dhcp"}
    assert machine.networkctl_calls() == []
    # The services read it: it is a plain file others may read.
    assert (machine.exchange / "status.json").stat().st_mode & 0o777 == 0o644


def test_a_static_address_is_tried_beside_the_lease_and_waits_for_its_confirmation(
        machine: FakeMachine) -> None:
    _applier, status = started(machine, NEW)

    assert machine.trial_file.read_text().endswith(
        "[Match]\nName=eth0\n\n"
        "[Network]\nDHCP=yes\nGateway=192.168.1.1\nDNS=192.168.1.1\nDNS=9.9.9.9\n\n"
        "[Address]\nAddress=192.168.1.50/24\nDuplicateAddressDetection=ipv4\n")
    assert machine.trial_file.stat().st_mode & 0o777 == 0o644  # networkd's own user reads it
    assert machine.networkctl_calls() == ["reload", "reconfigure eth0"]
    assert not machine.kept_file.exists()
    written = machine.status()
    assert (written["state"], written["request_id"], written["by"], written["interface"]) == (
        "pending", "r1", "toimisto", "eth0")
    assert written["kept_addresses"] == ["10.0.2.15"]
    assert written["deadline_at"] == exchange.timestamp(machine.clock.wall
                                                        + dt.timedelta(seconds=180))
    assert status.new_addresses == []  # networkd has not added it yet


def test_a_confirmed_address_is_kept_in_etc_and_the_trial_ends(machine: FakeMachine) -> None:
    applier, status = started(machine, NEW)
    machine.clock.advance(5)
    machine.set_addresses(("10.0.2.15/24", True), ("192.168.1.50/24", False))
    status = applier.step(status)
    assert machine.status()["new_addresses"] == ["192.168.1.50"]

    decide(machine, keep=True)
    status = applier.step(status)

    assert (status.state, status.in_use, status.reason) == (exchange.APPLIED, NEW, None)
    assert not machine.trial_file.exists()
    kept = machine.kept_file.read_text()
    assert kept.endswith("[Match]\nName=eth0\n\n[Network]\nAddress=192.168.1.50/24\n"
                         "Gateway=192.168.1.1\nDNS=192.168.1.1\nDNS=9.9.9.9\n")
    assert machine.kept_file.stat().st_mode & 0o777 == 0o644
    assert machine.networkctl_calls()[-2:] == ["reload", "reconfigure eth0"]
    assert machine.status()["in_use"] == NEW.to_json()
    # The next run reads what the box keeps from the file itself.
    assert machine.applier().start().in_use == NEW


def test_an_unconfirmed_setting_is_given_up_when_its_time_is_over(machine: FakeMachine) -> None:
    applier, status = started(machine, NEW)
    machine.set_addresses(("10.0.2.15/24", True), ("192.168.1.50/24", False))
    machine.clock.advance(179)
    status = applier.step(status)
    assert status.state == exchange.PENDING

    machine.clock.advance(1)
    status = applier.step(status)

    assert status.state == exchange.REVERTED
    assert status.reason == ("not confirmed through the new address within 180 s; the box is "
                             "back on DHCP")
    assert not machine.trial_file.exists() and not machine.kept_file.exists()
    assert machine.networkctl_calls()[-2:] == ["reload", "reconfigure eth0"]
    assert machine.status()["state"] == "reverted"


def test_the_run_watches_the_trial_to_its_end(machine: FakeMachine) -> None:
    ask(machine, SAME_AS_LEASE)
    status = machine.applier(probation_s=10).run()  # the clock moves as the run sleeps
    assert status.state == exchange.REVERTED
    assert machine.clock.seconds == pytest.approx(1010, abs=1)
    assert not machine.trial_file.exists()


def test_a_new_address_that_never_comes_up_is_given_up_early(machine: FakeMachine) -> None:
    applier, status = started(machine, NEW)
    machine.clock.advance(20)
    assert applier.step(status).state == exchange.PENDING
    machine.clock.advance(1)
    status = applier.step(status)
    assert status.state == exchange.REVERTED
    assert status.reason.startswith("the address 192.168.1.50 did not come up on eth0 within "
                                    "20 s: another device on the LAN may already use it")
    assert not machine.trial_file.exists()


def test_an_admin_may_go_back_at_once(machine: FakeMachine) -> None:
    applier, status = started(machine, NEW)
    decide(machine, keep=False)
    status = applier.step(status)
    assert (status.state, status.reason) == (exchange.REVERTED,
                                             "toimisto went back; the box is back on DHCP")
    assert not machine.trial_file.exists() and not machine.kept_file.exists()


def test_a_decision_about_another_request_changes_nothing(machine: FakeMachine) -> None:
    applier, status = started(machine, NEW)
    decide(machine, keep=True, request_id="other")
    status = applier.step(status)
    assert status.state == exchange.PENDING
    assert machine.trial_file.exists() and not machine.kept_file.exists()
    assert not (machine.exchange / exchange.DECISION_FILE).exists()  # taken and dropped


def test_back_to_dhcp_keeps_the_static_address_until_confirmed(machine: FakeMachine) -> None:
    machine.kept_file.parent.mkdir(parents=True)
    machine.kept_file.write_text("# paivystys-setting: " + json.dumps(NEW.to_json()) + "\n")
    machine.set_addresses(("192.168.1.50/24", False))
    applier, status = started(machine, DHCP)

    assert machine.trial_file.read_text().endswith(
        "[Match]\nName=eth0\n\n[Network]\nDHCP=yes\nAddress=192.168.1.50/24\n")
    assert status.kept_addresses == ["192.168.1.50"]
    machine.set_addresses(("192.168.1.50/24", False), ("192.168.1.77/24", True))
    status = applier.step(status)
    assert machine.status()["new_addresses"] == ["192.168.1.77"]  # the lease, once it came

    decide(machine, keep=True)
    status = applier.step(status)
    assert (status.state, status.in_use) == (exchange.APPLIED, DHCP)
    assert not machine.kept_file.exists() and not machine.trial_file.exists()


def test_dhcp_that_gives_no_address_is_given_up_saying_so(machine: FakeMachine) -> None:
    machine.kept_file.parent.mkdir(parents=True)
    machine.kept_file.write_text("# paivystys-setting: " + json.dumps(NEW.to_json()) + "\n")
    machine.set_addresses(("192.168.1.50/24", False))
    applier, status = started(machine, DHCP)
    machine.clock.advance(180)
    status = applier.step(status)
    assert status.state == exchange.REVERTED
    assert "no DHCP server gave the box an address" in status.reason
    assert status.reason.endswith("the box is back on 192.168.1.50/24, gateway 192.168.1.1, "
                                  "DNS 192.168.1.1, 9.9.9.9")


def test_the_address_the_box_has_is_not_checked_against_itself(machine: FakeMachine) -> None:
    _applier, _status = started(machine, SAME_AS_LEASE)
    trial = machine.trial_file.read_text()
    assert "DuplicateAddressDetection" not in trial
    assert trial.endswith("[Network]\nDHCP=yes\nGateway=10.0.2.2\nDNS=10.0.2.3\n"
                          "Address=10.0.2.15/24\n")


def test_a_restart_during_a_trial_ends_it(machine: FakeMachine) -> None:
    started(machine, NEW)
    machine.trial_file.unlink()  # /run is empty after a restart
    machine.set_boot("11111111-2222-3333-4444-555555555555", BOOT_TIME + 600)
    status = machine.applier().start()
    assert (status.state, status.reason) == (
        exchange.REVERTED, "the box restarted before the setting was confirmed; it is back "
                           "on DHCP")
    assert machine.status()["boot_id"] == "11111111-2222-3333-4444-555555555555"


def test_a_restarted_applier_goes_on_watching_the_same_trial(machine: FakeMachine) -> None:
    started(machine, NEW)
    status = machine.applier().start()  # the service restarted, the box did not
    assert status.state == exchange.PENDING and status.request_id == "r1"


def test_a_request_from_before_the_restart_is_not_tried(machine: FakeMachine) -> None:
    ask(machine, NEW, modified=BOOT_TIME - 60)
    status = machine.applier().run()
    assert (status.state, status.reason) == (
        exchange.FAILED, "the box restarted before it took the request; set it again")
    assert not machine.trial_file.exists() and machine.networkctl_calls() == []


def test_the_setting_the_box_keeps_is_applied_without_a_trial(machine: FakeMachine) -> None:
    ask(machine, DHCP)
    status = machine.applier().run()
    assert (status.state, status.reason) == (exchange.APPLIED, None)
    assert machine.networkctl_calls() == [] and not machine.trial_file.exists()


@pytest.mark.parametrize("setting", [
    {"mode": "static", "address": "192.168.1.50/24\n[Network]\nDHCP=yes",
     "gateway": "192.168.1.1", "dns": ["192.168.1.1"]},
    {"mode": "static", "address": "192.168.1.50/24", "gateway": "192.168.1.1",
     "dns": ["192.168.1.1"], "extra": "Name=*"},
    {"mode": "static", "address": "192.168.1.50/24", "gateway": "10.0.0.1",
     "dns": ["192.168.1.1"]},
    {"mode": "dhcp", "address": "192.168.1.50/24"},
    {"mode": "bridge"},
    "DHCP=yes",
])
def test_a_hostile_request_is_refused_and_touches_nothing(machine: FakeMachine,
                                                          setting: object) -> None:
    document = {"id": "r1", "setting": setting, "by": "toimisto",
                "at": "2026-11-26T12:00:00+00:00"}
    exchange.write_json(machine.exchange / exchange.REQUEST_FILE, document)
    status = machine.applier().run()
    assert status.state == exchange.FAILED
    assert status.reason.startswith("the request was refused: ")
    assert not machine.trial_file.exists() and machine.networkctl_calls() == []
    assert not (machine.exchange / exchange.REQUEST_FILE).exists()


def test_a_request_that_is_a_link_is_not_followed(machine: FakeMachine, tmp_path: Path) -> None:
    secret = tmp_path / "shadow"
    secret.write_text('{"root": "hash"}')
    (machine.exchange / exchange.REQUEST_FILE).symlink_to(secret)
    status = machine.applier().run()
    assert status.state == exchange.FAILED
    assert "cannot be opened" in status.reason and "hash" not in status.reason
    assert secret.exists() and machine.networkctl_calls() == []


def test_a_huge_request_is_not_read(machine: FakeMachine) -> None:
    (machine.exchange / exchange.REQUEST_FILE).write_text(" " * 100_000 + "{}")
    status = machine.applier().run()
    assert status.state == exchange.FAILED and "larger than" in status.reason


def test_a_networkd_that_refuses_fails_the_request_and_leaves_no_trial(
        machine: FakeMachine) -> None:
    machine.fail_networkctl()
    ask(machine, NEW)
    status = machine.applier().run()
    assert status.state == exchange.FAILED
    assert status.reason == (
        "not applied: 'networkctl reload' failed (exit 1): Failed to reload network settings: "
        "Unit dbus-org.freedesktop.network1.service not found.".replace(
            "'networkctl reload'", f"'{machine.fake / 'networkctl'} reload'"))
    assert not machine.trial_file.exists()


def test_going_back_that_fails_says_how_to_go_back(machine: FakeMachine) -> None:
    applier, status = started(machine, NEW)
    machine.fail_networkctl()
    decide(machine, keep=False)
    status = applier.step(status)
    assert status.state == exchange.FAILED
    assert "going back failed too" in status.reason
    assert status.reason.endswith("restart the box to go back to DHCP (a setting on trial "
                                  "lasts until a restart only)")
    assert not machine.trial_file.exists()


def test_a_newer_request_replaces_the_one_on_trial(machine: FakeMachine) -> None:
    applier, status = started(machine, NEW)
    ask(machine, SAME_AS_LEASE, request_id="r2")
    status = applier.step(status)
    assert (status.state, status.request_id) == (exchange.PENDING, "r2")
    assert "Address=10.0.2.15/24" in machine.trial_file.read_text()
    assert "192.168.1.50" not in machine.trial_file.read_text()


def test_a_file_written_by_hand_is_a_setting_not_known(machine: FakeMachine) -> None:
    machine.kept_file.parent.mkdir(parents=True)
    machine.kept_file.write_text("[Match]\nName=eth0\n\n[Network]\nAddress=10.9.9.9/8\n")
    status = machine.applier().start()
    assert status.in_use is None


def test_the_link_is_the_one_with_the_default_route(machine: FakeMachine) -> None:
    machine.add_link("eth1")
    machine.add_link("wlan0")
    (machine.root / "sys/class/net/wlan0/wireless").mkdir()
    machine.add_link("lo", wired=False)
    machine.set_route("eth1")
    assert machine.host.wired_links() == ["eth0", "eth1"]
    assert machine.applier().choose_link() == "eth1"


def test_without_a_default_route_the_only_port_with_a_cable_is_the_link(
        machine: FakeMachine) -> None:
    machine.add_link("eth1", carrier=False)
    machine.set_route(None)
    assert machine.applier().choose_link() == "eth0"
    (machine.root / "sys/class/net/eth1/carrier").write_text("1\n")
    with pytest.raises(HostError, match="several wired ports"):
        machine.applier().choose_link()


def test_the_addresses_come_from_ip_as_iproute2_prints_them(machine: FakeMachine) -> None:
    machine.set_addresses(("10.0.2.15/24", True), ("192.168.1.50/24", False))
    found = machine.host.addresses("eth0")
    assert [(str(item.interface), item.dynamic) for item in found] == [
        ("10.0.2.15/24", True), ("192.168.1.50/24", False)]


def test_a_hostile_link_name_never_reaches_a_command(machine: FakeMachine) -> None:
    with pytest.raises(Invalid, match="interface"):
        machine.host.addresses("eth0; reboot")


def test_the_real_ip_command_is_understood() -> None:
    """iproute2's own JSON, where this machine has it (the box's image always does)."""
    host = Host()
    try:
        routes_link = host.default_route_link()
    except HostError as error:
        pytest.skip(f"no usable ip here: {error}")
    assert routes_link is None or isinstance(routes_link, str)
    assert all(item.interface.ip.is_loopback for item in host.addresses("lo"))


def test_the_deadline_is_kept_across_a_wall_clock_jump(machine: FakeMachine) -> None:
    """The trial's end is counted on the boot clock: a wall clock set later (NTP after boot)
    neither ends it early nor keeps it longer."""
    applier, status = started(machine, NEW)
    machine.clock.wall += dt.timedelta(hours=3)
    machine.set_addresses(("10.0.2.15/24", True), ("192.168.1.50/24", False))
    machine.clock.advance(60)
    assert applier.step(status).state == exchange.PENDING
