"""Updates of the box: what is checked before a package is installed, and where an update waits.

The mechanism is an upgrade of the Debian package ``paivystys`` in place (``apt-get install
./paivystys.deb``): its maintainer scripts keep the state directory (database, recordings, TLS
identity, secrets) and restart Asterisk only when its drop-in changed, so calls in progress go
on.  The API (unprivileged) takes the upload and drops a request; root (``paivystys box
update-install``, started by ``paivystys-update.path``) checks it all again and installs it.

In the state directory, ``update/`` (the API's user's)::

    paivystys.deb, paivystys.deb.sig   the package and its signature, once both are checked
    request.json                       "install it": who asked, when, which version
    state.json                         root's record: installing, installed or failed, why
    upload-*.partial                   an upload on its way in

Who checks what, against what: the signature against the public keys the installed package
shipped (``/usr/share/paivystys/update-keys``), the package's name, its architecture against
``dpkg --print-architecture``, its version against the installed one by
``dpkg --compare-versions`` (a newer one only: a downgrade can meet a database migrated past
what it knows).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from paivystys.appliance.api.update.signature import (
    Manifest,
    SignatureRefused,
    trusted_keys,
    verify,
)
from paivystys.appliance.asterisk.configuration import APPLIANCE_SPEC
from paivystys.appliance.asterisk.site import (
    AsteriskUnavailable,
    LabAsterisk,
    SystemAsterisk,
    load_site,
)
from paivystys.appliance.changes import Changes

PACKAGE = "paivystys"
KEYS_DIR = Path("/usr/share/paivystys/update-keys")
DPKG_ADMIN_DIR = Path("/var/lib/dpkg")
# paivystys-update.service's RuntimeDirectory=: there exactly while the installer runs.
INSTALLER_RUNNING = Path("/run/paivystys-update")
UPDATE_DIR = "update"
DEB_FILE = "paivystys.deb"
SIGNATURE_FILE = "paivystys.deb.sig"
REQUEST_FILE = "request.json"
STATE_FILE = "state.json"
PARTIAL_PREFIX = "upload-"
PARTIAL_SUFFIX = ".partial"
MAX_PACKAGE_BYTES = 60_000_000  # the package is about 15 MB
MAX_RECORD_BYTES = 16_384  # request.json, state.json
MAX_TEXT = 2000  # the longest text a record's field may hold (a failure's reason)
# Nothing of an update is secret (a published package, its signature, who asked); root writes
# some of them, the services' user reads them.  The directory (0750) keeps others out.
FILE_MODE = 0o644
COMMAND_TIMEOUT_S = 60

NONE, WAITING, INSTALLING, INSTALLED, FAILED = (
    "none", "waiting", "installing", "installed", "failed")
STATES = (NONE, WAITING, INSTALLING, INSTALLED, FAILED)
# One update is staged at a time (two admins at once: the second is told one is waiting).
_staging = threading.Lock()
INTERRUPTED = ("the installation stopped before it finished (the machine restarted, or the "
               "installer was stopped); see 'journalctl -u paivystys-update' on the box, where "
               "'dpkg --configure -a' finishes what dpkg began")


class UpdateRefused(Exception):
    """This package is not one to install here: the message says why (the API's 422)."""


class UpdatesUnavailable(Exception):
    """This switchboard takes no updates (lab mode, not a box) or not now (one is already
    waiting or being installed): the API's 409."""


@dataclass(frozen=True)
class UpdateHost:
    """The machine an update is checked against: the keys its package shipped, dpkg's
    database, and whether root's installer runs now."""

    keys_dir: Path = KEYS_DIR
    dpkg_admin_dir: Path = DPKG_ADMIN_DIR
    installer_running: Path = INSTALLER_RUNNING

    def keys(self) -> dict[str, Ed25519PublicKey]:
        try:
            return trusted_keys(self.keys_dir)
        except SignatureRefused as error:
            raise UpdateRefused(str(error)) from error

    def installed_version(self) -> str | None:
        """The installed version of the package, by dpkg; None when it is not installed."""
        result = _run(["dpkg-query", f"--admindir={self.dpkg_admin_dir}", "--show",
                       "--showformat=${db:Status-Abbrev}\t${Version}", PACKAGE], check=False)
        status, _, version = result.stdout.partition("\t")
        # "ii " installed; "rc " removed with its configuration left, and the like.
        if result.returncode != 0 or status[:2] != "ii" or not version.strip():
            return None
        return version.strip()

    def architecture(self) -> str:
        return _run(["dpkg", "--print-architecture"]).stdout.strip()

    def installer_is_running(self) -> bool:
        return self.installer_running.is_dir()


def newer(version: str, than: str) -> bool:
    """Whether ``version`` is newer than ``than`` as dpkg orders versions."""
    result = _run(["dpkg", "--compare-versions", version, "gt", than], check=False)
    if result.returncode not in (0, 1):
        raise UpdateRefused(f"dpkg cannot compare the versions {version!r} and {than!r}: "
                            f"{result.stderr.strip()}")
    return result.returncode == 0


def check_manifest(manifest: Manifest, host: UpdateHost) -> str:
    """The signed package is ours, for this machine, and newer than what is installed (whose
    version it returns); :class:`UpdateRefused` saying which is not so."""
    if manifest.package != PACKAGE:
        raise UpdateRefused(f"the package is {manifest.package!r}, not the switchboard's "
                            f"({PACKAGE!r})")
    architecture = host.architecture()
    if manifest.architecture != architecture:
        raise UpdateRefused(f"the package is for {manifest.architecture} machines; this "
                            f"switchboard is {architecture}")
    installed = host.installed_version()
    if installed is None:
        raise UpdatesUnavailable(f"the package {PACKAGE} is not installed on this machine")
    if not newer(manifest.version, installed):
        which = "the one" if manifest.version == installed else "older than the one"
        raise UpdateRefused(f"version {manifest.version} is {which} installed ({installed}): "
                            "only a newer version is installed")
    if manifest.size > MAX_PACKAGE_BYTES:
        raise UpdateRefused(f"the package is {manifest.size} bytes; an update may be at most "
                            f"{MAX_PACKAGE_BYTES}")
    return installed


def accept_signature(signature_file: bytes, host: UpdateHost) -> tuple[Manifest, str]:
    """What a signature file vouches for, if this machine takes it, and the version installed
    now; :class:`SignatureRefused`, :class:`UpdateRefused` or :class:`UpdatesUnavailable`
    otherwise.  Checked before the package itself is read."""
    manifest = verify(signature_file, host.keys())
    return manifest, check_manifest(manifest, host)


def request_update(updates: UpdateDir, host: UpdateHost, package: Path, signature_file: bytes,
                   manifest: Manifest, installed: str, changes: Changes) -> None:
    """Stage ``package`` (a file whose bytes were checked against ``manifest``) and ask root
    to install it, audited as ``changes``' actor's."""
    check_deb(package, manifest)
    request = UpdateRequest(version=manifest.version, from_version=installed,
                            sha256=manifest.sha256, requested_by=changes.actor,
                            requested_at=now())
    details = {"from": installed, "sha256": manifest.sha256, "bytes": manifest.size}
    with _staging:
        updates.refuse_if_busy(host)  # another admin's upload may have come in meanwhile
        with changes.change("update.request", f"{PACKAGE} {manifest.version}", details,
                            reaches_asterisk=False):
            updates.stage(package, signature_file, request)


def check_deb(path: Path, manifest: Manifest) -> None:
    """The package file says of itself what its signature says of it (read by dpkg-deb, only
    once the signature holds for the file's bytes)."""
    result = _run(["dpkg-deb", "--showformat=${Package}\t${Version}\t${Architecture}",
                   "--show", str(path)], check=False)
    if result.returncode != 0:
        raise UpdateRefused(f"dpkg-deb cannot read the package: {result.stderr.strip()}")
    found = tuple(result.stdout.strip().split("\t"))
    signed = (manifest.package, manifest.version, manifest.architecture)
    if found != signed:
        raise UpdateRefused(f"the package calls itself {' '.join(found)}, but its signature "
                            f"says {' '.join(signed)}")


def why_no_updates(state_dir: Path, host: UpdateHost) -> str | None:
    """Why this switchboard installs no update at all, or None when it does."""
    try:
        site = load_site(state_dir, APPLIANCE_SPEC)
    except AsteriskUnavailable as error:
        return f"this switchboard does not know where it runs: {error}"
    if isinstance(site, LabAsterisk):
        return ("updates are installed on a box; this is lab mode, which runs the code of its "
                "work tree")
    if not isinstance(site, SystemAsterisk):
        return (f"{state_dir} is not a box's state directory ('paivystys box setup' did not "
                "set it up)")
    if host.installed_version() is None:
        return f"the package {PACKAGE} is not installed on this machine"
    return None


@dataclass(frozen=True)
class UpdateRequest:
    """``request.json``: install the package beside it."""

    version: str
    from_version: str
    sha256: str
    requested_by: str
    requested_at: str


@dataclass(frozen=True)
class UpdateStatus:
    """Where the last update is: none, waiting (requested), installing, installed, failed."""

    state: str = NONE
    version: str | None = None
    from_version: str | None = None
    requested_by: str | None = None
    requested_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    reason: str | None = None


def status_of(request: Mapping[str, Any] | None, record: Mapping[str, Any] | None,
              installer_running: bool) -> UpdateStatus:
    """The state shown from what the update directory holds: a request not yet taken is
    waiting; otherwise root's record, where "installing" with no installer running means it
    was interrupted."""
    if request is not None:
        return UpdateStatus(WAITING, **_known(request, UpdateStatus, "state"))
    if record is None:
        return UpdateStatus()
    if record.get("state") not in (INSTALLING, INSTALLED, FAILED):
        return UpdateStatus(FAILED, reason="the update's state file is not one this version "
                                           "reads")
    status = UpdateStatus(**_known(record, UpdateStatus))
    if status.state == INSTALLING and not installer_running:
        return UpdateStatus(**{**asdict(status), "state": FAILED, "reason": INTERRUPTED})
    return status


def parse_record(data: bytes) -> dict[str, Any]:
    """A request's or state's JSON: an object of short texts (or nulls); ValueError if not."""
    if len(data) > MAX_RECORD_BYTES:
        raise ValueError(f"larger than {MAX_RECORD_BYTES} bytes")
    record = json.loads(data)
    if not isinstance(record, dict) or not all(
            value is None or (isinstance(value, str) and len(value) <= MAX_TEXT)
            for value in record.values()):
        raise ValueError("not an object of texts")
    return record


class UpdateDir:
    """The update directory as its owner (the API, or root staging from the command line)
    writes and reads it.  Root's installer reads it through a directory descriptor instead
    (appliance/box/update.py): it does not follow what this user could have linked there."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / UPDATE_DIR

    def ensure(self) -> Path:
        """The directory, made if missing: the state directory owner's (the services' user's,
        also when root made it from the command line)."""
        if not self.path.is_dir():
            self.path.mkdir(mode=0o750)
            owner = self.path.parent.stat()
            if os.geteuid() == 0:
                os.chown(self.path, owner.st_uid, owner.st_gid)
        return self.path

    def new_partial(self) -> tuple[int, Path]:
        """A new file for an upload on its way in (open for writing)."""
        descriptor, name = tempfile.mkstemp(prefix=PARTIAL_PREFIX, suffix=PARTIAL_SUFFIX,
                                            dir=self.ensure())
        os.fchmod(descriptor, FILE_MODE)
        return descriptor, Path(name)

    def remove_partials(self) -> None:
        """Uploads that never finished (the API stopped while one came in)."""
        for path in self.path.glob(f"{PARTIAL_PREFIX}*{PARTIAL_SUFFIX}"):
            path.unlink(missing_ok=True)

    def read(self, name: str) -> dict[str, Any] | None:
        try:
            return parse_record((self.path / name).read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return {"state": "unreadable"}

    def status(self, host: UpdateHost) -> UpdateStatus:
        # Whether the installer runs is looked at first: it records its outcome before it
        # ends, so "installing" read after it has gone was interrupted.
        running = host.installer_is_running()
        return status_of(self.read(REQUEST_FILE), self.read(STATE_FILE), running)

    def refuse_if_busy(self, host: UpdateHost) -> None:
        status = self.status(host)
        if status.state == WAITING:
            raise UpdatesUnavailable(f"an update to {status.version} is already waiting to be "
                                     f"installed (asked by {status.requested_by} at "
                                     f"{status.requested_at})")
        if status.state == INSTALLING:
            raise UpdatesUnavailable(f"the update to {status.version} is being installed now")

    def stage(self, package: Path, signature: bytes, request: UpdateRequest) -> None:
        """Put a checked package and its signature in place, then the request (last: the
        request is what starts root's installer)."""
        directory = self.ensure()
        os.replace(package, directory / DEB_FILE)
        _write_atomically(directory / SIGNATURE_FILE, signature)
        _write_atomically(directory / REQUEST_FILE,
                          (json.dumps(asdict(request), indent=2) + "\n").encode())

    def unstage(self) -> None:
        for name in (REQUEST_FILE, DEB_FILE, SIGNATURE_FILE):
            (self.path / name).unlink(missing_ok=True)


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _known(record: Mapping[str, Any], kind: type, *leave_out: str) -> dict[str, Any]:
    names = {field.name for field in fields(kind)} - set(leave_out)
    return {name: value for name, value in record.items() if name in names}


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.new")
    temporary.write_bytes(data)
    temporary.chmod(FILE_MODE)
    os.replace(temporary, path)


def _run(command: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S,
                            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                                 "LC_ALL": "C.UTF-8"})
    if check and result.returncode != 0:
        raise UpdateRefused(f"{command[0]} failed: {result.stderr.strip()}")
    return result
