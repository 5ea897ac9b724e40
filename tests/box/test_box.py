"""The box test: the Debian package installed with apt on a fresh Debian sid machine, booted
with systemd as PID 1 under qemu, checked from outside (its API on a forwarded port) and
through a root shell on its second serial port.

Slow (about ten minutes; the machine is emulated): not in the default run (pyproject's
addopts ignore this directory); run it with ``sudo ./scripts/box-test``.  The tests share one
machine and run in this file's order: the claim gives the session the later tests use, and
the upgrade comes last.
"""

from __future__ import annotations

import re
import time

import httpx
import pytest
from machine import Box

UNITS = ("paivystys-setup.service", "paivystys-agi.service", "paivystys-monitor.service",
         "paivystys-modem.service", "paivystys-sipguard.service", "paivystys-api.service",
         "paivystys-notice.path", "asterisk.service")
SERVICES = ("paivystys-agi", "paivystys-monitor", "paivystys-modem", "paivystys-sipguard",
            "paivystys-api")
PASSWORD = "Kahvikuppi-Sininen-42"
STATE = "/var/lib/paivystys"
# The most exposure systemd-analyze may find in a service of ours (0 safest, 10 unsafest).
MOST_EXPOSURE = 2.0
UPGRADE_TIMEOUT_S = 600


def journal(box: Box, unit: str) -> str:
    return box.machine.check(f"journalctl -b -u {unit} --no-pager -o cat")


def client(box: Box) -> httpx.Client:
    headers = {"Authorization": f"Bearer {box.token}"} if box.token else {}
    return httpx.Client(base_url=box.url, verify=False, timeout=60, headers=headers)


