"""What a service tells its supervisor, and how it logs: the same code under systemd on the
box and under lab mode or the tests.

- Readiness: under systemd (``Type=notify``) ``READY=1`` over ``$NOTIFY_SOCKET`` once the
  service serves, ``STOPPING=1`` when it stops; lab mode and the tests watch a ``--ready-file``
  instead, written and removed at the same moments.
- Watchdog: with ``WatchdogSec=`` systemd sets ``$WATCHDOG_USEC``; :func:`keep_watchdog` pings
  while the service's main loop goes round (a :class:`Heartbeat`), so a service stuck in it is
  restarted instead of lingering, alive but deaf.
- Logging: the journal stamps every line with its own time, so under systemd
  (``$JOURNAL_STREAM``) our lines carry no time of their own.

sd_notify is a datagram of ``KEY=value`` lines to a Unix socket; a few lines here rather than a
dependency.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

NOTIFY_SOCKET_ENV = "NOTIFY_SOCKET"
WATCHDOG_USEC_ENV = "WATCHDOG_USEC"
WATCHDOG_PID_ENV = "WATCHDOG_PID"
JOURNAL_STREAM_ENV = "JOURNAL_STREAM"
TIMED_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JOURNAL_FORMAT = "%(levelname)s %(name)s: %(message)s"


def configure_logging(verbose: bool = False) -> None:
    """Log to stderr: the journal on the box, the service's log file in lab mode."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format=JOURNAL_FORMAT if _stderr_is_journal() else TIMED_FORMAT)


def _stderr_is_journal() -> bool:
    # systemd sets JOURNAL_STREAM to the device and inode of the stream it connected; it only
    # counts while stderr is still that stream (not redirected by a wrapper).
    value = os.environ.get(JOURNAL_STREAM_ENV, "")
    device, _, inode = value.partition(":")
    try:
        status = os.fstat(2)
    except OSError:
        return False
    return value != "" and f"{status.st_dev}:{status.st_ino}" == f"{device}:{inode}"


def notify(*assignments: str) -> bool:
    """Send ``KEY=value`` lines to systemd; False when not run by systemd (or it is gone)."""
    address = os.environ.get(NOTIFY_SOCKET_ENV)
    if not address:
        return False
    if address.startswith("@"):  # an abstract socket
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall("\n".join(assignments).encode())
    except OSError as error:
        log.warning("cannot notify systemd at %s: %s", address, error)
        return False
    return True


class Readiness:
    """Says once that the service serves, and that it stops."""

    def __init__(self, ready_file: Path | None) -> None:
        self.ready_file = ready_file

    def ready(self, status: str | None = None) -> None:
        if self.ready_file is not None:
            self.ready_file.parent.mkdir(parents=True, exist_ok=True)
            self.ready_file.write_text(f"{os.getpid()}\n")
        notify("READY=1", *([f"STATUS={status}"] if status else []))

    def status(self, text: str) -> None:
        notify(f"STATUS={text}")

    def stopping(self) -> None:
        notify("STOPPING=1")
        if self.ready_file is not None:
            self.ready_file.unlink(missing_ok=True)


def watchdog_interval() -> float | None:
    """Seconds between the pings systemd expects of this process; None without a watchdog."""
    usec = os.environ.get(WATCHDOG_USEC_ENV)
    pid = os.environ.get(WATCHDOG_PID_ENV)
    if not usec or (pid and pid != str(os.getpid())):
        return None
    try:
        return int(usec) / 1_000_000
    except ValueError:
        return None


class Heartbeat:
    """When a service's main loop last went round.  It counts as alive while that was less
    than ``max_age`` seconds ago (default: most of the watchdog's interval)."""

    def __init__(self, max_age: float | None = None) -> None:
        interval = watchdog_interval()
        self.max_age = max_age if max_age is not None else 0.8 * (interval or 60.0)
        self._last = time.monotonic()

    def beat(self) -> None:
        self._last = time.monotonic()

    def fresh(self) -> bool:
        return time.monotonic() - self._last < self.max_age


def keep_watchdog(alive: Callable[[], bool], stop: threading.Event) -> threading.Thread | None:
    """Ping systemd's watchdog twice per interval while ``alive()`` holds; once it does not,
    stop pinging (systemd then kills and restarts the service) and say why in the log."""
    interval = watchdog_interval()
    if interval is None:
        return None

    def ping() -> None:
        while not stop.wait(interval / 2):
            if not alive():
                log.error("this service's main loop has not gone round for too long; letting "
                          "systemd's watchdog restart it")
                return
            notify("WATCHDOG=1")

    thread = threading.Thread(target=ping, name="watchdog", daemon=True)
    thread.start()
    return thread
