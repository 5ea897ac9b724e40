"""The image test: an image built by ``image-build/build``, written to a larger virtual card,
booted under qemu (software emulation) the way an installer's box boots it the first time,
and checked from outside (the API over a forwarded port, the screen) and through a root shell
that the test, not the image, brings.

Slow (the PC image about ten minutes, the Raspberry Pi image much longer): not in the default
run; ``sudo ./scripts/image-test`` (``--image-target pi`` for the Pi image).  The tests share
one machine per image and run in this file's order: the claim gives the session the later
tests use, and the update comes last.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time

import httpx
from targets import BOOT_LABEL, ROOT_LABEL
from test_box import PASSWORD, SERVICES, UNITS, client, journal, wait_active

from conftest import CARD_EXTRA_BYTES, IMAGES, ImageBox, partitions

STATE = "/var/lib/paivystys"
UPDATE_TIMEOUT_S = 900
# As the screen shows it ("Set-up code:   2QVB-S0NQ-P2PZ-4CZ5") and the journal says it.
SETUP_CODE = re.compile(r"set-up code:?\s+([0-9A-Z]{4}(?:-[0-9A-Z]{4}){3})", re.IGNORECASE)
# Debian's kernel names the Compute Module 4's device tree after its IO board; config.txt
# points the firmware to it.
PI_DEVICE_TREES = ("bcm2711-rpi-4-b.dtb", "bcm2711-rpi-400.dtb", "bcm2711-rpi-cm4-io.dtb")


def test_the_published_files_describe_the_image(image_box: ImageBox) -> None:
    built = image_box.report["image"]
    assert isinstance(built, dict)
    compressed = IMAGES / built["files"][0]
    digest = hashlib.sha256(compressed.read_bytes()).hexdigest()
    assert (IMAGES / f"{compressed.name}.sha256").read_text() == f"{digest}  {compressed.name}\n"
    manifest = (IMAGES / built["files"][2]).read_text().splitlines()
    packages = {line.split("\t")[1]: line.split("\t")[2] for line in manifest
                if line.startswith("deb\t")}
    assert packages["paivystys"] == image_box.first.version
    assert "asterisk" in packages and f"linux-image-{image_box.target.architecture}" in packages
    if image_box.target.name == "pi":
        entry = json.loads((IMAGES / built["files"][3]).read_text())["os_list"][0]
        assert entry["image_download_sha256"] == digest
        assert entry["image_download_size"] == compressed.stat().st_size
        assert entry["extract_size"] + CARD_EXTRA_BYTES == image_box.card.stat().st_size
        assert {"pi4-64bit", "pi5-64bit"} <= set(entry["devices"])


def test_every_unit_is_active_and_nothing_failed(image_box: ImageBox) -> None:
    wait_active(image_box, (*UNITS, "paivystys-grow-root.service"), timeout=600)
    running = image_box.machine.run("systemctl is-system-running --wait", timeout=600)
    failed = image_box.machine.check("systemctl --failed --no-legend --plain")
    assert running.output.strip() == "running" and failed == "", failed


def test_the_first_boot_grew_the_root_filesystem_to_the_card(image_box: ImageBox) -> None:
    built = image_box.report["image"]
    assert isinstance(built, dict)
    card_bytes = image_box.card.stat().st_size
    assert card_bytes == int(built["image_bytes"]) + CARD_EXTRA_BYTES
    # The card (the file qemu writes to) now holds the partition table the box rewrote: its
    # root partition reaches the end of the card (GPT keeps its backup in the last sectors).
    table = partitions(image_box.card)
    assert len(table) == 2
    root_end = (int(table[1]["start"]) + int(table[1]["size"])) * 512  # type: ignore[call-overload]
    assert root_end >= card_bytes - 2**20, (root_end, card_bytes)
    device = image_box.machine.check(f"findfs LABEL={ROOT_LABEL}").strip()
    partition_bytes = int(image_box.machine.check(f"blockdev --getsize64 {device}"))
    superblock = dict(line.split(":", 1) for line in image_box.machine.check(
        f"dumpe2fs -h {device} 2>/dev/null").splitlines() if ":" in line)
    filesystem_bytes = int(superblock["Block count"]) * int(superblock["Block size"])
    assert filesystem_bytes >= partition_bytes - 4 * 2**20, (filesystem_bytes, partition_bytes)
    image_box.report["root_filesystem_bytes"] = filesystem_bytes


def test_the_box_has_its_own_name_and_identity(image_box: ImageBox) -> None:
    machine = image_box.machine
    machine_id = machine.check("cat /etc/machine-id").strip()
    assert re.fullmatch(r"[0-9a-f]{32}", machine_id)
    hostname = machine.check("hostname").strip()
    assert re.fullmatch(r"paivystys-[0-9a-f]{4}", hostname), hostname
    assert "paivystys-????" in machine.check("cat /etc/hostname")
    # Secrets made on this box, none of them in the image.
    for path in (f"{STATE}/appliance/ami.secret", f"{STATE}/tls/api.key"):
        machine.check(f"test -s {path}")
    assert machine.check("ls /etc/ssh 2>/dev/null | grep -c ssh_host_ || true").strip() in (
        "", "0")
    # No password logs in: root's is locked.
    assert machine.check("passwd --status root").split()[1] == "L"
    image_box.report["hostname"] = hostname


def test_the_network_comes_by_dhcp(image_box: ImageBox) -> None:
    status = image_box.machine.check("networkctl status --no-pager --lines=0 'en*'")
    # A lease from qemu's DHCP server (its restricted network offers no router or DNS).
    assert re.search(r"10\.0\.2\.15 \(DHCPv4", status), status


def test_the_boot_partition_boots_the_box(image_box: ImageBox) -> None:
    machine = image_box.machine
    mount = image_box.target.boot_mount
    assert machine.check(f"findmnt --noheadings --output FSTYPE,LABEL {mount}").split() == [
        "vfat", BOOT_LABEL]
    files = machine.check(f"ls {mount}").split()
    if image_box.target.name == "pc":
        assert "EFI" in files and "loader" in files
        entries = machine.check("bootctl list --no-pager")
        assert f"root=LABEL={ROOT_LABEL}" in entries
        assert machine.check("uname -r").strip() in entries
    else:
        assert {"config.txt", "cmdline.txt", "start4.elf", "fixup4.dat"} <= set(files)
        assert set(PI_DEVICE_TREES) <= set(files), files
        command_line = machine.check(f"cat {mount}/cmdline.txt")
        assert f"root=LABEL={ROOT_LABEL}" in command_line and "cma=" not in command_line
        assert "[cm4]\ndevice_tree=bcm2711-rpi-cm4-io.dtb" in machine.check(
            f"cat {mount}/config.txt")
        image_box.report["raspberry_pi_5_device_tree"] = "bcm2712-rpi-5-b.dtb" in files


def test_the_set_up_code_on_the_serial_console_claims_the_box(image_box: ImageBox) -> None:
    deadline = time.monotonic() + 120
    while not (codes := SETUP_CODE.findall(image_box.machine.screen())):
        assert time.monotonic() < deadline, image_box.machine.screen()[-3000:]
        time.sleep(2)
    code = codes[-1]
    assert code in journal(image_box, "paivystys-api")
    with client(image_box) as http:
        claimed = http.post("/api/claim", json={"code": code, "username": "toimisto",
                                                 "password": PASSWORD})
        assert claimed.status_code == 201, claimed.text
        image_box.token = claimed.json()["token"]


def test_a_change_through_the_api_reaches_asterisk(image_box: ImageBox) -> None:
    assert image_box.token, "needs the claim's session"
    with client(image_box) as http:
        added = http.post("/api/numbers", json={"number": "020 123 4567", "name": "Huolto"})
        assert added.status_code == 201, added.text
    assert "'+358201234567' =>" in image_box.machine.check("asterisk -rx 'dialplan show'")


def test_memory_used_after_boot(image_box: ImageBox) -> None:
    memory = {}
    for unit in (*SERVICES, "asterisk"):
        current = image_box.machine.check(f"systemctl show -P MemoryCurrent {unit}").strip()
        memory[unit] = round(int(current) / 2**20, 1)
    total = image_box.machine.check("free -m | awk '/^Mem:/ {print $3}'").strip()
    image_box.report["memory_cgroup_mib"] = memory
    image_box.report["memory_used_by_the_system_mib"] = int(total)
    assert all(mib > 0 for mib in memory.values())



def _network_when(image_box: ImageBox, states: tuple[str, ...], timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    with client(image_box) as http:
        while (shown := http.get("/api/network").json())["state"] not in states:
            assert time.monotonic() < deadline, f"not {states} in {timeout:.0f} s: {shown}"
            time.sleep(1)
    return shown


def test_a_static_address_set_through_the_api_is_tried_confirmed_and_kept(
        image_box: ImageBox) -> None:
    """The address qemu's DHCP gave, made static through the API as the console does: the box
    answers throughout, the confirmation arrives through the new address, and the setting
    replaces the image's DHCP for this port."""
    assert image_box.token, "needs the claim's session"
    static = {"mode": "static", "address": "10.0.2.15/24", "gateway": "10.0.2.2",
              "dns": ["10.0.2.3"]}
    assert _network_when(image_box, ("applied",), 120)["in_use"]["mode"] == "dhcp"
    with client(image_box) as http:
        assert http.put("/api/network", json=static).status_code == 200
    deadline = time.monotonic() + 120
    while not (trial := _network_when(image_box, ("pending",), 120))["new_addresses"]:
        assert time.monotonic() < deadline, trial
        time.sleep(1)
    assert trial["interface"].startswith("en"), trial  # the image's predictable names
    with client(image_box) as http:
        confirmed = http.post("/api/network/confirm", json={"request_id": trial["request_id"]})
        assert confirmed.status_code == 200, confirmed.text
    kept = _network_when(image_box, ("applied", "failed", "reverted"), 60)
    assert (kept["state"], kept["in_use"]) == ("applied", static), kept
    address = image_box.machine.check(
        f"ip -color=never -4 -o address show dev {trial['interface']}")
    assert "10.0.2.15/24" in address and "dynamic" not in address, address


