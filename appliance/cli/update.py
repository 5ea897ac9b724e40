"""`paivystys update install FILE`: a newer version of the switchboard from a package the
vendor signed (its signature FILE.sig beside it), as the console's Software page installs it;
`paivystys update status`: the installed version and where the last update is.  On the box,
as root.

The package is checked here first (so that a refusal is said at once), staged as an upload
through the API is, audited as the Unix user's, and installed by paivystys-update.service:
the same root installer, which checks it again, whatever asked for it.  The command waits
for it and says the outcome; apt's output is in ``journalctl -u paivystys-update``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
from dataclasses import asdict
from pathlib import Path
from typing import BinaryIO

from paivystys.appliance.api.update.package import (
    FAILED,
    MAX_PACKAGE_BYTES,
    WAITING,
    UpdateDir,
    UpdateHost,
    UpdateRefused,
    UpdateStatus,
    UpdatesUnavailable,
    accept_signature,
    request_update,
    why_no_updates,
)
from paivystys.appliance.api.update.signature import (
    MAX_SIGNATURE_BYTES,
    READ_CHUNK,
    Manifest,
    SignatureRefused,
    check_file,
)
from paivystys.appliance.box.setup import STATE_DIR
from paivystys.appliance.cli import CommandError, cli_changes, print_json, use_database
from paivystys.appliance.runtime.host import require_root

# This machine as updates see it; the tests put a machine of their own here.
HOST = UpdateHost()
INSTALLER_UNIT = "paivystys-update.service"
SIGNATURE_SUFFIX = ".sig"


def register(commands: argparse._SubParsersAction) -> None:
    update = commands.add_parser(
        "update", help="install a newer version of the switchboard from a package its vendor "
                       "signed (on the box, as root)")
    actions = update.add_subparsers(dest="update_command", required=True, metavar="ACTION")
    install = actions.add_parser(
        "install", help="check FILE and its signature, install it and say the outcome")
    install.add_argument("file", type=Path, metavar="FILE",
                         help="the package, paivystys_<version>_<architecture>.deb")
    install.add_argument("--signature", type=Path, metavar="SIG",
                         help=f"its signature (default: FILE{SIGNATURE_SUFFIX})")
    install.add_argument("--state-dir", type=Path, default=STATE_DIR,
                         help=f"default {STATE_DIR}")
    install.set_defaults(handler=run_install)
    status = actions.add_parser("status", help="the installed version and the last update")
    status.add_argument("--json", action="store_true")
    status.add_argument("--state-dir", type=Path, default=STATE_DIR,
                        help=f"default {STATE_DIR}")
    status.set_defaults(handler=run_status)


def run_install(args: argparse.Namespace) -> int:
    require_root("Installing an update")
    host, updates = HOST, UpdateDir(args.state_dir)
    why_not = why_no_updates(args.state_dir, host)
    if why_not is not None:
        raise CommandError(why_not)
    signature_path = args.signature or args.file.with_name(args.file.name + SIGNATURE_SUFFIX)
    signature = _read_signature(signature_path)
    try:
        updates.refuse_if_busy(host)
        manifest, installed = accept_signature(signature, host)
        descriptor, partial = updates.new_partial()
        try:
            with os.fdopen(descriptor, "wb") as copy:
                _copy_checked(args.file, copy, manifest)
            use_database(args)
            request_update(updates, host, partial, signature, manifest, installed,
                           cli_changes())
        finally:
            partial.unlink(missing_ok=True)  # once staged, it is renamed away already
    except (SignatureRefused, UpdateRefused, UpdatesUnavailable) as refused:
        raise CommandError(f"not installed: {refused}") from refused
    print(f"Installing paivystys {manifest.version} over {installed}: the services restart, "
          f"calls in progress go on (apt's output: journalctl -u {INSTALLER_UNIT}) ...",
          flush=True)
    ran = start_installer()
    outcome = updates.status(host)
    if outcome.state == WAITING:
        updates.unstage()
        raise CommandError(f"the installer did not take the update ({ran}); nothing was "
                           "installed")
    print(_describe(outcome))
    return 1 if outcome.state == FAILED else 0


def start_installer() -> str:
    """Run root's installer now and wait for it (a oneshot unit: ``systemctl start`` returns
    when it has ended; started already by its path unit, the start waits for that run).
    What systemctl said: the outcome itself is in the update's state."""
    result = subprocess.run(["systemctl", "start", INSTALLER_UNIT], capture_output=True,
                            text=True)
    return (f"systemctl start {INSTALLER_UNIT}: exit {result.returncode}"
            + (f": {result.stderr.strip()}" if result.stderr.strip() else ""))


def run_status(args: argparse.Namespace) -> None:
    host = HOST
    why_not = why_no_updates(args.state_dir, host)
    installed = host.installed_version()
    status = UpdateDir(args.state_dir).status(host)
    if args.json:
        print_json({"installed_version": installed, "updates": why_not is None,
                    "why_not": why_not, **asdict(status)})
        return
    print(f"installed: paivystys {installed or '(not installed)'}")
    if why_not is not None:
        print(f"updates: none taken here: {why_not}")
    print(_describe(status))


def _describe(status: UpdateStatus) -> str:
    described = {
        "none": "last update: none",
        "waiting": f"update to {status.version}: waiting for the installer "
                   f"(asked by {status.requested_by} at {status.requested_at})",
        "installing": f"update to {status.version}: installing since {status.started_at}",
        "installed": f"update to {status.version}: installed at {status.finished_at} "
                     f"(asked by {status.requested_by})",
        "failed": f"update to {status.version}: failed: {status.reason}",
    }
    return described[status.state]


def _read_signature(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            return file.read(MAX_SIGNATURE_BYTES + 1)
    except OSError as error:
        raise CommandError(f"cannot read the package's signature {path}: {error.strerror} "
                           f"(it is the {SIGNATURE_SUFFIX} file beside the package; "
                           "--signature names another)") from error


def _copy_checked(path: Path, copy: BinaryIO, manifest: Manifest) -> None:
    """``path`` into ``copy``, no more than the signature names, then its digest checked: the
    copy is what is staged, whatever happens to ``path`` meanwhile."""
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as source:
            while chunk := source.read(READ_CHUNK):
                size += len(chunk)
                if size > min(manifest.size, MAX_PACKAGE_BYTES):
                    raise SignatureRefused("the package does not match its signature: it is "
                                           "larger than the signed one")
                digest.update(chunk)
                copy.write(chunk)
    except OSError as error:
        raise CommandError(f"cannot read the package {path}: {error.strerror}") from error
    check_file(manifest, size, digest.hexdigest())
