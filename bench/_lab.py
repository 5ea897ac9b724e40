"""What the call-level benchmarks share: isolation, a throw-away lab, waiting for quiet.

Each benchmark is a script run as root.  It re-executes itself in a private network namespace
that has only ``lo`` (the same isolation scripts/test gives the call tests), starts a full lab
(both Asterisks, FastAGI server, monitor) in a temporary state directory and always takes it
down again, whatever happens in between.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from paivystys.appliance.ami.client import AmiClient
from paivystys.appliance.db.database import open_database
from paivystys.appliance.directory import Directory
from paivystys.appliance.lab.environment import Lab


def isolate() -> None:
    """Re-exec this script inside a fresh network namespace unless it already runs in one.

    Only ``lo`` exists in there, so the lab's fixed ports cannot collide with a running lab
    mode or test session, and the capture on ``lo`` sees nothing but this benchmark's traffic.
    """
    if os.environ.get("PAIVYSTYS_NETNS") == "current":
        return
    if os.geteuid() != 0:
        sys.exit("run as root: Asterisk runs in a chroot inside a private network namespace")
    script = os.path.abspath(sys.argv[0])
    os.execvp("unshare", [
        "unshare", "--net", "--", "env", "PAIVYSTYS_NETNS=current", "bash", "-c",
        'ip link set lo up && exec "$0" "$@"', sys.executable, script, *sys.argv[1:],
    ])


@contextlib.contextmanager
def running_lab(settings: dict[str, str]) -> Iterator[Lab]:
    """A lab in a temporary state directory with ``settings`` applied; always torn down."""
    state_dir = Path(tempfile.mkdtemp(prefix="paivystys-bench-"))
    lab = Lab(state_dir=state_dir, netns_name=None, progress=lambda message: None)
    try:
        open_database(lab.db_path)
        directory = Directory()
        with directory.batch():
            for key, value in settings.items():
                directory.set_setting(key, value)
        lab.up(seed=False)
        yield lab
    finally:
        try:
            lab.down()
        finally:
            shutil.rmtree(state_dir, ignore_errors=True)


def channel_count(ami: AmiClient) -> int:
    return len(ami.action_list("CoreShowChannels"))


def wait_quiet(amis: list[AmiClient], timeout: float = 30.0) -> None:
    """Wait until no instance has a channel left, so one call never overlaps the next."""
    deadline = time.monotonic() + timeout
    while any(channel_count(ami) for ami in amis):
        if time.monotonic() > deadline:
            counts = [channel_count(ami) for ami in amis]
            raise TimeoutError(f"channels still up after {timeout:.0f} s: {counts}")
        time.sleep(0.1)


def median_max(samples: list[float]) -> tuple[float, float]:
    return statistics.median(samples), max(samples)


def fmt(samples: list[float], scale: float = 1000.0) -> str:
    """``median / max`` in ms, or a dash when there is nothing to summarise."""
    if not samples:
        return "-"
    middle, worst = median_max(samples)
    return f"{middle * scale:7.1f} / {worst * scale:7.1f}"


def timed_step(message: str) -> Callable[[], None]:
    """Print ``message`` now and its elapsed time when the returned function is called."""
    start = time.monotonic()
    print(message, end="", flush=True)
    return lambda: print(f" {time.monotonic() - start:.1f} s", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _accepts(port: int) -> bool:
    # The ready file is written a moment before uvicorn listens.
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def start_api(state: Path, timeout_s: float = 60.0) -> tuple[subprocess.Popen[bytes], int]:
    """`paivystys-api` on the database in `state`, on a free loopback port, once it serves."""
    port = free_port()
    ready = state / "api.ready"
    process = subprocess.Popen(
        [sys.executable, "-m", "paivystys.appliance.api.server", "--db",
         str(state / "paivystys.db"), "--listen", f"127.0.0.1:{port}", "--no-advertise",
         "--ready-file", str(ready)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout_s
    while not ready.exists() or not _accepts(port):
        assert time.monotonic() < deadline and process.poll() is None, "the API did not start"
        time.sleep(0.1)
    return process, port
