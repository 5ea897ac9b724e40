"""`paivystys config-backup create|restore FILE`: the whole configuration as one file.

The command is not `backup`: that name already sets a number's backup group (admin.py).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from paivystys.appliance.backup import (
    BackupError,
    BackupInfo,
    check_backup,
    create_backup,
    restore_backup,
)
from paivystys.appliance.cli import CommandError, cli_changes, use_database

COMMAND = "config-backup"
EXIT_BAD_INPUT = 2


def _counts(info: BackupInfo) -> list[str]:
    width = max(map(len, info.counts))
    return [f"  {table:<{width}}  {count:>5}" for table, count in info.counts.items()]


@contextmanager
def _private_file(path: Path) -> Iterator[BinaryIO]:
    """A file readable by its owner only (mode 0600, whatever the umask), put at ``path`` only
    when the block succeeds: a half-written backup never replaces a good one."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def create(args: argparse.Namespace) -> None:
    path: Path = args.file
    if path.exists() and not args.force:
        raise CommandError(f"{path} already exists; give --force to overwrite it", EXIT_BAD_INPUT)
    use_database(args)
    try:
        # Opened first: a place we cannot write fails before the backup is recorded as taken.
        with _private_file(path) as stream:
            data = create_backup(cli_changes())
            stream.write(data)
    except OSError as exc:
        raise CommandError(f"cannot write {path}: {exc.strerror or exc}", EXIT_BAD_INPUT) from exc
    info = check_backup(data)  # the file as written reads back as a restore would read it
    print(f"saved the configuration to {path} ({len(data)} bytes, mode 0600), rows:")
    print("\n".join(_counts(info)))
    print("The file holds the SIP trunk's password and the API users' password hashes: "
          "keep it secret.")


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}", EXIT_BAD_INPUT) from exc


def _made(info: BackupInfo) -> str:
    return (f"backup of {info.created_at or 'an unknown time'}, "
            f"Päivystysvaihde {info.appliance_version or 'unknown'}")


def restore(args: argparse.Namespace) -> None:
    data = _read(args.file)
    try:
        if args.dry_run:
            info = check_backup(data)
            print(f"{args.file} is a valid {_made(info)}; nothing was changed. "
                  "A restore would replace the configuration with these rows:")
            print("\n".join(_counts(info)))
            return
        use_database(args)
        summary = restore_backup(data, changes=cli_changes())
    except BackupError as exc:
        raise CommandError(f"{args.file}: {exc} (nothing was changed)", EXIT_BAD_INPUT) from exc
    print(f"restored the configuration from {args.file} ({_made(summary.backup)}), rows:")
    print("\n".join(_counts(summary.backup)))
    print(f"{summary.tokens_revoked} API login(s) ended: everyone logs in again.")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        COMMAND, help="back up or restore the configuration (not the call log or recordings)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    save = actions.add_parser(
        "create", help="save the configuration to a file (a secret: it holds passwords)",
        description="Save the whole configuration to FILE, readable by its owner only. The "
                    "file holds the SIP trunk's password and the API users' password hashes.")
    save.add_argument("file", type=Path, metavar="FILE")
    save.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    save.set_defaults(handler=create)
    load = actions.add_parser(
        "restore", help="replace the configuration with a backup's and apply it",
        description="Replace the whole configuration with FILE's, without asking, and apply it "
                    "to Asterisk. The file is checked completely first; nothing changes if "
                    "anything in it is wrong. API logins end.")
    load.add_argument("file", type=Path, metavar="FILE")
    load.add_argument("--dry-run", action="store_true",
                      help="only check the file; change nothing")
    load.set_defaults(handler=restore)