def wait_active(box: Box, units: tuple[str, ...], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        states = box.machine.run(f"systemctl is-active {' '.join(units)}").output.split()
        if all(state == "active" for state in states):
            return
        if time.monotonic() > deadline:
            found = dict(zip(units, states, strict=True))
            late = [unit for unit, state in found.items() if state != "active"]
            status = box.machine.run(f"systemctl status --no-pager -n 40 {' '.join(late)}")
            pytest.fail(f"not all active within {timeout:.0f} s: {found}\n{status.output}")
        time.sleep(2)


def test_every_unit_is_active_and_nothing_failed(box: Box) -> None:
    wait_active(box, UNITS, timeout=300)
    assert box.machine.check("systemctl --failed --no-legend --plain") == ""
    assert box.machine.check("systemctl is-system-running --wait").strip() == "running"


def test_the_status_of_every_unit_shows_no_error(box: Box) -> None:
    for unit in UNITS:
        status = box.machine.run(f"systemctl status --no-pager --lines=0 {unit}")
        assert status.status == 0, status.output
        errors = box.machine.check(f"journalctl -b -u {unit} -p err --no-pager -o cat")
        assert errors == "", f"{unit} logged errors:\n{errors}"
        assert "Traceback" not in journal(box, unit), unit


def test_the_api_answers_over_tls_with_the_fingerprint_its_journal_shows(box: Box) -> None:
    logged = re.findall(r"certificate SHA-256 fingerprint ([0-9A-F:]{95})",
                        journal(box, "paivystys-api"))
    assert logged, journal(box, "paivystys-api")
    assert box.served_fingerprint() == logged[-1]
    with client(box) as http:
        assert http.get("/api/claim").json() == {"claimed": False}
        # Until it is claimed, nothing else answers.
        assert http.get("/api/numbers").status_code == 403


def test_the_set_up_code_on_the_screen_claims_the_box_once(box: Box) -> None:
    codes = re.findall(r"set-up code ([0-9A-Z]{4}(?:-[0-9A-Z]{4}){3})",
                       journal(box, "paivystys-api"))
    assert codes
    code = codes[-1]
    notice = box.machine.check("cat /run/paivystys/setup-notice")
    assert code in notice and box.served_fingerprint()[:23] in notice
    # The login prompt shows it: agetty follows /etc/issue.d/paivystys.issue to the notice.
    assert code in box.machine.check("agetty --show-issue </dev/tty2")
    assert code in box.machine.screen()

    with client(box) as http:
        wrong = http.post("/api/claim", json={"code": "0000-0000-0000-0000",
                                               "username": "toimisto", "password": PASSWORD})
        assert wrong.status_code == 422
        claimed = http.post("/api/claim", json={"code": code.lower().replace("-", " "),
                                                 "username": "toimisto", "password": PASSWORD})
        assert claimed.status_code == 201, claimed.text
        box.token = claimed.json()["token"]
        again = http.post("/api/claim", json={"code": code, "username": "toinen",
                                               "password": PASSWORD})
        assert again.status_code == 409
        assert http.get("/api/claim").json() == {"claimed": True}

    # The notice goes, and with it the prompt's; a dangling issue link shows nothing.
    deadline = time.monotonic() + 30
    while box.machine.run("test -e /run/paivystys/setup-notice").status == 0:
        assert time.monotonic() < deadline, "the set-up notice outlived the claim"
        time.sleep(1)
    shown = box.machine.run("agetty --show-issue </dev/tty2")
    assert shown.status == 0 and code not in shown.output


def test_a_change_through_the_api_reaches_asterisk(box: Box) -> None:
    assert box.token, "needs the claim's session"
    with client(box) as http:
        added = http.post("/api/numbers", json={"number": "020 123 4567", "name": "Huolto"})
        assert added.status_code == 201, added.text
        group = http.post("/api/groups", json={"name": "Sähkö"})
        assert group.status_code == 201, group.text
    dialplan = box.machine.check("asterisk -rx 'dialplan show'")
    assert "'+358201234567' =>" in dialplan
    assert "applied configuration" in journal(box, "paivystys-api")


def test_the_services_run_as_paivystys_and_asterisk_as_asterisk(box: Box) -> None:
    for service in SERVICES:
        pid = box.machine.check(f"systemctl show -P MainPID {service}").strip()
        user = box.machine.check(f"ps -o user= -p {pid}").strip()
        assert user == "paivystys", service
    pid = box.machine.check("systemctl show -P MainPID asterisk").strip()
    assert box.machine.check(f"ps -o user= -p {pid}").strip() == "asterisk"
    memory = {}
    for unit in (*SERVICES, "asterisk"):
        current = box.machine.check(f"systemctl show -P MemoryCurrent {unit}").strip()
        pid = box.machine.check(f"systemctl show -P MainPID {unit}").strip()
        rss = box.machine.check(f"ps -o rss= -p {pid}").strip()
        memory[unit] = {"cgroup_mib": round(int(current) / 2**20, 1),
                        "rss_mib": round(int(rss) / 1024, 1)}
    box.report["memory"] = memory


def test_the_state_files_have_their_owners_and_modes(box: Box) -> None:
    listing = box.machine.check(
        f"stat -c '%n %U %G %a' {STATE} {STATE}/paivystys.db {STATE}/appliance "
        f"{STATE}/appliance/ami.secret {STATE}/appliance/etc {STATE}/appliance/recordings "
        f"{STATE}/tls {STATE}/tls/*")
    found = {line.split()[0]: tuple(line.split()[1:]) for line in listing.splitlines()}
    assert found[STATE] == ("paivystys", "paivystys", "751")
    assert found[f"{STATE}/paivystys.db"][:2] == ("paivystys", "paivystys")
    assert found[f"{STATE}/paivystys.db"][2] in ("600", "660")
    assert found[f"{STATE}/appliance/ami.secret"] == ("paivystys", "paivystys", "600")
    assert found[f"{STATE}/appliance/etc"] == ("paivystys", "asterisk", "2750")
    assert found[f"{STATE}/appliance/recordings"] == ("asterisk", "paivystys", "2770")
    # The key is the API's alone; the certificate is public (consoles pin its fingerprint).
    assert found[f"{STATE}/tls"] == ("paivystys", "paivystys", "700")
    assert found[f"{STATE}/tls/api.key"] == ("paivystys", "paivystys", "600")
    assert found[f"{STATE}/tls/api.crt"][0] == "paivystys"
    # Others can pass through the state directory, never list it.
    assert box.machine.run(f"setpriv --reuid nobody --regid nogroup --clear-groups "
                           f"ls {STATE}").status != 0


def test_every_service_is_sandboxed(box: Box) -> None:
    exposure = {}
    analysed = [unit.replace(".path", ".service") for unit in UNITS]  # the path's service
    for unit in analysed:
        line = box.machine.check(f"systemd-analyze security --no-pager {unit} | tail -1")
        found = re.search(r"exposure level for \S+: (\d+\.\d+) (\w+)", line)
        assert found, line
        exposure[unit] = f"{found.group(1)} {found.group(2)}"
    box.report["systemd_analyze_security"] = exposure
    for service in SERVICES:
        assert float(exposure[f"{service}.service"].split()[0]) <= MOST_EXPOSURE, exposure


def test_an_upgrade_in_place_keeps_the_state_and_brings_the_services_back(box: Box) -> None:
    assert box.token, "needs the claim's session"
    machine = box.machine
    with client(box) as http:
        numbers_before = http.get("/api/numbers").json()
    fingerprint_before = box.served_fingerprint()
    secret_before = machine.check(f"sha256sum {STATE}/appliance/ami.secret")
    asterisk_before = machine.check("systemctl show -P MainPID asterisk").strip()

    started = time.monotonic()
    upgrade = machine.run(f"apt-get install -y /root/upgrade/{box.upgrade.path.name}",
                          timeout=UPGRADE_TIMEOUT_S)
    assert upgrade.status == 0, upgrade.output
    assert "restarting Asterisk" not in upgrade.output  # its drop-in is the same
    wait_active(box, UNITS, timeout=300)
    deadline = time.monotonic() + 120
    while True:
        try:
            with client(box) as http:
                health = http.get("/api/health")
            if health.status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the API did not come back after the upgrade"
        time.sleep(1)
    box.report["upgrade_seconds"] = round(time.monotonic() - started, 1)

    assert health.json()["version"] == box.upgrade.version
    installed = machine.check("dpkg-query -W -f '${Version}' paivystys")
    assert installed == box.upgrade.version
    with client(box) as http:  # the session from before the upgrade: the database is kept
        assert http.get("/api/numbers").json() == numbers_before
    assert box.served_fingerprint() == fingerprint_before
    assert machine.check(f"sha256sum {STATE}/appliance/ami.secret") == secret_before
    # Calls in progress were not dropped: the same Asterisk process, not restarted.
    assert machine.check("systemctl show -P MainPID asterisk").strip() == asterisk_before
    assert machine.check("systemctl --failed --no-legend --plain") == ""
    assert "'+358201234567' =>" in machine.check("asterisk -rx 'dialplan show'")
    box.report["upgrade"] = f"{box.first.version} -> {box.upgrade.version}: state kept"


def test_a_purge_removes_the_state_and_an_install_on_the_running_machine_starts_afresh(
        box: Box) -> None:
    machine = box.machine
    fingerprint_before = box.served_fingerprint()
    purged = machine.run("apt-get purge -y paivystys", timeout=UPGRADE_TIMEOUT_S)
    assert purged.status == 0, purged.output
    assert machine.run(f"test -e {STATE}").status != 0, "the purge left the state directory"
    assert "paivystys" not in machine.check("ls /etc/systemd/system/multi-user.target.wants/")
    # Debian's Asterisk goes on, on its own configuration.
    wait_active(box, ("asterisk.service",), timeout=120)
    assert "paivystys" not in machine.check("systemctl show -P ExecStart asterisk")

    started = time.monotonic()
    installed = machine.run(f"apt-get install -y /root/debs/{box.first.path.name}",
                            timeout=UPGRADE_TIMEOUT_S)
    assert installed.status == 0, installed.output
    assert "restarting Asterisk" in installed.output
    wait_active(box, UNITS, timeout=300)
    box.report["install_on_running_machine_seconds"] = round(time.monotonic() - started, 1)
    assert machine.check("systemctl --failed --no-legend --plain") == ""
    # A new box: a new identity, unclaimed, with its own set-up code.
    assert box.served_fingerprint() != fingerprint_before
    with httpx.Client(base_url=box.url, verify=False, timeout=60) as http:
        assert http.get("/api/claim").json() == {"claimed": False}
    deadline = time.monotonic() + 30
    while machine.run("test -s /run/paivystys/setup-notice").status != 0:
        assert time.monotonic() < deadline, "the new box shows no set-up notice"
        time.sleep(1)