def test_the_box_keeps_nightly_backups_an_admin_can_download(image_box: ImageBox) -> None:
    assert image_box.token, "needs the claim's session"
    machine = image_box.machine
    assert machine.check("systemctl is-enabled paivystys-backup.timer").strip() == "enabled"
    assert machine.check("systemctl is-active paivystys-backup.timer").strip() == "active"
    machine.check("systemctl start paivystys-backup.service")  # what the timer starts
    with client(image_box) as http:
        stored = http.get("/api/backups").json()
        assert stored["backups"] and stored["nightly"] is True, stored
        name = stored["backups"][0]["name"]
        downloaded = http.get(f"/api/backups/{name}")
        assert downloaded.status_code == 200
        assert downloaded.json()["format"] == "paivystys-backup"
        health = http.get("/api/health").json()["database"]
    assert machine.check(f"stat -c '%a %U' {STATE}/backups/{name}").split() == ["600",
                                                                                "paivystys"]
    assert health["ok"] is True and health["last_good_backup"]["name"] == name, health


def test_an_update_through_the_api_keeps_everything(image_box: ImageBox) -> None:
    """The installer's path: the newer package and its signature uploaded as the console
    uploads them; the configuration, the call log, a recording, the secrets and the TLS
    identity are all there afterwards, and the calls' Asterisk was never restarted."""
    assert image_box.token, "needs the claim's session"
    machine = image_box.machine
    recording = f"{STATE}/appliance/recordings/2026/12/05/image-test.wav"
    machine.check(f"install -d -o asterisk -g paivystys -m 2770 $(dirname {recording}) && "
                  f"head -c 48000 /dev/urandom > {recording} && chown asterisk {recording}")
    machine.check(
        "python3 -c \"import sqlite3; db = sqlite3.connect('/var/lib/paivystys/paivystys.db'); "
        "db.execute(\\\"INSERT INTO call (call_id, dialled, caller, arrived_at, answered_at, "
        "ended_at, wait_s, talk_s, outcome, recording, routing) VALUES ('image-test.1', "
        "'+358201234567', '+358401234567', '2026-12-05 10:00:00', '2026-12-05 10:00:07', "
        "'2026-12-05 10:03:07', 7, 180, 'answered', '2026/12/05/image-test.wav', 'agi')\\\"); "
        "db.commit()\"")
    kept = ("sha256sum /var/lib/paivystys/appliance/ami.secret /var/lib/paivystys/tls/* "
            f"{recording}")
    files_before = machine.check(kept)
    asterisk_before = machine.check("systemctl show -P MainPID asterisk").strip()
    fingerprint_before = image_box.served_fingerprint()
    with client(image_box) as http:
        numbers_before = http.get("/api/numbers").json()
        calls_before = http.get("/api/calls").json()
        assert any(call["call_id"] == "image-test.1" for call in calls_before["items"])

    upgrade = image_box.upgrade.path
    signature = base64.b64encode(upgrade.with_name(upgrade.name + ".sig").read_bytes())
    started = time.monotonic()
    with client(image_box) as http:
        sent = http.post("/api/update", content=upgrade.read_bytes(),
                         headers={"Update-Signature": signature.decode()}, timeout=600)
        assert sent.status_code == 202, sent.text
    deadline = time.monotonic() + UPDATE_TIMEOUT_S
    state = {}
    while time.monotonic() < deadline:
        try:
            with client(image_box) as http:
                state = http.get("/api/update").json()
        except httpx.HTTPError:
            state = {}  # the API restarts with the new version
        if state.get("state") in ("installed", "failed"):
            break
        time.sleep(2)
    assert state.get("state") == "installed", state
    image_box.report["update_seconds"] = round(time.monotonic() - started, 1)
    assert state["installed_version"] == image_box.upgrade.version

    wait_active(image_box, UNITS, timeout=300)
    assert image_box.served_fingerprint() == fingerprint_before
    assert machine.check(kept) == files_before
    assert machine.check("systemctl show -P MainPID asterisk").strip() == asterisk_before
    with client(image_box) as http:  # the session from before: the database is the same
        assert http.get("/api/numbers").json() == numbers_before
        assert http.get("/api/calls").json()["items"] == calls_before["items"]
    assert "'+358201234567' =>" in machine.check("asterisk -rx 'dialplan show'")
    image_box.report["update"] = (f"{image_box.first.version} -> {image_box.upgrade.version} "
                                  "through the API: configuration, call log, recording, "
                                  "secrets and TLS identity kept; Asterisk not restarted")
