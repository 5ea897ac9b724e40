"""A Debian sid root filesystem holding Asterisk 22, built once with mmdebstrap and cached.

Debian stable has no Asterisk package and sid's needs sid's libc, so Asterisk runs chrooted in
a sid rootfs.  The cache directory is named by a hash of what goes into it, so changing the
package list builds a new rootfs beside the old one instead of reusing a stale one.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from paivystys.appliance.runtime.host import (
    RuntimeSetupError,
    ensure_command,
    require_root,
    tail_lines,
)

log = logging.getLogger(__name__)

SUITE = "sid"
MIRROR = "http://deb.debian.org/debian"
PACKAGES = ("asterisk", "asterisk-modules", "asterisk-core-sounds-en-wav")
# The archive mirror here is a frozen copy whose sid Release file has expired.
APT_OPTIONS = ('Acquire::Check-Valid-Until "false"',)

CACHE_ENV = "PAIVYSTYS_ROOTFS_CACHE"
DEFAULT_CACHE_PARENT = Path("/var/cache/paivystys/rootfs")
COMPLETE_MARKER = ".complete"
INSTANCE_MOUNT_POINT = "srv/instance"
ASTERISK_BINARY = "usr/sbin/asterisk"
BUILD_TIMEOUT_S = 1800


def cache_key() -> str:
    recipe = "\n".join([SUITE, MIRROR, *sorted(PACKAGES), *APT_OPTIONS])
    return hashlib.sha256(recipe.encode()).hexdigest()[:16]


def cache_parent() -> Path:
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE_PARENT)


def rootfs_dir() -> Path:
    return cache_parent() / cache_key()


def is_complete(rootfs: Path) -> bool:
    return (rootfs / COMPLETE_MARKER).is_file()


def ensure_rootfs(progress: Callable[[str], None] = print) -> Path:
    """Return the cached rootfs, building it first if there is none (about a minute)."""
    target = rootfs_dir()
    if is_complete(target):
        return target
    require_root("Building the Asterisk rootfs")
    target.parent.mkdir(parents=True, exist_ok=True)
    with _build_lock(target, progress):
        # Another process may have finished the build while this one waited for the lock.
        if is_complete(target):
            return target
        _remove_leftovers(target, progress)
        _build(target, progress)
    return target


@contextmanager
def _build_lock(target: Path, progress: Callable[[str], None]) -> Iterator[None]:
    lock_path = target.parent / f"{target.name}.lock"
    with open(lock_path, "w") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            progress(f"Another process is building the rootfs {target}; waiting for it ...")
            fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _remove_leftovers(target: Path, progress: Callable[[str], None]) -> None:
    """Remove what an interrupted build left behind; the caller holds the build lock."""
    if target.exists():
        message = (
            f"The rootfs cache {target} has no {COMPLETE_MARKER} marker (an interrupted or "
            "foreign build); removing it and building again."
        )
        log.warning(message)
        progress(message)
        shutil.rmtree(target)
    for stale in target.parent.glob(f".{target.name}.building-*"):
        log.warning("Removing the interrupted rootfs build %s", stale)
        shutil.rmtree(stale)


def _build(target: Path, progress: Callable[[str], None]) -> None:
    mmdebstrap = ensure_command("mmdebstrap", "mmdebstrap", progress)
    building = target.parent / f".{target.name}.building-{os.getpid()}"
    progress(f"Building the Asterisk rootfs ({SUITE}: {', '.join(PACKAGES)}) in {target}; "
             "this takes about a minute ...")
    started = time.monotonic()
    try:
        _run_mmdebstrap(mmdebstrap, building)
        _prepare_for_instances(building)
        (building / COMPLETE_MARKER).write_text(f"{SUITE} {' '.join(PACKAGES)}\n")
        os.rename(building, target)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    progress(f"Rootfs ready in {time.monotonic() - started:.0f} s: {target}")


def _run_mmdebstrap(mmdebstrap: str, building: Path) -> None:
    command = [
        mmdebstrap,
        "--variant=apt",
        f"--include={','.join(PACKAGES)}",
        *(f"--aptopt={option}" for option in APT_OPTIONS),
        SUITE,
        str(building),
        MIRROR,
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        raise RuntimeSetupError(
            f"mmdebstrap did not finish within {BUILD_TIMEOUT_S} s; is {MIRROR} reachable?"
        ) from exc
    if result.returncode != 0:
        raise RuntimeSetupError(
            f"mmdebstrap failed (exit {result.returncode}) building the Asterisk rootfs; "
            f"is {MIRROR} reachable and does {SUITE} still carry {', '.join(PACKAGES)}?\n"
            f"{tail_lines(result.stderr or result.stdout)}"
        )
    if not (building / ASTERISK_BINARY).is_file():
        raise RuntimeSetupError(f"mmdebstrap succeeded but {building} has no {ASTERISK_BINARY}.")


def _prepare_for_instances(rootfs: Path) -> None:
    # Inside the namespace there is no DNS server; an empty resolv.conf stops resolver
    # timeouts on lookups nobody needs.
    resolv = rootfs / "etc/resolv.conf"
    resolv.unlink(missing_ok=True)
    resolv.write_text("")
    resolv.chmod(0o644)
    (rootfs / INSTANCE_MOUNT_POINT).mkdir(parents=True, exist_ok=True)
