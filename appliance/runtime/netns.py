"""A named network namespace that has only `lo`, so every socket stays on loopback.

pjproject opens DNS sockets on 0.0.0.0 whatever the configuration says; inside a namespace
whose only interface is `lo` those sockets cannot reach anything.  With
PAIVYSTYS_NETNS=current the caller is already isolated (e.g. the test run lives inside
`unshare -n`): then no namespace is created, entered or deleted, and commands run as they are.
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from paivystys.appliance.runtime.host import RuntimeSetupError, require_root, run_checked

NETNS_ENV = "PAIVYSTYS_NETNS"
CURRENT = "current"
NETNS_RUN_DIR = Path("/run/netns")
CLONE_NEWNET = 0x40000000

T = TypeVar("T")


def uses_current_namespace() -> bool:
    return os.environ.get(NETNS_ENV) == CURRENT


def netns_path(name: str) -> Path:
    return NETNS_RUN_DIR / name


def exists(name: str) -> bool:
    return uses_current_namespace() or netns_path(name).exists()


def create(name: str) -> None:
    """Create the namespace `name` (if missing) and bring its `lo` up."""
    if uses_current_namespace():
        run_checked(["ip", "link", "set", "lo", "up"])
        return
    require_root("Creating a network namespace")
    if not netns_path(name).exists():
        run_checked(["ip", "netns", "add", name])
    run_checked(["ip", "-n", name, "link", "set", "lo", "up"])


def delete(name: str) -> None:
    if uses_current_namespace() or not netns_path(name).exists():
        return
    run_checked(["ip", "netns", "delete", name])


def command_prefix(name: str | None) -> list[str]:
    """The argv prefix that runs a command inside namespace `name` (empty: run it here)."""
    if name is None or uses_current_namespace():
        return []
    return ["nsenter", f"--net={netns_path(name)}", "--"]


def enter(name: str) -> None:
    """Move the calling thread into namespace `name`.

    Call it before starting any thread: threads started earlier stay where they were, and
    sockets belong to the namespace of the thread that created them.
    """
    if uses_current_namespace():
        return
    path = netns_path(name)
    if not path.exists():
        raise RuntimeSetupError(f"Network namespace '{name}' does not exist ({path}).")
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            errno = ctypes.get_errno()
            raise RuntimeSetupError(
                f"Cannot enter network namespace '{name}': {os.strerror(errno)} "
                "(entering a namespace needs root)."
            )
    finally:
        os.close(fd)


def run_in(name: str | None, work: Callable[[], T]) -> T:
    """Run ``work`` on a thread of its own inside namespace ``name`` and return its result
    (or raise its exception); the calling thread stays where it is.  Sockets ``work`` opens
    belong to that namespace for their whole life, whichever thread uses them later."""
    if name is None or uses_current_namespace():
        return work()
    outcome: list[T] = []
    failure: list[BaseException] = []

    def inside() -> None:
        try:
            enter(name)
            outcome.append(work())
        except BaseException as error:  # handed to the caller's thread
            failure.append(error)

    thread = threading.Thread(target=inside, name=f"netns-{name}", daemon=True)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]
