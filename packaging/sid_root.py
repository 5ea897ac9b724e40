"""Debian sid root filesystems for building and testing the box's package: made with
mmdebstrap, cached under /var/cache/paivystys by a hash of what goes into them, and commands
run inside one (chroot in a private mount and PID namespace, so that nothing mounted for the
command outlives it).

Used by ``packaging/build_deb.py`` (the build chroot) and ``tests/box`` (the box's root
filesystem); build-only, never part of the product."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from paivystys.appliance.runtime.host import RuntimeSetupError, ensure_command, tail_lines
from paivystys.appliance.runtime.rootfs import APT_OPTIONS, MIRROR, SUITE

CACHE_PARENT = Path("/var/cache/paivystys")
COMPLETE_MARKER = ".complete"
BUILD_TIMEOUT_S = 1800
# Another architecture's packages are installed under emulation: about fifteen times slower.
EMULATED_BUILD_TIMEOUT_S = 4 * 3600
# What a command inside sees of the environment: nothing of the host's (pip's settings, the
# host's Python) but a path and a UTF-8 locale.
HOST_ARCHITECTURE = subprocess.run(["dpkg", "--print-architecture"], capture_output=True,
                                   text=True, check=True).stdout.strip()
# qemu-user's emulators by Debian architecture, with the ELF header pattern and mask that
# binfmt_misc matches (those of Debian's qemu-user-static, which registers them itself only
# where systemd runs).
QEMU_USER = {
    "arm64": ("aarch64",
              r"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00",
              r"\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff"),
}
BINFMT = Path("/proc/sys/fs/binfmt_misc")
BASE_ENVIRONMENT = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME": "/root",
    "LANG": "C.UTF-8",
}


@dataclass(frozen=True)
class Recipe:
    """What a cached root filesystem is made of; its cache directory is named by its hash."""

    name: str
    packages: tuple[str, ...]
    components: tuple[str, ...] = ("main",)
    # Shell commands run by mmdebstrap on the finished root ($1 is its path).
    customize: tuple[str, ...] = field(default=())
    # Shell commands run once the essential packages are in, before the others are installed
    # (for configuration files that those packages' scripts read).
    essential: tuple[str, ...] = field(default=())
    # Debian's name of the machine it is for; another than the host's runs under qemu-user.
    architecture: str = HOST_ARCHITECTURE

    def key(self) -> str:
        text = "\n".join([SUITE, MIRROR, *self.components, *sorted(self.packages),
                          *APT_OPTIONS, *self.customize])
        # Roots made before these two fields existed keep the cache keys they had.
        if self.architecture != "amd64":
            text += f"\n{self.architecture}"
        if self.essential:
            text += "\n" + "\n".join(self.essential)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def directory(self) -> Path:
        return CACHE_PARENT / self.name / self.key()


def ensure_root(recipe: Recipe, progress: Callable[[str], None] = print) -> Path:
    """The cached root filesystem of ``recipe``, built first if there is none."""
    ensure_architecture(recipe.architecture)
    target = recipe.directory()
    if (target / COMPLETE_MARKER).is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with _lock(target.parent / f"{target.name}.lock"):
        if (target / COMPLETE_MARKER).is_file():
            return target
        shutil.rmtree(target, ignore_errors=True)
        building = target.parent / f".{target.name}.building-{os.getpid()}"
        progress(f"Building the {recipe.name} root filesystem ({SUITE}) in {target} ...")
        started = time.monotonic()
        try:
            _mmdebstrap(recipe, building)
            (building / COMPLETE_MARKER).write_text(f"{SUITE} {' '.join(recipe.packages)}\n")
            os.rename(building, target)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        progress(f"{recipe.name} root filesystem ready in {time.monotonic() - started:.0f} s")
    return target


def ensure_architecture(architecture: str) -> None:
    """Make the host run ``architecture``'s programs: binfmt_misc mounted and qemu-user's
    emulator registered with the F flag (the kernel opens it once, so it works inside any
    chroot without being copied there)."""
    if architecture == HOST_ARCHITECTURE:
        return
    if architecture not in QEMU_USER:
        raise RuntimeSetupError(f"no emulator known for the {architecture} architecture "
                                f"(known: {', '.join(sorted(QEMU_USER))})")
    machine, magic, mask = QEMU_USER[architecture]
    emulator = ensure_command(f"qemu-{machine}-static", "qemu-user-static")
    if not (BINFMT / "register").exists():
        subprocess.run(["mount", "-t", "binfmt_misc", "binfmt_misc", str(BINFMT)], check=True)
    entry = BINFMT / f"qemu-{machine}"
    if entry.exists():
        flags = next((line.split(":", 1)[1] for line in entry.read_text().splitlines()
                      if line.startswith("flags:")), "")
        if "F" in flags:
            return
        entry.write_text("-1")  # registered without F: of no use inside a chroot
    (BINFMT / "register").write_text(f":qemu-{machine}:M::{magic}:{mask}:{emulator}:OCF")


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    with open(path, "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _mmdebstrap(recipe: Recipe, building: Path) -> None:
    mmdebstrap = ensure_command("mmdebstrap", "mmdebstrap")
    command = [
        mmdebstrap, "--variant=apt", f"--architectures={recipe.architecture}",
        f"--components={','.join(recipe.components)}",
        f"--include={','.join(recipe.packages)}",
        *(f"--aptopt={option}" for option in APT_OPTIONS),
        *(f"--essential-hook={hook}" for hook in recipe.essential),
        *(f"--customize-hook={hook}" for hook in recipe.customize),
        SUITE, str(building), MIRROR,
    ]
    timeout = (BUILD_TIMEOUT_S if recipe.architecture == HOST_ARCHITECTURE
               else EMULATED_BUILD_TIMEOUT_S)
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as error:
        raise RuntimeSetupError(f"mmdebstrap did not finish within {timeout} s; is "
                                f"{MIRROR} reachable?") from error
    if result.returncode != 0:
        # The reason is often far above the tail (a package's script failing before apt's
        # summary): the whole output is kept beside the cache.
        log = building.parent / f"{building.name.lstrip('.')}.failed.log"
        log.write_text(result.stdout + result.stderr)
        raise RuntimeSetupError(
            f"mmdebstrap failed (exit {result.returncode}) building the {recipe.name} root "
            f"filesystem (all of its output: {log}):\n"
            f"{tail_lines(result.stderr or result.stdout, 30)}")


def run_in(root: Path, command: Sequence[str], *, binds: Mapping[Path, str] | None = None,
           env: Mapping[str, str] | None = None, network: bool = False,
           capture: bool = False, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``command`` chrooted into ``root`` with /proc, /dev and /sys, each host directory of
    ``binds`` mounted at its path inside, and the host's resolver and certificates when
    ``network`` is asked for.  A failure raises :class:`RuntimeSetupError` with the tail of
    its output."""
    mounts = ['mount --rbind /dev "$R/dev"', 'mount -t sysfs sysfs "$R/sys"']
    for source, inside in (binds or {}).items():
        mounts.append(f'mkdir -p "$R"{shlex.quote(inside)} && mount --bind '
                      f'{shlex.quote(str(source))} "$R"{shlex.quote(inside)}')
    if network:
        # The host's resolver and the certificates it trusts (a proxy's own among them).
        mounts.append('touch "$R/etc/resolv.conf" && '
                      'mount --bind /etc/resolv.conf "$R/etc/resolv.conf"')
        mounts.append('mkdir -p "$R/etc/ssl/certs" && '
                      'mount --bind /etc/ssl/certs "$R/etc/ssl/certs"')
    script = "set -e; " + "; ".join(mounts) + '; exec chroot "$R" "$@"'
    environment = {**BASE_ENVIRONMENT, **(env or {}), "R": str(root)}
    result = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "--pid", "--fork",
         f"--mount-proc={root}/proc", "env", "-i", *(f"{k}={v}" for k, v in environment.items()),
         "sh", "-c", script, "sh", *command],
        env={"PATH": BASE_ENVIRONMENT["PATH"]}, text=True,
        # Uncaptured, what the command prints is progress: stderr, leaving stdout to the
        # caller's result.
        stdout=subprocess.PIPE if capture else sys.stderr,
        stderr=subprocess.PIPE if capture else None)
    if check and result.returncode != 0:
        output = tail_lines((result.stderr or "") + (result.stdout or ""), 30) if capture else ""
        raise RuntimeSetupError(
            f"'{shlex.join(command)}' failed in {root} (exit {result.returncode})"
            + (f":\n{output}" if output else " (its output is above)"))
    return result
