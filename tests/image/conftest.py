"""The image test's machines: each image built by ``image-build/build``, written to a virtual
disk larger than the image (as to a card), booted under qemu with software emulation and
user networking (the API's port forwarded to 127.0.0.1 only), once per target for the whole
module.

The image booted is the image shipped, byte for byte.  The test's root shell comes from
outside it: a unit given as a systemd credential (SMBIOS on the PC's UEFI machine, the kernel
command line where the kernel is booted directly), running bash on a virtio console.

What it measured goes to build/image-test/report.json (and is printed at the end)."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests/box"))
sys.path.insert(0, str(REPO / "image-build"))

from machine import Box, Deb, Machine, api_answers, shell_service  # noqa: E402
from targets import PC, ROOT_LABEL, TARGETS, Target  # noqa: E402

from paivystys.appliance.runtime.host import ensure_command  # noqa: E402

WORK = Path("/var/cache/paivystys/image-test")
REPORT = REPO / "build/image-test/report.json"
IMAGES = REPO / "build/image"
UPGRADE_SUFFIX = "+imagetest2"
# The card the image is written to is this much larger than the image: the first boot grows
# the root filesystem into it.
CARD_EXTRA_BYTES = 2 * 2**30
BOOT_TIMEOUT_S = {"pc": 900, "pi": 1800}
SHELL_UNIT = "image-test-shell.service"
SHELL_UNIT_TEXT = ("[Unit]\nDescription=Root shell on hvc1 for the image test (a credential "
                   "of the test's, not the image's)\n\n" + shell_service("hvc1"))
SHELL_WANTED = f"[Unit]\nWants={SHELL_UNIT}\nAfter={SHELL_UNIT}\n"


@dataclass
class ImageBox(Box):
    target: Target = PC
    card: Path = Path()


OVMF_CODE = Path("/usr/share/OVMF/OVMF_CODE_4M.fd")
OVMF_VARS = Path("/usr/share/OVMF/OVMF_VARS_4M.fd")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--image-target", action="append", choices=sorted(TARGETS),
                     help="boot this image (pc, pi; more than once for both; default pc)")
    parser.addoption("--built-image", action="store_true",
                     help="boot the image image-build/build made last instead of building it")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "image_box" in metafunc.fixturenames:
        targets = metafunc.config.getoption("--image-target") or ["pc"]
        metafunc.parametrize("image_box", targets, indirect=True, scope="module")


def credentials() -> dict[str, str]:
    """The shell unit and the drop-in that starts it, as systemd credentials (base64)."""
    return {
        f"systemd.extra-unit.{SHELL_UNIT}": base64.b64encode(SHELL_UNIT_TEXT.encode()).decode(),
        "systemd.unit-dropin.multi-user.target":
            base64.b64encode(SHELL_WANTED.encode()).decode(),
    }


def run_json(*command: str) -> dict[str, object] | list[dict[str, object]]:
    result = subprocess.run(list(command), capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout)


def build_image(target: Target, built: bool) -> dict[str, object]:
    if built:
        reports = sorted(IMAGES.glob(f"paivystys-*-{target.name}-{target.architecture}.json"),
                         key=lambda path: path.stat().st_mtime)
        if not reports:
            pytest.fail(f"--built-image: no {target.name} image in {IMAGES}")
        return json.loads(reports[-1].read_text())
    answer = run_json(str(REPO / "image-build/build"), target.name, "--json")
    assert isinstance(answer, list)
    return answer[0]


def build_upgrade(target: Target, version: str) -> Deb:
    answer = run_json(str(REPO / "scripts/build-deb"), "--arch", target.architecture,
                      "--version", version + UPGRADE_SUFFIX, "--json")
    assert isinstance(answer, dict)
    path = Path(str(answer["deb"]))
    return Deb(path, path.name.split("_")[1], int(answer["bytes"]),  # type: ignore[call-overload]
               float(answer["seconds"]), bool(answer["built"]))  # type: ignore[arg-type]


def write_card(compressed: Path, card: Path) -> None:
    """The image as Raspberry Pi Imager or dd writes it, onto a card larger than it."""
    subprocess.run(["zstd", "--quiet", "--force", "--decompress", str(compressed), "-o",
                    str(card)], check=True)
    with open(card, "r+b") as file:
        file.truncate(card.stat().st_size + CARD_EXTRA_BYTES)


def partitions(card: Path) -> list[dict[str, object]]:
    table = run_json("sfdisk", "--json", str(card))
    assert isinstance(table, dict)
    return table["partitiontable"]["partitions"]  # type: ignore[index]


def boot_file(card: Path, pattern: str, destination: Path) -> Path:
    """A file of the card's FAT partition (the first), copied out with mtools."""
    offset = int(partitions(card)[0]["start"]) * 512  # type: ignore[call-overload]
    listing = subprocess.run(["mdir", "-b", "-i", f"{card}@@{offset}", "::/"],
                             capture_output=True, text=True, check=True).stdout.split()
    names = sorted(name.removeprefix("::/") for name in listing
                   if Path(name).match(pattern))
    assert names, f"no {pattern} on the boot partition: {listing}"
    subprocess.run(["mcopy", "-n", "-i", f"{card}@@{offset}", f"::/{names[-1]}",
                    str(destination)], check=True)
    return destination


