"""The box test: the Debian package installed with apt on a fresh Debian sid machine, booted
with systemd as PID 1 under qemu, checked from outside (its API on a forwarded port) and
through a root shell on its second serial port.

Slow (about ten minutes; the machine is emulated): not in the default run (pyproject's
addopts ignore this directory); run it with ``sudo ./scripts/box-test``.  The tests share one
machine and run in this file's order: the claim gives the session the later tests use, and
the update (uploaded through the API) comes last.
"""

from __future__ import annotations

import base64
import json
import re
import time
from pathlib import Path

import httpx
import pytest
from machine import Box

UNITS = ("paivystys-setup.service", "paivystys-agi.service", "paivystys-monitor.service",
         "paivystys-modem.service", "paivystys-sipguard.service", "paivystys-api.service",
         "paivystys-notice.path", "paivystys-network.path", "asterisk.service")
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


def _network_when(http: httpx.Client, states: tuple[str, ...], timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        shown = http.get("/api/network").json()
        if shown["state"] in states:
            return shown
        assert time.monotonic() < deadline, f"network not {states} in {timeout:.0f} s: {shown}"
        time.sleep(1)


def test_a_static_address_is_tried_confirmed_through_it_and_kept(box: Box) -> None:
    """The address qemu's DHCP gives, set as static: the API must stay reachable throughout,
    and the confirmation arrives at it (through the forwarded port)."""
    assert box.token, "needs the claim's session"
    static = {"mode": "static", "address": "10.0.2.15/24", "gateway": "10.0.2.2",
              "dns": ["10.0.2.3"]}
    with client(box) as http:
        before = _network_when(http, ("applied",), timeout=120)  # the boot run has reported
        assert before["in_use"]["mode"] == "dhcp", before
        started = time.monotonic()
        asked = http.put("/api/network", json=static)
        assert asked.status_code == 200, asked.text
        trial = _network_when(http, ("pending", "failed", "reverted"), timeout=120)
        assert trial["state"] == "pending", trial
        box.report["network_trial_seconds"] = round(time.monotonic() - started, 1)
        deadline = time.monotonic() + 60
        while trial["state"] == "pending" and not trial["new_addresses"]:
            assert time.monotonic() < deadline, trial
            time.sleep(1)
            trial = http.get("/api/network").json()
        assert trial["new_addresses"] == ["10.0.2.15"] and trial["interface"] == "eth0"
        assert "Address=10.0.2.15/24" in box.machine.check(
            "cat /run/systemd/network/05-paivystys-trial.network")
        confirmed = http.post("/api/network/confirm", json={"request_id": trial["request_id"]})
        assert confirmed.status_code == 200, confirmed.text
        kept = _network_when(http, ("applied", "failed", "reverted"), timeout=60)
        assert (kept["state"], kept["in_use"]) == ("applied", {**static}), kept
        box.report["network_static_seconds"] = round(time.monotonic() - started, 1)

        # A second change, given up by the admin: back to the one kept.
        second = {**static, "dns": ["10.0.2.3", "10.0.2.2"]}
        assert http.put("/api/network", json=second).status_code == 200
        trial = _network_when(http, ("pending",), timeout=120)
        back = http.post("/api/network/revert", json={"request_id": trial["request_id"]})
        assert back.status_code == 200, back.text
        gone = _network_when(http, ("reverted", "failed"), timeout=60)
        assert gone["state"] == "reverted" and gone["in_use"] == static, gone
        assert http.get("/api/health").status_code == 200
    kept_file = box.machine.check("cat /etc/systemd/network/10-paivystys.network")
    assert "Name=eth0" in kept_file and "Address=10.0.2.15/24" in kept_file
    assert "DNS=10.0.2.2" not in kept_file
    assert box.machine.run("test -e /run/systemd/network/05-paivystys-trial.network").status
    address = box.machine.check("ip -color=never -4 -o address show dev eth0")
    assert "10.0.2.15/24" in address and "dynamic" not in address, address
    assert "configured" in box.machine.check("networkctl status eth0 --no-pager")
    assert box.machine.check("systemctl --failed --no-legend --plain") == ""
    # Every run ended by itself: no crash, no restart.
    for prop, value in (("Result", "success"), ("NRestarts", "0")):
        shown = box.machine.check(f"systemctl show -P {prop} paivystys-network.service")
        assert shown.strip() == value, prop


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


def upload(http: httpx.Client, deb: Path, signature: bytes) -> httpx.Response:
    return http.post("/api/update", content=deb.read_bytes(),
                     headers={"Content-Type": "application/vnd.debian.binary-package",
                              "Update-Signature": base64.b64encode(signature).decode()})


def test_an_update_uploaded_through_the_api_keeps_the_state_and_the_calls(box: Box) -> None:
    """The second, higher-versioned package as an admin installs it from the console: uploaded
    with its signature, checked, installed by root's paivystys-update.service with apt-get
    while the API restarts; the data, the TLS identity, the AMI secret and Asterisk (with its
    calls) are kept."""
    assert box.token, "needs the claim's session"
    machine = box.machine
    deb = box.upgrade.path
    signature = deb.with_name(deb.name + ".sig").read_bytes()
    with client(box) as http:
        numbers_before = http.get("/api/numbers").json()
        before = http.get("/api/update").json()
        assert (before["installed_version"], before["updates"], before["state"]) == (
            box.first.version, True, "none"), before
        # Refused with the reason, before anything is installed: the version installed, and
        # a signature file altered to name another version.
        same = upload(http, box.first.path,
                      box.first.path.with_name(box.first.path.name + ".sig").read_bytes())
        assert same.status_code == 422, same.text
        assert "is the one installed" in same.json()["detail"][0]["msg"]
        altered = json.loads(signature)
        altered["version"] += ".1"
        forged = upload(http, deb, json.dumps(altered).encode())
        assert forged.status_code == 422, forged.text
        assert forged.json()["detail"][0]["msg"].startswith("the signature does not hold")
    fingerprint_before = box.served_fingerprint()
    secret_before = machine.check(f"sha256sum {STATE}/appliance/ami.secret")
    asterisk_before = machine.check("systemctl show -P MainPID asterisk").strip()

    started = time.monotonic()
    with client(box) as http:
        requested = upload(http, deb, signature)
    assert requested.status_code == 202, requested.text
    assert requested.json()["state"] == "waiting"
    # The console's way: ask until the switchboard answers that it is done, through the API's
    # restart.
    deadline = time.monotonic() + UPGRADE_TIMEOUT_S
    states = []
    while True:
        try:
            with client(box) as http:
                state = http.get("/api/update").json()
            if not states or states[-1] != state["state"]:
                states.append(state["state"])
            if state["state"] in ("installed", "failed"):
                break
        except httpx.HTTPError:
            if not states or states[-1] != "(not answering)":
                states.append("(not answering)")
        assert time.monotonic() < deadline, f"the update did not end: {states}"
        time.sleep(1)
    box.report["update_through_api_seconds"] = round(time.monotonic() - started, 1)
    box.report["update_states_seen"] = states
    installer = journal(box, "paivystys-update")
    assert state["state"] == "installed", f"{state}\n{installer[-3000:]}"
    assert (state["version"], state["from_version"], state["requested_by"]) == (
        box.upgrade.version, box.first.version, "toimisto")
    assert "restarting Asterisk" not in installer  # its drop-in is the same
    wait_active(box, UNITS, timeout=300)

    assert machine.check("dpkg-query -W -f '${Version}' paivystys") == box.upgrade.version
    with client(box) as http:  # the session from before the update: the database is kept
        assert http.get("/api/health").json()["version"] == box.upgrade.version
        assert http.get("/api/numbers").json() == numbers_before
        audit = http.get("/api/audit").json()
    assert any(row["action"] == "update.request" and row["actor"] == "toimisto"
               for row in audit)
    assert box.served_fingerprint() == fingerprint_before  # no "certificate changed"
    assert machine.check(f"sha256sum {STATE}/appliance/ami.secret") == secret_before
    # Calls in progress were not dropped: the same Asterisk process, not restarted.
    assert machine.check("systemctl show -P MainPID asterisk").strip() == asterisk_before
    assert machine.check("systemctl --failed --no-legend --plain") == ""
    assert "'+358201234567' =>" in machine.check("asterisk -rx 'dialplan show'")
    # The upload and the request are gone; root's copy too.
    assert machine.check(f"ls -A {STATE}/update").split() == ["state.json"]
    assert machine.check("ls -A /var/cache/paivystys-update").split() == []
    line = machine.check("systemd-analyze security --no-pager paivystys-update.service "
                         "| tail -1")
    box.report["systemd_analyze_security_update"] = line.strip()
    box.report["upgrade"] = f"{box.first.version} -> {box.upgrade.version} through the API: " \
                            "state kept"


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
