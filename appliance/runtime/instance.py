"""One Asterisk instance: its own directory, chrooted into the shared rootfs, detached.

Inside a private mount namespace the instance directory is bind-mounted on the rootfs's
/srv/instance, so every path Asterisk sees starts with /srv/instance and two instances share
one rootfs.  Asterisk is started in its own session so it outlives the process that started
it; the pid file in the instance directory lets any later process find, query and stop it.

Who may read what (others: nothing, except the prompts):

- ``etc/``: written by whoever applies the configuration (root today), group asterisk, setgid,
  0750; every file in it 0640.  Configs hold the trunk's password and the AMI secret, and
  Asterisk reads them through its group; it cannot change them.
- ``log/``, ``lib/`` (astdb), ``run/``, ``spool/`` (a chrooted instance only; on the box
  Asterisk keeps them where its package does): Asterisk's own, 0750.  Asterisk runs with
  umask 007, so what it writes there is 0660, group asterisk.
- ``recordings/``: Asterisk's, setgid with the state directory's group (the group of the
  appliance's services: the API serves recordings and deletes them when their retention
  ends), 2770.  MixMonitor's month folders inherit group and setgid; with Asterisk's umask
  (007) folders are 2770 and recordings 0660: the services may delete, others get nothing.
- ``sounds/``: 0755, prompts world-readable: nothing in them is private.
- ``ami.secret``: root's (the services that log in to AMI are given it), 0600.
"""

from __future__ import annotations

import contextlib
import functools
import os
import secrets
import signal
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from paivystys.appliance.runtime import netns

ASTERISK_USER = "asterisk"  # the user and group Asterisk runs as (-U, -G), from the rootfs
INSTANCE_ROOT = "/srv/instance"
ASTERISK_CONF = f"{INSTANCE_ROOT}/etc/asterisk.conf"
CONFIG_DIR = "etc"
RECORDINGS_DIR = "recordings"
SOUNDS_DIR = "sounds"
ASTERISK_DIRS = ("spool", "run", "log", "lib")  # written by Asterisk, read by nobody else
SUBDIRS = (CONFIG_DIR, *ASTERISK_DIRS, SOUNDS_DIR, RECORDINGS_DIR)
INSTANCE_DIR_MODE = 0o755  # Asterisk enters it as /srv/instance; the API on its way to recordings
CONFIG_DIR_MODE = 0o2750  # setgid: a file written there belongs to Asterisk's group at once
CONFIG_MODE = 0o640
ASTERISK_DIR_MODE = 0o750
SOUNDS_DIR_MODE = 0o755
RECORDINGS_DIR_MODE = 0o2770  # setgid: MixMonitor's folders and files get the services' group
RECORDING_MODE = 0o660
# Asterisk's own files (logs, astdb, recordings, the control socket): nothing for others, and
# its group may write (the services' group, in the recordings, deletes expired ones).
# Asterisk has no setting of its own for this (asterisk.conf has none; MixMonitor creates
# files 0666 and folders 0777 less the umask).  The box's Asterisk unit sets the same UMask.
ASTERISK_UMASK = 0o007
SECRET_MODE = 0o600
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
                 netns_name: str | None, *, keeps_own_files: bool = True) -> None:
        """``keeps_own_files``: Asterisk's logs, astdb, spool and control socket live in the
        instance directory (a chrooted instance); False: where its package keeps them."""
        self.spec = spec
        self.instance_dir = Path(state_dir) / spec.name
        self.rootfs = Path(rootfs)
        self.netns = netns_name
        self.keeps_own_files = keeps_own_files
        self._process: subprocess.Popen[bytes] | None = None

    # --- files -------------------------------------------------------------------------------

    @functools.cached_property
    def asterisk_ids(self) -> tuple[int, int]:
        """The uid of the rootfs's asterisk user and the gid of its asterisk group.

        Debian allocates them when the package is installed, so they are read, not assumed."""
        return (_id_in(self.rootfs / "etc/passwd", ASTERISK_USER),
                _id_in(self.rootfs / "etc/group", ASTERISK_USER))

    @property
    def writer(self) -> int:
        """Who writes the configuration: the owner of the state directory (root in lab mode,
        the services' user on the box, whose API and CLI apply the changes)."""
        return self.instance_dir.parent.stat().st_uid

    @property
    def services_group(self) -> int:
        """The group of the appliance's services: the state directory's group.  They read
        the recordings through it."""
        return self.instance_dir.parent.stat().st_gid

    def prepare_dirs(self) -> None:
        """Create the instance directory and its subdirectories, each with its owner and mode
        (see the module's description), whatever the umask was."""
        uid, gid = self.asterisk_ids
        self.instance_dir.mkdir(parents=True, exist_ok=True)
        self.instance_dir.chmod(INSTANCE_DIR_MODE)
        own_dirs = ASTERISK_DIRS if self.keeps_own_files else ()
        owners = {
            CONFIG_DIR: (self.writer, gid, CONFIG_DIR_MODE),
            **{name: (uid, gid, ASTERISK_DIR_MODE) for name in own_dirs},
            SOUNDS_DIR: (uid, gid, SOUNDS_DIR_MODE),
            RECORDINGS_DIR: (uid, self.services_group, RECORDINGS_DIR_MODE),
        }
        for name, (owner, group, mode) in owners.items():
            sub = self.instance_dir / name
            sub.mkdir(exist_ok=True)
            _set_owner_and_mode(sub, owner, group, mode)

    def write_config(self, filename: str, text: str) -> Path:
        self.prepare_dirs()
        path = self.instance_dir / CONFIG_DIR / filename
        # Group asterisk, not root: Asterisk reads a root-group 0640 file not at all, and then
        # silently declines to load the module.
        _replace_file(path, text, group=self.asterisk_ids[1], mode=CONFIG_MODE)
        return path

    def secure_configs(self) -> None:
        """Give every file in etc/ Asterisk's group and mode 0640: files written before these
        rules (0644) are no longer readable by everyone."""
        gid = self.asterisk_ids[1]
        for path in (self.instance_dir / CONFIG_DIR).iterdir():
            if path.is_file() and not path.is_symlink():
                _set_owner_and_mode(path, -1, gid, CONFIG_MODE)

    def secure_recordings(self) -> None:
        """Give recordings made before these rules (0644 in 0755 folders) the services' group,
        folders 2750 and files 0640."""
        uid, _ = self.asterisk_ids
        group = self.services_group
        for folder, _subfolders, files in os.walk(self.instance_dir / RECORDINGS_DIR):
            _set_owner_and_mode(Path(folder), uid, group, RECORDINGS_DIR_MODE)
            for name in files:
                path = Path(folder, name)
                if not path.is_symlink():
                    _set_owner_and_mode(path, -1, group, RECORDING_MODE)

    def ami_secret(self) -> str:
        path = self.instance_dir / SECRET_FILE
        if path.exists():
            _set_owner_and_mode(path, -1, -1, SECRET_MODE)  # one made loose by hand or before
            return path.read_text().strip()
        self.instance_dir.mkdir(parents=True, exist_ok=True)
        secret = secrets.token_urlsafe(24)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, SECRET_MODE)
        with os.fdopen(fd, "w") as file:
            file.write(secret + "\n")
        return secret

    def write_secret_include(self) -> None:
        """The include that gives Asterisk the AMI secret (manager.conf includes it)."""
        self.write_config(AMI_SECRET_INCLUDE, f"secret = {self.ami_secret()}\n")

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
        self.write_secret_include()
        self.secure_configs()
        self.secure_recordings()
        command = [
            *netns.command_prefix(self.netns),
            "unshare", "--mount", "--propagation", "private", "--",
            "sh", "-c", _LAUNCH_SCRIPT, "launch", str(self.instance_dir), str(self.rootfs),
        ]
        with open(self.console_log, "ab") as console:
            # Every step of the command execs the next, so the pid is Asterisk's own.
            self._process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT,
                start_new_session=True, cwd="/", umask=ASTERISK_UMASK,
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


