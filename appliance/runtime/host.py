"""Checks and repairs of the host that the runtime needs: root, and a few Debian tools."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable


class RuntimeSetupError(RuntimeError):
    """The host cannot run the Asterisk runtime; the message says what to do about it."""


def require_root(purpose: str) -> None:
    if os.geteuid() != 0:
        raise RuntimeSetupError(
            f"{purpose} needs root (namespaces, chroot and bind mounts); run it as root, "
            "e.g. with sudo."
        )


def ensure_command(command: str, package: str, progress: Callable[[str], None] = print) -> str:
    """Return the path of `command`, installing its Debian `package` with apt-get if missing."""
    found = shutil.which(command)
    if found:
        return found
    if not shutil.which("apt-get"):
        raise RuntimeSetupError(
            f"'{command}' is not installed and this host has no apt-get; install the "
            f"package that provides it (Debian/Ubuntu: '{package}') and try again."
        )
    require_root(f"Installing the missing '{command}' (apt-get install {package})")
    progress(f"'{command}' is missing; installing the Debian package '{package}' ...")
    _apt_get_install(package)
    found = shutil.which(command)
    if not found:
        raise RuntimeSetupError(
            f"apt-get installed '{package}' but '{command}' is still not on PATH."
        )
    return found


def _apt_get_install(package: str) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", package]
    if subprocess.run(install, env=env, capture_output=True, text=True).returncode == 0:
        return
    # A fresh host often has no package lists yet; one update is worth a retry.
    subprocess.run(["apt-get", "update"], env=env, capture_output=True, text=True)
    retry = subprocess.run(install, env=env, capture_output=True, text=True)
    if retry.returncode != 0:
        raise RuntimeSetupError(
            f"'apt-get install {package}' failed; install it by hand and try again.\n"
            f"{tail_lines(retry.stderr or retry.stdout)}"
        )


def tail_lines(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def run_checked(command: list[str], doing: str = "") -> None:
    """Run `command`; a failure raises RuntimeSetupError with the tail of its output."""
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        purpose = f" {doing}" if doing else ""
        raise RuntimeSetupError(
            f"'{' '.join(command)}' failed{purpose} (exit {result.returncode}): "
            f"{tail_lines(result.stderr or result.stdout)}"
        )
