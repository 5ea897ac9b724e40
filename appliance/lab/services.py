"""The appliance's Python services as lab mode runs them: detached processes in the lab's
network namespace, each with a pid file and a log file in the state directory.

On the box systemd runs the same commands (see systemd/).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from paivystys.appliance.runtime import netns


@dataclass(frozen=True)
class Service:
    name: str
    module: str
    args: tuple[str, ...]
    state_dir: Path
    netns: str | None

    @property
    def pid_file(self) -> Path:
        return self.state_dir / "run" / f"{self.name}.pid"

    @property
    def ready_file(self) -> Path:
        """The service creates it once it serves (its --ready-file option)."""
        return self.state_dir / "run" / f"{self.name}.ready"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "log" / f"{self.name}.log"

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text())
        except (FileNotFoundError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        return pid

    def is_running(self) -> bool:
        return self.pid() is not None

    def start(self) -> int:
        running = self.pid()
        if running is not None:
            return running
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        self.ready_file.unlink(missing_ok=True)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        argv = [*netns.command_prefix(self.netns), sys.executable, "-m", self.module, *self.args]
        with open(self.log_file, "ab") as log:
            process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                       start_new_session=True, close_fds=True)
        self.pid_file.write_text(f"{process.pid}\n")
        return process.pid

    def stop(self, timeout: float = 5.0, kill: bool = False) -> None:
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return
        os.kill(pid, signal.SIGKILL if kill else signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            _reap(pid)
            time.sleep(0.05)
        else:
            os.kill(pid, signal.SIGKILL)
        _reap(pid)
        self.pid_file.unlink(missing_ok=True)
        self.ready_file.unlink(missing_ok=True)


def _reap(pid: int) -> None:
    """Collect the exit status when the service is our own child (tests start them so)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