def _replace_file(path: Path, text: str, group: int, mode: int) -> None:
    """Write by rename, so that a reload never reads a half-written file.  The file has its
    group and mode before the text goes in: at no moment can others read it."""
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)  # left by a crash: someone may hold it open
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        if os.fstat(fd).st_gid != group:
            os.fchown(fd, -1, group)
        os.fchmod(fd, mode)
        file.write(text)
    os.replace(partial, path)


def _set_owner_and_mode(path: Path, uid: int, gid: int, mode: int) -> None:
    """chown (-1 keeps that id) and chmod `path` where it differs; a file that cannot be
    fixed is an InstanceError naming it."""
    status = path.lstat()
    try:
        if (uid not in (-1, status.st_uid)) or (gid not in (-1, status.st_gid)):
            os.chown(path, uid, gid, follow_symlinks=False)
            status = path.lstat()  # a chown may clear the setgid bit
        if stat.S_IMODE(status.st_mode) != mode:
            path.chmod(mode)
    except PermissionError as error:
        raise InstanceError(
            f"cannot give {path} owner {uid}, group {gid} and mode {mode:o}: {error.strerror}; "
            "fix it as root"
        ) from error


def _id_in(database: Path, name: str) -> int:
    """The numeric id of `name` in a passwd or group file (the third field in both)."""
    try:
        lines = database.read_text().splitlines()
    except OSError as error:
        raise InstanceError(f"cannot read {database}: {error.strerror}") from error
    for line in lines:
        fields = line.split(":")
        if len(fields) > 2 and fields[0] == name:
            return int(fields[2])
    raise InstanceError(f"{database} has no '{name}': is Asterisk installed in this rootfs?")


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
