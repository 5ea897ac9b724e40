"""`paivystys box update-install`: root installs the update an admin asked for.

Started by ``paivystys-update.path`` when ``STATE/update/request.json`` appears (dropped by the
API, or by ``paivystys update install`` on the box).  Nothing the unprivileged side says is
believed: the package is copied into root's own directory (``/var/cache/paivystys-update``,
the unit's CacheDirectory=) and that copy is checked again (the vendor's signature by the keys
the installed package shipped, its size and SHA-256, its name, architecture and version
against dpkg's) before ``apt-get install ./paivystys.deb`` installs it.  The update directory
belongs to the services' user, so it is read and written through a directory descriptor:
a link planted there is never followed, a FIFO never opened for long, and every file root
writes there is made anew (O_EXCL) and renamed into place.

The upgrade is what ``apt-get install`` of the package does anywhere: its maintainer scripts
stop the services (Asterisk keeps its calls), migrate the state, start them again, and
restart Asterisk only when its drop-in changed.  Missing dependencies come from the network
(after an ``apt-get update``); offline, that fails and says so.

The outcome is recorded in ``state.json`` (installing, then installed or failed and why),
which the API shows after its own restart; the request and the upload are removed whatever
happened, so the path unit does not start the installer again.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import shutil
import stat
import subprocess
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from paivystys.appliance.api.update.package import (
    DEB_FILE,
    FAILED,
    INSTALLED,
    INSTALLING,
    MAX_PACKAGE_BYTES,
    MAX_RECORD_BYTES,
    MAX_TEXT,
    PACKAGE,
    REQUEST_FILE,
    SIGNATURE_FILE,
    STATE_FILE,
    UPDATE_DIR,
    UpdateHost,
    UpdateRefused,
    UpdateStatus,
    UpdatesUnavailable,
    check_deb,
    check_manifest,
    now,
    parse_record,
)
from paivystys.appliance.api.update.signature import (
    MAX_SIGNATURE_BYTES,
    SignatureRefused,
    check_file,
    file_digest,
    verify,
)
from paivystys.appliance.box.setup import STATE_DIR

WORK_DIR = Path("/var/cache/paivystys-update")  # paivystys-update.service's CacheDirectory=
APT_GET = "apt-get"
APT_LOCK_WAIT_S = 300  # another apt (unattended-upgrades) may hold dpkg's lock a while
OUTPUT_KEPT = 40  # lines of apt's output kept for the reason of a failure
REASON_LINES = 8
# What `apt-get install --simulate` says of each package it would unpack.
SIMULATED = re.compile(r"^Inst (\S+) ", re.MULTILINE)


def say(line: str) -> None:
    """A line for the journal at once (stdout to a pipe is buffered): apt's progress is seen
    while it runs, and is there even if the machine stops meanwhile."""
    print(line, flush=True)


class UploadMissing(Exception):
    """The request names no package to install (its files are gone or not plain files)."""


@dataclass
class Installer:
    state_dir: Path = STATE_DIR
    host: UpdateHost = field(default_factory=UpdateHost)
    work_dir: Path = WORK_DIR
    apt_get: str = APT_GET
    progress: Callable[[str], None] = say

    def run(self) -> UpdateStatus | None:
        """Install the requested update; its outcome (recorded in state.json), or None when
        no update is requested."""
        with _update_dir(self.state_dir) as directory:
            if directory is None:
                self.progress("no update is requested")
                return None
            request = _read_record(directory, REQUEST_FILE)
            if request is None:
                self.progress("no update is requested")
                return None
            base = UpdateStatus(requested_by=_text(request, "requested_by"),
                                requested_at=_text(request, "requested_at"),
                                version=_text(request, "version"))
            outcome = base
            try:
                outcome = self._install(directory, base)
            except BaseException as error:
                outcome = _with(base, state=FAILED, finished_at=now(), reason=(
                    f"the installer failed: {type(error).__name__}: {error}"))
                raise
            finally:
                # The outcome first, then the request goes: whoever looks in between sees
                # the update still waiting, never a state from before it.
                _write_state(directory, outcome)
                for name in (REQUEST_FILE, DEB_FILE, SIGNATURE_FILE):
                    _remove(directory, name)
                shutil.rmtree(self.work_dir / "package", ignore_errors=True)
            self.progress(f"update {outcome.state}: "
                          + (outcome.reason or f"{PACKAGE} {outcome.version}"))
            return outcome

    def _install(self, directory: int, base: UpdateStatus) -> UpdateStatus:
        package = self.work_dir / "package"
        shutil.rmtree(package, ignore_errors=True)
        package.mkdir(parents=True, mode=0o755)
        deb = package / f"{PACKAGE}.deb"
        try:
            _copy_out(directory, DEB_FILE, deb, MAX_PACKAGE_BYTES)
            signature = deb.with_name(SIGNATURE_FILE)
            _copy_out(directory, SIGNATURE_FILE, signature, MAX_SIGNATURE_BYTES)
            manifest = verify(signature.read_bytes(), self.host.keys())
            with deb.open("rb") as file:
                check_file(manifest, *file_digest(file))
            check_deb(deb, manifest)
            installed = check_manifest(manifest, self.host)
        except (UploadMissing, SignatureRefused, UpdateRefused, UpdatesUnavailable) as refused:
            return _with(base, state=FAILED, finished_at=now(),
                         reason=f"not installed: {refused}")
        started = _with(base, state=INSTALLING, version=manifest.version,
                        from_version=installed, started_at=now())
        _write_state(directory, started)
        # Taken: the path unit must not start the installer again for it.
        _remove(directory, REQUEST_FILE)
        self.progress(f"installing {PACKAGE} {manifest.version} over {installed}")
        failure = self._apt(deb)
        now_installed = self.host.installed_version()
        if failure is None and now_installed != manifest.version:
            failure = (f"apt-get finished, but dpkg says version {now_installed} is "
                       "installed")
        if failure is not None:
            return _with(started, state=FAILED, finished_at=now(), reason=failure)
        return _with(started, state=INSTALLED, finished_at=now())

    def _apt(self, deb: Path) -> str | None:
        """Install ``deb`` with apt-get; None when it did, else why not."""
        simulated = self._run([self.apt_get, "install", "--simulate",
                               "--no-install-recommends", str(deb)], echo=False)
        others = [name for name in SIMULATED.findall(simulated.output) if name != PACKAGE]
        if simulated.status != 0 or others:
            # Packages this machine does not have (or package lists too old to say): from the
            # network, after fresh lists.
            needed = ", ".join(others) or "apt cannot say which without fresh package lists"
            self.progress(f"packages to fetch: {needed}")
            refreshed = self._run([self.apt_get, "update"])
            if refreshed.status != 0:
                return (f"it needs packages from the network ({needed}), and 'apt-get update' "
                        f"failed: {refreshed.reason()}")
        installed = self._run([
            self.apt_get, "install", "--yes", "--no-install-recommends",
            "-o", f"DPkg::Lock::Timeout={APT_LOCK_WAIT_S}",
            "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold",
            str(deb)])
        if installed.status != 0:
            return f"apt-get install failed (exit {installed.status}): {installed.reason()}"
        return None

    def _run(self, command: list[str], echo: bool = True) -> _Ran:
        environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive",
                       "APT_LISTCHANGES_FRONTEND": "none", "LC_ALL": "C.UTF-8"}
        self.progress("$ " + " ".join(command))
        kept: deque[str] = deque(maxlen=OUTPUT_KEPT)
        lines: list[str] = []
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, env=environment, text=True,
                              errors="replace") as process:
            assert process.stdout is not None
            for line in process.stdout:
                line = line.rstrip("\n")
                kept.append(line)
                lines.append(line)
                if echo:
                    self.progress(line)
        return _Ran(process.returncode, "\n".join(lines), list(kept))


@dataclass(frozen=True)
class _Ran:
    status: int
    output: str
    tail: list[str]

    def reason(self) -> str:
        """apt's and dpkg's own error lines, else the last lines it wrote."""
        errors = [line for line in self.tail
                  if line.startswith(("E: ", "dpkg: error", "Err:"))]
        chosen = (errors or self.tail)[-REASON_LINES:]
        return " / ".join(chosen)[:MAX_TEXT] or "it said nothing"


@contextlib.contextmanager
def _update_dir(state_dir: Path) -> Iterator[int | None]:
    """The update directory, opened without following links; None when there is none."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    state = os.open(state_dir, flags)
    try:
        try:
            directory = os.open(UPDATE_DIR, flags, dir_fd=state)
        except (FileNotFoundError, NotADirectoryError):
            yield None
            return
        except OSError as error:
            if error.errno == errno.ELOOP:  # a link where the directory should be
                yield None
                return
            raise
        try:
            yield directory
        finally:
            os.close(directory)
    finally:
        os.close(state)


