"""Checks a built package for the machine it says it is for:
``packaging/check_deb.py build/deb/paivystys_<version>_<arch>.deb [--run]``.

What is in it (as any user): the control file's Architecture is the one in the file's name,
its Depends names the python3.X the virtual environment was made with, every ELF file is
built for that architecture's machine (as ``file`` reads it), and every wheel installed into
the virtual environment is pure Python or that machine's.

With ``--run`` (as root): the package installed with apt into a fresh Debian sid root
filesystem of its architecture (under qemu-user where that is not the host's), then inside it
every module of the project imported, each service's program asked for its ``--help``,
``paivystys box setup`` run twice (the second time on a set-up box), and the API started as
the services' user until it answers over TLS.  What the install and each step took is printed.

Build-only: for packages built under emulation (``scripts/build-deb --arch arm64``), which the
box test, booting amd64 under qemu, does not run.
"""

from __future__ import annotations

import argparse
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sid_root import CACHE_PARENT, QEMU_USER, Recipe, ensure_root, run_in

from paivystys.appliance.runtime.host import RuntimeSetupError, ensure_command, require_root

VENV = "/opt/paivystys"
# How `file` names each architecture's machine, and the platform tag of its wheels.
MACHINE = {"amd64": "x86-64", "arm64": "ARM aarch64"}
WHEEL_PLATFORM = {"amd64": "x86_64", "arm64": "aarch64"}
ELF_MAGIC = b"\x7fELF"
PYTHON_DEPENDS = re.compile(r"(?:^|,\s*)(python3\.[0-9]+)(?:\s|,|$)")
# The root filesystem the package is installed into: sid with systemd as the box has it; the
# package's Depends bring the rest.
CHECK_PACKAGES = ("systemd-sysv", "ca-certificates")
WORK_PARENT = CACHE_PARENT / "deb-check-work"
API_TIMEOUT_S = 300
# Imported, the API starts from here: the services' user, the runtime directory systemd
# would make, the state directory the set-up made.
API_SCRIPT = """
set -e
install -d -o paivystys -g paivystys -m 0750 /run/paivystys
setpriv --reuid=paivystys --regid=paivystys --init-groups \\
    /opt/paivystys/bin/paivystys-api --db /var/lib/paivystys/paivystys.db \\
    --listen "127.0.0.1:$1" --recordings-dir /var/lib/paivystys/appliance/recordings \\
    --events-socket /run/paivystys/events.sock --setup-code-file /run/paivystys/setup-notice \\
    > /tmp/api.log 2>&1 &
api=$!
trap 'kill $api 2>/dev/null || true; wait $api 2>/dev/null || true' EXIT
/opt/paivystys/bin/python - "$1" "$2" <<'PY'
import ssl, sys, time, urllib.request
context = ssl.create_default_context()
context.check_hostname = False
context.verify_mode = ssl.CERT_NONE
deadline = time.monotonic() + float(sys.argv[2])
while True:
    try:
        with urllib.request.urlopen(f"https://127.0.0.1:{sys.argv[1]}/api/claim",
                                    context=context, timeout=10) as answer:
            print(f"the API answered: HTTP {answer.status}")
            break
    except OSError as error:
        if time.monotonic() > deadline:
            sys.exit(f"the API did not answer within {sys.argv[2]} s: {error}")
        time.sleep(2)
PY
"""
IMPORT_SCRIPT = """
import importlib, pkgutil, sys
import paivystys
names = sorted(info.name for info in pkgutil.walk_packages(paivystys.__path__, "paivystys.",
                                                              onerror=sys.exit))
for name in names:
    importlib.import_module(name)
print(f"{len(names)} modules imported")
"""


class CheckFailed(Exception):
    pass


def control_field(deb: Path, name: str) -> str:
    return subprocess.run(["dpkg-deb", "--field", str(deb), name], capture_output=True,
                          text=True, check=True).stdout.strip()


def check_contents(deb: Path, say: Callable[[str], None]) -> str:
    """Checks what is in ``deb``; its architecture."""
    named = deb.name.removesuffix(".deb").rsplit("_", 1)[-1]
    arch = control_field(deb, "Architecture")
    if arch != named:
        raise CheckFailed(f"Architecture: {arch}, but the file is named for {named}")
    if arch not in MACHINE:
        raise CheckFailed(f"Architecture: {arch}: not one this check knows "
                          f"({', '.join(sorted(MACHINE))})")
    depends = control_field(deb, "Depends")
    pythons = PYTHON_DEPENDS.findall(depends)
    if len(pythons) != 1:
        raise CheckFailed(f"Depends names {len(pythons)} python3.X (one expected): {depends}")
    file_command = ensure_command("file", "file")
    with tempfile.TemporaryDirectory() as temporary:
        tree = Path(temporary)
        subprocess.run(["dpkg-deb", "--extract", str(deb), str(tree)], check=True)
        venv = tree / VENV.lstrip("/")
        made_with = sorted(path.name for path in (venv / "lib").glob("python3.*"))
        if made_with != pythons:
            raise CheckFailed(f"Depends names {pythons[0]}, the virtual environment has "
                              f"{', '.join(made_with) or 'no python3.X'}")
        interpreter = (venv / "bin/python").readlink()
        say(f"{deb.name}: Architecture {arch}, Depends {pythons[0]}, the virtual "
            f"environment's python is {interpreter}")
        elf_files = [path for path in sorted(tree.rglob("*"))
                     if path.is_file() and not path.is_symlink() and _is_elf(path)]
        if not elf_files:
            raise CheckFailed("no ELF file in the package: the compiled wheels are missing")
        described = subprocess.run(
            [file_command, "--brief", "--files-from", "-"], input="\n".join(map(str, elf_files)),
            capture_output=True, text=True, check=True).stdout.splitlines()
        foreign = [f"{path.relative_to(tree)}: {description}"
                   for path, description in zip(elf_files, described, strict=True)
                   if f", {MACHINE[arch]}," not in description]
        if foreign:
            raise CheckFailed(f"{len(foreign)} of {len(elf_files)} ELF files are not "
                              f"{MACHINE[arch]}:\n" + "\n".join(foreign[:20]))
        say(f"{len(elf_files)} ELF files, every one {MACHINE[arch]} "
            f"(e.g. {elf_files[0].relative_to(tree)}: {described[0]})")
        platform_wheels = check_wheels(venv, arch)
        say(f"{len(platform_wheels)} wheels built for {WHEEL_PLATFORM[arch]}: "
            + ", ".join(platform_wheels))
    return arch


