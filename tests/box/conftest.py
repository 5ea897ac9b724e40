"""The box test's machine: the Debian package built twice (the second time with a higher
version, for the upgrade), the first installed with apt into a fresh sid root filesystem that
is booted under qemu with systemd as PID 1, once for the whole module.

What it measured goes to build/box-test/report.json (and is printed at the end)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from machine import REPO, Box, Deb, Machine, api_answers, make_image, prepare_root

from paivystys.appliance.runtime.host import ensure_command

WORK = Path("/var/cache/paivystys/box-test")
REPORT = REPO / "build/box-test/report.json"
UPGRADE_SUFFIX = "+boxtest2"
BOOT_TIMEOUT_S = 900


def build_deb(*arguments: str) -> Deb:
    result = subprocess.run([str(REPO / "scripts/build-deb"), "--json", *arguments],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"scripts/build-deb {' '.join(arguments)} failed:\n{result.stderr[-3000:]}")
    answer = json.loads(result.stdout)
    path = Path(answer["deb"])
    return Deb(path, path.name.split("_")[1], answer["bytes"], answer["seconds"],
               answer["built"])


@pytest.fixture(scope="module")
def box() -> Iterator[Box]:
    if os.geteuid() != 0:
        pytest.skip("the box test needs root (mmdebstrap, chroot): sudo ./scripts/box-test")
    ensure_command("qemu-system-x86_64", "qemu-system-x86")
    ensure_command("mkfs.ext4", "e2fsprogs")
    first = build_deb()
    with open(REPO / "pyproject.toml", "rb") as file:
        version = tomllib.load(file)["project"]["version"]
    upgrade = build_deb("--version", version + UPGRADE_SUFFIX)
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    started = time.monotonic()
    root = prepare_root(WORK, first.path,
                        {f"/root/upgrade/{upgrade.path.name}": upgrade.path})
    image = WORK / "disk.img"
    make_image(root, image)
    prepared = time.monotonic() - started
    shutil.rmtree(root)  # the image holds it now
    machine = Machine.box(WORK, image)
    box = Box(machine, first, upgrade)
    box.report.update(package_bytes=first.bytes, package_build_seconds=first.seconds,
                      package_built=first.built, rootfs_and_image_seconds=round(prepared, 1))
    machine.boot()
    try:
        box.report["boot_to_shell_seconds"] = round(machine.wait_for_shell(BOOT_TIMEOUT_S), 1)
        deadline = time.monotonic() + BOOT_TIMEOUT_S
        while not api_answers(box.url):
            if time.monotonic() > deadline:
                pytest.fail("the API did not answer within "
                            f"{BOOT_TIMEOUT_S} s of boot; screen:\n{machine.screen()[-3000:]}")
            time.sleep(1)
        box.report["boot_to_api_seconds"] = round(time.monotonic() - machine.started, 1)
        yield box
    finally:
        machine.stop()
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(json.dumps(box.report, indent=2) + "\n")
        print(f"\nbox test report ({REPORT}):\n{json.dumps(box.report, indent=2)}")