@contextlib.contextmanager
def _opened(directory: int, name: str, limit: int) -> Iterator[int]:
    """A plain file of the update directory, at most ``limit`` bytes, opened for reading
    (never a link, and a FIFO is not waited on)."""
    try:
        descriptor = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                             dir_fd=directory)
    except FileNotFoundError as error:
        raise UploadMissing(f"the upload has no {name}") from error
    except OSError as error:
        raise UploadMissing(f"the upload's {name} cannot be read: {error.strerror}") from error
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise UploadMissing(f"the upload's {name} is not a plain file")
        if status.st_size > limit:
            raise UploadMissing(f"the upload's {name} is larger than {limit} bytes")
        yield descriptor
    finally:
        os.close(descriptor)


def _copy_out(directory: int, name: str, target: Path, limit: int) -> None:
    with _opened(directory, name, limit) as descriptor:
        os.set_blocking(descriptor, True)
        with open(descriptor, "rb", closefd=False) as source, target.open("xb") as copy:
            shutil.copyfileobj(source, copy)
    if target.stat().st_size > limit:  # it grew while it was copied
        raise UploadMissing(f"the upload's {name} is larger than {limit} bytes")
    target.chmod(0o644)


def _read_record(directory: int, name: str) -> dict[str, Any] | None:
    """A JSON record of the update directory; {} when it is there but unreadable, None when
    it is not there."""
    try:
        with _opened(directory, name, MAX_RECORD_BYTES) as descriptor:
            data = os.read(descriptor, MAX_RECORD_BYTES + 1)
    except UploadMissing:
        exists = _exists(directory, name)
        return {} if exists else None
    try:
        return parse_record(data)
    except ValueError:
        return {}


def _exists(directory: int, name: str) -> bool:
    try:
        os.stat(name, dir_fd=directory, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def _write_state(directory: int, status: UpdateStatus) -> None:
    data = (json.dumps(asdict(status), indent=2) + "\n").encode()
    temporary = f".{STATE_FILE}.{secrets.token_hex(8)}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                         | os.O_CLOEXEC, 0o644, dir_fd=directory)
    try:
        os.write(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.replace(temporary, STATE_FILE, src_dir_fd=directory, dst_dir_fd=directory)


def _remove(directory: int, name: str) -> None:
    try:
        os.unlink(name, dir_fd=directory)
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        with contextlib.suppress(OSError):
            os.rmdir(name, dir_fd=directory)


def _text(record: dict[str, Any], name: str) -> str | None:
    value = record.get(name)
    return value if isinstance(value, str) else None


def _with(status: UpdateStatus, **changes: Any) -> UpdateStatus:
    return UpdateStatus(**{**asdict(status), **changes})
