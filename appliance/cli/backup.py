"""`paivystys config-backup create|restore FILE`: the whole configuration as one file;
`paivystys config-backup save|list`: the backups kept on the box (paivystys-backup.timer runs
`save` every night).

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
    DatabaseDamaged,
    check_backup,
    create_backup,
    list_backups,
    recheck_after_restore,
    restore_backup,
    save_backup,
)
from paivystys.appliance.backup.stored import backups_dir
from paivystys.appliance.cli import CommandError, cli_changes, print_json, use_database

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
    check = recheck_after_restore(args.db)
    if check is not None:
        print(f"The database {check.summary}.")


def _state_dir(args: argparse.Namespace) -> Path:
    return Path(args.db).resolve().parent


def save_stored(args: argparse.Namespace) -> None:
    use_database(args)
    try:
        saved = save_backup(Path(args.db), cli_changes())
    except DatabaseDamaged as exc:
        raise CommandError(str(exc)) from exc
    except OSError as exc:
        raise CommandError(f"cannot save a backup in {backups_dir(_state_dir(args))}: "
                           f"{exc.strerror or exc}") from exc
    print(f"saved {backups_dir(_state_dir(args)) / saved.backup.name} "
          f"({saved.backup.size} bytes, mode 0600); keeping the newest {saved.kept}"
          + (f", removed {', '.join(saved.removed)}" if saved.removed else ""))


def list_stored(args: argparse.Namespace) -> None:
    backups = list_backups(_state_dir(args))
    if args.json:
        print_json([{"name": backup.name, "created_at": backup.created_at.isoformat(),
                     "size": backup.size} for backup in backups])
        return
    if not backups:
        print(f"no backups in {backups_dir(_state_dir(args))}")
        return
    for backup in backups:
        print(f"{backup.name}  {backup.size:>9} bytes")


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
    keep = actions.add_parser(
        "save", help="keep a backup on the box, in backups/ beside the database (the "
                     "nightly backup); the oldest beyond the setting backups_kept go",
        description="Check the database's integrity (PRAGMA integrity_check), then save the "
                    "configuration in backups/ beside the database and remove the oldest "
                    "backups beyond the setting backups_kept. A database that fails the "
                    "check is not backed up and no backup is removed (exit status 1).")
    keep.set_defaults(handler=save_stored)
    stored = actions.add_parser("list", help="the backups kept on the box, newest first")
    stored.add_argument("--json", action="store_true")
    stored.set_defaults(handler=list_stored)
