"""One Asterisk instance: its own directory, chrooted into the shared rootfs, detached.

Inside a private mount namespace the instance directory is bind-mounted on the rootfs's
/srv/instance, so every path Asterisk sees starts with /srv/instance and two instances share
one rootfs.  Asterisk is started in its own session so it outlives the process that started
it; the pid file in the instance directory lets any later process find, query and stop it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from paivystys.appliance.runtime import netns

ASTERISK_UID = 101  # the asterisk user and group of the Debian rootfs
ASTERISK_GID = 101
INSTANCE_ROOT = "/srv/instance"
ASTERISK_CONF = f"{INSTANCE_ROOT}/etc/asterisk.conf"
SUBDIRS = ("etc", "spool", "run", "log", "lib", "sounds", "recordings")
PID_FILE = "asterisk.pid"
SECRET_FILE = "ami.secret"
# manager.conf #includes this (etc/), so the generated configs need not know the secret.
AMI_SECRET_INCLUDE = "manager_secret.conf"
CONSOLE_LOG = "log/console.log"

# Runs inside the fresh mount namespace: the bind mount is visible only to this Asterisk
# (and to `rx`, which joins its namespace) and disappears with it.
_LAUNCH_SCRIPT = (
    'mount --bind "$1" "$2/srv/instance" && '
    f'exec chroot "$2" /usr/sbin/asterisk -f -U asterisk -G asterisk -C {ASTERISK_CONF}'
)
_TCP_LISTEN = "0A"
# Every asterisk process (the remote console too) prints this first, because the namespace
# has no network card; the real entity id comes from asterisk.conf.
_EID_NOTICE = "No ethernet interface found for seeding global EID"


class InstanceError(RuntimeError):
    """An Asterisk instance did not do what was asked; the message says what happened."""


@dataclass(frozen=True)
class InstanceSpec:
    name: str
    sip_port: int
    ami_port: int
    rtp_start: int
    rtp_end: int


class AsteriskInstance:
    def __init__(self, spec: InstanceSpec, state_dir: Path, rootfs: Path,
                 netns_name: str | None) -> None:
        self.spec = spec
        self.instance_dir = Path(state_dir) / spec.name
        self.rootfs = Path(rootfs)
        self.netns = netns_name
        self._process: subprocess.Popen[bytes] | None = None

    # --- files -------------------------------------------------------------------------------

    def prepare_dirs(self) -> None:
        """Create the instance directory and the subdirectories Asterisk writes to."""
        self.instance_dir.mkdir(parents=True, exist_ok=True)
        # Asterisk (uid 101) must traverse it as /srv/instance, whatever the umask was.
        self.instance_dir.chmod(0o755)
        for name in SUBDIRS:
            sub = self.instance_dir / name
            sub.mkdir(exist_ok=True)
            os.chown(sub, ASTERISK_UID, ASTERISK_GID)
            sub.chmod(0o755)

    def write_config(self, filename: str, text: str) -> Path:
        self.prepare_dirs()
        path = self.instance_dir / "etc" / filename
        # 0644: a root-owned 0640 file is unreadable to Asterisk, which then silently declines
        # to load the module.
        _replace_file(path, text, mode=0o644)
        return path

    def ami_secret(self) -> str:
        path = self.instance_dir / SECRET_FILE
        if path.exists():
            return path.read_text().strip()
        self.instance_dir.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_urlsafe(24)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secret + "\n")
        return secret

    def _write_secret_include(self) -> None:
        # Readable by Asterisk's group only: unlike the other configs this one is a secret.
        _replace_file(self.instance_dir / "etc" / AMI_SECRET_INCLUDE,
                      f"secret = {self.ami_secret()}\n", mode=0o640, group=ASTERISK_GID)

    @property
    def console_log(self) -> Path:
        return self.instance_dir / CONSOLE_LOG

    # --- process -----------------------------------------------------------------------------

    def start(self) -> None:
        if self.is_running():
            raise InstanceError(f"Asterisk '{self.spec.name}' is already running.")
        if not (self.instance_dir / "etc/asterisk.conf").is_file():
            raise InstanceError(
                f"{self.instance_dir}/etc/asterisk.conf is missing; write the configs first."
            )
        self.prepare_dirs()
        self._write_secret_include()
        command = [
            *netns.command_prefix(self.netns),
            "unshare", "--mount", "--propagation", "private", "--",
            "sh", "-c", _LAUNCH_SCRIPT, "launch", str(self.instance_dir), str(self.rootfs),
        ]
        with open(self.console_log, "ab") as console:
            # Every step of the command execs the next, so the pid is Asterisk's own.
            self._process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT,
                start_new_session=True, cwd="/",
            )
        pid = self._process.pid
        (self.instance_dir / PID_FILE).write_text(f"{pid} {_start_time(pid)}\n")

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Wait until Asterisk is fully booted and its AMI port accepts connections."""
        deadline = time.monotonic() + timeout
        while True:
            if not self.is_running():
                raise InstanceError(
                    f"Asterisk '{self.spec.name}' exited while starting; its output "
                    f"({self.console_log}):\n{self._console_tail()}"
                )
            if self._fully_booted() and self._ami_listening():
                return
            if time.monotonic() > deadline:
                raise InstanceError(
                    f"Asterisk '{self.spec.name}' was not ready within {timeout:.0f} s "
                    f"(fully booted and AMI on 127.0.0.1:{self.spec.ami_port}); see "
                    f"{self.instance_dir / 'log/messages'}"
                )
            time.sleep(0.1)

    def is_running(self) -> bool:
        return self.pid() is not None

    def pid(self) -> int | None:
        """Asterisk's pid, or None when it is not running (a stale pid file does not count)."""
        recorded = self._recorded_pid()
        if recorded is None:
            return None
        pid, started = recorded
        if self._process is not None:
            self._process.poll()  # reaps our own child, which would otherwise linger as a zombie
        return pid if _alive_since(pid, started) else None

    def stop(self, timeout: float = 10.0) -> None:
        """Stop gracefully, then by signal; afterwards nothing of this instance runs."""
        pid = self.pid()
        if pid is not None:
            # Not answering on its control socket is no reason to give up: signals follow.
            with contextlib.suppress(InstanceError):
                self.rx("core stop now", timeout=timeout)
            for sig in (signal.SIGTERM, signal.SIGKILL):
                if self._wait_exit(timeout):
                    break
                os.kill(pid, sig)
            if not self._wait_exit(timeout):
                raise InstanceError(f"Asterisk '{self.spec.name}' (pid {pid}) survived SIGKILL.")
        # The bind mount lived only in Asterisk's own mount namespace; it is gone with it.
        (self.instance_dir / PID_FILE).unlink(missing_ok=True)
        self._process = None

    # --- control -----------------------------------------------------------------------------

    def rx(self, command: str, timeout: float = 15.0) -> str:
        """Run an Asterisk CLI command (`asterisk -rx`) and return its output."""
        pid = self.pid()
        if pid is None:
            raise InstanceError(f"Asterisk '{self.spec.name}' is not running.")
        argv = [
            # Joining Asterisk's mount namespace is what makes /srv/instance/run/asterisk.ctl
            # (in the bind mount) visible.
            "nsenter", f"--target={pid}", "--mount", "--net", "--",
            "chroot", str(self.rootfs), "/usr/sbin/asterisk", "-C", ASTERISK_CONF, "-rx", command,
        ]
        try:
            result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise InstanceError(f"'{command}' on '{self.spec.name}' timed out.") from exc
        if result.returncode != 0:
            raise InstanceError(
                f"'{command}' on '{self.spec.name}' failed (exit {result.returncode}): "
                f"{(result.stderr or result.stdout).strip()}"
            )
        output = "".join(line for line in result.stdout.splitlines(keepends=True)
                         if not line.startswith(_EID_NOTICE))
        # asterisk -rx exits 0 even for an unknown command (e.g. its module is not loaded).
        if output.startswith("No such command"):
            raise InstanceError(f"'{command}' on '{self.spec.name}': {output.strip()}")
        return output

    def reload(self, module: str | None = None) -> str:
        """Reload one module (e.g. "res_pjsip.so", "pbx_config") or, without one, all."""
        return self.rx(f"module reload {module}" if module else "module reload")

    # --- helpers -----------------------------------------------------------------------------

    def _recorded_pid(self) -> tuple[int, int] | None:
        try:
            pid, started = (self.instance_dir / PID_FILE).read_text().split()
            return int(pid), int(started)
        except (FileNotFoundError, ValueError):
            return None

    def _wait_exit(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.pid() is not None:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def _fully_booted(self) -> bool:
        try:
            self.rx("core waitfullybooted", timeout=5.0)
        except InstanceError:
            return False  # the control socket is not there yet
        return True

    def _ami_listening(self) -> bool:
        pid = self.pid()
        if pid is None:
            return False
        # /proc/PID/net/tcp lists the sockets of Asterisk's own network namespace.
        wanted = f"0100007F:{self.spec.ami_port:04X}"
        try:
            lines = Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]
        except FileNotFoundError:
            return False
        return any(f[1] == wanted and f[3] == _TCP_LISTEN for f in (line.split() for line in lines))

    def _console_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.console_log.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no output)"


def _replace_file(path: Path, text: str, mode: int, group: int | None = None) -> None:
    """Write by rename, so that a reload never reads a half-written file."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text)
    if group is not None:
        os.chown(partial, 0, group)
    partial.chmod(mode)
    os.replace(partial, path)


def _start_time(pid: int) -> int:
    """The process's start time in clock ticks: tells a live pid from a reused one."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # The command name in parentheses may contain spaces; fields after it are fixed.
    return int(stat.rsplit(")", 1)[1].split()[19])


def _alive_since(pid: int, started: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    fields = stat.rsplit(")", 1)[1].split()
    return fields[0] != "Z" and int(fields[19]) == started