def machine_for(target: Target, work: Path, card: Path) -> Machine:
    drive = ["-drive", f"file={card},format=raw,if=virtio,cache=unsafe"]
    if target.name == "pc":
        ensure_command("qemu-system-x86_64", "qemu-system-x86")
        if not OVMF_CODE.is_file():
            ensure_command("/usr/share/OVMF/OVMF_CODE_4M.fd", "ovmf")
        variables = work / "OVMF_VARS.fd"
        shutil.copyfile(OVMF_VARS, variables)
        smbios = [argument for name, value in credentials().items() for argument in
                  ("-smbios", f"type=11,value=io.systemd.credential.binary:{name}={value}")]
        return Machine(work, [
            # One virtual CPU: with two, sid's kernel now and then died at boot under this
            # qemu's multi-threaded emulation.
            "-machine", "q35", "-accel", "tcg", "-cpu", "max", "-smp", "1", "-m", "2048",
            "-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}",
            "-drive", f"if=pflash,format=raw,unit=1,file={variables}",
            *smbios, *drive,
        ], shell_on_virtio=True)
    # The Raspberry Pi image on qemu's generic arm64 machine, with the Debian arm64 kernel and
    # initramfs from its own boot partition (qemu emulates no Raspberry Pi 4 or 5 here).
    ensure_command("qemu-system-aarch64", "qemu-system-arm")
    kernel = boot_file(card, "vmlinuz-*", work / "vmlinuz")
    initrd = boot_file(card, "initrd.img-*", work / "initrd.img")
    given = " ".join(f"systemd.set_credential_binary={name}:{value}"
                     for name, value in credentials().items())
    return Machine(work, [
        "-machine", "virt", "-accel", "tcg", "-cpu", "cortex-a72", "-smp", "2", "-m", "2048",
        "-kernel", str(kernel), "-initrd", str(initrd),
        "-append", f"root=LABEL={ROOT_LABEL} rw console=ttyAMA0 panic=-1 {given}",
        *drive,
    ], qemu="qemu-system-aarch64", shell_on_virtio=True)


@pytest.fixture(scope="module")
def image_box(request: pytest.FixtureRequest) -> Iterator[ImageBox]:
    if os.geteuid() != 0:
        pytest.skip("the image test needs root (mmdebstrap, chroot): sudo ./scripts/image-test")
    ensure_command("sfdisk", "fdisk")
    ensure_command("mcopy", "mtools")
    target = TARGETS[request.param]
    started = time.monotonic()
    built = build_image(target, request.config.getoption("--built-image"))
    report: dict[str, object] = {"image": built,
                                 "image_build_seconds": round(time.monotonic() - started, 1)}
    upgrade = build_upgrade(target, str(built["version"]))
    work = WORK / target.name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    card = work / "card.img"
    write_card(IMAGES / str(built["files"][0]), card)  # type: ignore[index]
    machine = machine_for(target, work, card)
    first = Deb(Path(f"{target.image_name(str(built['version']))}.img.zst"),
                str(built["version"]), int(built["compressed_bytes"]),  # type: ignore[call-overload]
                float(built["seconds"]), True)  # type: ignore[arg-type]
    box = ImageBox(machine, first, upgrade, report=report, target=target, card=card)
    machine.boot()
    try:
        timeout = BOOT_TIMEOUT_S[target.name]
        report["boot_to_shell_seconds"] = round(machine.wait_for_shell(timeout), 1)
        deadline = time.monotonic() + timeout
        while not api_answers(box.url):
            if time.monotonic() > deadline:
                pytest.fail(f"the API did not answer within {timeout} s of power-on; "
                            f"screen:\n{machine.screen()[-3000:]}")
            time.sleep(1)
        report["boot_to_api_seconds"] = round(time.monotonic() - machine.started, 1)
        yield box
    finally:
        machine.stop()
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        reports = json.loads(REPORT.read_text()) if REPORT.is_file() else {}
        reports[target.name] = report
        REPORT.write_text(json.dumps(reports, indent=2) + "\n")
        print(f"\nimage test report ({REPORT}):\n{json.dumps(report, indent=2)}")