def check_wheels(venv: Path, arch: str) -> list[str]:
    """The installed wheels' tags: each pure Python or the architecture's own; the names of
    those built for it."""
    platform_wheels = []
    for wheel in sorted(venv.glob("lib/python3.*/site-packages/*.dist-info/WHEEL")):
        tags = [line.split(":", 1)[1].strip() for line in wheel.read_text().splitlines()
                if line.startswith("Tag:")]
        platforms = {tag.rsplit("-", 1)[-1] for tag in tags}
        if platforms == {"any"}:
            continue
        if not tags or not all(WHEEL_PLATFORM[arch] in platform for platform in platforms):
            raise CheckFailed(f"{wheel.parent.name} is tagged {', '.join(tags) or 'nothing'}, "
                              f"not for {WHEEL_PLATFORM[arch]}")
        platform_wheels.append(f"{wheel.parent.name.removesuffix('.dist-info')} ({tags[0]})")
    if not platform_wheels:
        raise CheckFailed(f"no wheel built for {WHEEL_PLATFORM[arch]} is installed")
    return platform_wheels


def _is_elf(path: Path) -> bool:
    with open(path, "rb") as file:
        return file.read(4) == ELF_MAGIC


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def check_running(deb: Path, arch: str, say: Callable[[str], None]) -> None:
    """Installs ``deb`` into a fresh root filesystem of ``arch`` and runs it there."""
    base = ensure_root(Recipe("deb-check", CHECK_PACKAGES, architecture=arch), say)
    work = WORK_PARENT / arch
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    root = work / "root"
    subprocess.run(["cp", "-a", "--reflink=auto", str(base), str(root)], check=True)
    (root / "root/debs").mkdir(parents=True)
    shutil.copyfile(deb, root / "root/debs" / deb.name)
    archives = CACHE_PARENT / f"deb-check-apt-archives-{arch}"
    archives.mkdir(parents=True, exist_ok=True)
    binds = {archives: "/var/cache/apt/archives"}
    environment = {"DEBIAN_FRONTEND": "noninteractive"}

    def step(what: str, command: list[str], network: bool = False) -> str:
        started = time.monotonic()
        result = run_in(root, command, binds=binds, env=environment, network=network,
                        capture=True)
        say(f"{what}: {time.monotonic() - started:.0f} s")
        return result.stdout

    step("apt-get update", ["apt-get", "update", "-qq"], network=True)
    step(f"apt-get install {deb.name}",
         ["apt-get", "install", "-y", "-qq", "--no-install-recommends", f"/root/debs/{deb.name}"],
         network=True)
    say(step("every module imported", [f"{VENV}/bin/python", "-c", IMPORT_SCRIPT]).strip())
    step("paivystys --help", ["paivystys", "--help"])
    for program in service_programs(root):
        step(f"{program} --help", [program, "--help"])
    step("paivystys box setup", ["paivystys", "box", "setup"])
    step("paivystys box setup on a set-up box", ["paivystys", "box", "setup"])
    for made in ("var/lib/paivystys/paivystys.db", "var/lib/paivystys/appliance/ami.secret"):
        if not (root / made).is_file():
            raise CheckFailed(f"'paivystys box setup' succeeded but made no /{made}")
    try:
        say(step("the API as the services' user",
                 ["sh", "-c", API_SCRIPT, "sh", str(free_port()), str(API_TIMEOUT_S)]).strip())
    except RuntimeSetupError:
        log = root / "tmp/api.log"
        say("the API's output:\n" + (log.read_text() if log.is_file() else "(none)"))
        raise
    shutil.rmtree(work)


def service_programs(root: Path) -> list[str]:
    """The appliance's programs that its units run (their paths inside ``root``)."""
    programs = set()
    for unit in sorted((root / "usr/lib/systemd/system").glob("paivystys-*.service")):
        for line in unit.read_text().splitlines():
            if line.startswith("ExecStart="):
                program = shlex.split(line.removeprefix("ExecStart="))[0]
                if program.startswith(f"{VENV}/bin/"):
                    programs.add(program)
    if not programs:
        raise CheckFailed("the package's units run none of its programs")
    return sorted(programs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="packaging/check_deb.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("deb", type=Path, help="the package (build/deb/...)")
    parser.add_argument("--run", action="store_true",
                        help="also install it into a sid root filesystem of its architecture "
                             "and run it there (root; another architecture than "
                             f"this machine's under qemu-user: {', '.join(sorted(QEMU_USER))})")
    args = parser.parse_args(argv)

    def say(message: str) -> None:
        print(message, flush=True)

    try:
        arch = check_contents(args.deb.resolve(), say)
        if args.run:
            require_root("Installing the package into a root filesystem (mmdebstrap, chroot)")
            check_running(args.deb.resolve(), arch, say)
    except (CheckFailed, RuntimeSetupError) as error:
        print(f"packaging/check_deb.py: {error}", file=sys.stderr)
        return 1
    print(f"{args.deb.name}: checked" + (" and ran" if args.run else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
