"""Configuration backups kept on the box: ``backups/`` in the state directory (beside the
database), one file per backup in the format of :func:`create_backup`, the newest
``backups_kept`` of them (a setting; 14 unless an admin changes it).

paivystys-backup.timer saves one every night (``paivystys config-backup save``); an admin may
save one from the console too.  Each file is written whole before it takes its name (a
temporary file, fsync, rename, fsync of the directory): a power cut leaves the previous
backups and at most a temporary file, never a half file under a backup's name.  Only a
database that passes ``PRAGMA integrity_check`` is backed up, so a damaged one never pushes
the good backups out; every stored backup therefore comes from a sound database, and the
newest is the last good one.

The files hold the SIP trunk's password and the users' password hashes: the directory is
0700 and every file 0600, the services' user's (the owner of the state directory, also when
root saves one).  A backup's name is its identity and the only thing a caller gives: it is
matched whole against the one pattern the box writes, and the file is opened without
following a symbolic link.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from paivystys.appliance.backup.service import create_backup
from paivystys.appliance.changes import Changes
from paivystys.appliance.db import integrity
from paivystys.appliance.db.settings import get_int
from paivystys.appliance.errors import Invalid, NotFound

BACKUPS_DIR = "backups"
DIR_MODE = 0o700
FILE_MODE = 0o600
KEPT_SETTING = "backups_kept"
# paivystys-backup-20251205-031502.json (UTC); -2 ... -99 for more in the same second.
NAME_PATTERN = r"^paivystys-backup-[0-9]{8}-[0-9]{6}(-[1-9][0-9]?)?\.json$"
NAME_MAX_LENGTH = 40
_NAME = re.compile(NAME_PATTERN)
_TIME_FORMAT = "%Y%m%d-%H%M%S"
_PREFIX, _SUFFIX = "paivystys-backup-", ".json"
MAX_SAME_SECOND = 99
TEMPORARY_PREFIX, TEMPORARY_SUFFIX = ".paivystys-backup-", ".tmp"
LOCK_FILE = ".lock"


@dataclass(frozen=True)
class StoredBackup:
    name: str
    created_at: dt.datetime  # UTC, as its name says
    size: int  # bytes


@dataclass(frozen=True)
class SavedBackup:
    backup: StoredBackup
    removed: tuple[str, ...]  # the oldest, beyond the number kept
    kept: int  # how many the box keeps


class DatabaseDamaged(Exception):
    """The database failed its integrity check: nothing was saved and no backup removed."""

    def __init__(self, check: integrity.IntegrityCheck, last_good: StoredBackup | None) -> None:
        self.check = check
        self.last_good = last_good
        newest = (f"the last good one is {last_good.name}" if last_good is not None
                  else "there is no backup on the box")
        super().__init__(f"not backed up: the database {check.summary}; the stored backups "
                         f"are kept ({newest})")


def backups_dir(state_dir: Path) -> Path:
    return state_dir / BACKUPS_DIR


def _order(name: str) -> tuple[dt.datetime, int] | None:
    """When the backup named ``name`` was saved, and its place within that second; None for
    any other name."""
    if len(name) > NAME_MAX_LENGTH or not _NAME.fullmatch(name):
        return None
    stem = name.removeprefix(_PREFIX).removesuffix(_SUFFIX)
    moment, _, same_second = stem[:15], stem[15:16], stem[16:]
    try:
        at = dt.datetime.strptime(moment, _TIME_FORMAT).replace(tzinfo=dt.UTC)
    except ValueError:  # the pattern's digits, but no such date
        return None
    return at, int(same_second or 1)


def _name(at: dt.datetime, same_second: int) -> str:
    suffix = f"-{same_second}" if same_second > 1 else ""
    return f"{_PREFIX}{at.strftime(_TIME_FORMAT)}{suffix}{_SUFFIX}"


def list_backups(state_dir: Path) -> list[StoredBackup]:
    """The stored backups, newest first; files of any other name, and anything that is not a
    regular file, are not backups."""
    found: list[tuple[tuple[dt.datetime, int], StoredBackup]] = []
    try:
        entries = list(os.scandir(backups_dir(state_dir)))
    except FileNotFoundError:
        return []
    for entry in entries:
        order = _order(entry.name)
        if order is None or not entry.is_file(follow_symlinks=False):
            continue
        size = entry.stat(follow_symlinks=False).st_size
        found.append((order, StoredBackup(entry.name, order[0], size)))
    return [backup for _order_key, backup in sorted(found, key=lambda pair: pair[0],
                                                    reverse=True)]


def last_good_backup(state_dir: Path) -> StoredBackup | None:
    backups = list_backups(state_dir)
    return backups[0] if backups else None


def read_backup(state_dir: Path, name: str) -> bytes:
    """The stored backup ``name``: Invalid for a name the box never gives a backup, NotFound
    for one it does not have."""
    if _order(name) is None:
        raise Invalid("name", f"name: {name[:80]!r} is not the name of a stored backup "
                              "(paivystys-backup-YYYYMMDD-HHMMSS.json)")
    try:
        # O_NONBLOCK: a FIFO under a backup's name must not hang the caller.
        handle = os.open(backups_dir(state_dir) / name,
                         os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except (FileNotFoundError, NotADirectoryError):
        raise NotFound("name", f"name: there is no backup {name} on the box") from None
    except OSError as error:  # ELOOP: a symbolic link under a backup's name
        raise NotFound("name", f"name: {name} is not a backup the box stored "
                               f"({error.strerror})") from None
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        raise NotFound("name", f"name: {name} is not a backup file")
    with os.fdopen(handle, "rb") as stream:
        return stream.read()


def kept_count() -> int:
    """How many backups the box keeps (the admin's setting)."""
    return get_int(KEPT_SETTING)


def save_backup(database: Path, changes: Changes | None = None) -> SavedBackup:
    """Check the database's integrity (recording the result for the health), then save its
    configuration as a new stored backup and remove the oldest beyond the number kept.

    Raises :class:`DatabaseDamaged` when the check fails: then nothing is saved or removed.
    The database must be open (its settings say how many to keep)."""
    state_dir = database.resolve().parent
    check = integrity.check_integrity(database, integrity.BEFORE_BACKUP)
    integrity.record_integrity(state_dir, check)
    if not check.ok:
        raise DatabaseDamaged(check, last_good_backup(state_dir))
    directory = _prepared_dir(state_dir)
    with _locked(directory):
        _remove_leftovers(directory)
        stored: list[StoredBackup] = []

        def keep(data: bytes) -> str:
            stored.append(_store(directory, data, state_dir))
            return stored[0].name

        create_backup(changes, keep=keep)
        kept = kept_count()
        removed = _rotate(state_dir, stored[0].name, kept)
    return SavedBackup(stored[0], removed, kept)


def check_at_boot(database: Path) -> str | None:
    """The check at the box's start (lab mode's: ``lab up``), before the schema is migrated,
    recorded for the health and the services; when it fails, what to tell the person at the
    box (None: the database is sound).  The services still start on a damaged database: the
    calls are answered, and the API shows the damage and restores a backup."""
    state_dir = database.resolve().parent
    check = integrity.check_integrity(database, integrity.AT_BOOT)
    integrity.record_integrity(state_dir, check)
    if check.ok:
        return None
    last = last_good_backup(state_dir)
    return (f"the database {database} {check.summary}. The services start on it, so that "
            "calls are answered; the console's health shows the damage. "
            + (f"The last good backup is {last.name} of {last.created_at.isoformat()}: restore "
               "it from the console (Manage, Backups)." if last is not None
               else "There is no backup on the box: restore one downloaded earlier from the "
                    "console."))


def recheck_after_restore(database: Path) -> integrity.IntegrityCheck | None:
    """After a restore into a database whose last check failed: check it again, so that the
    health says whether the restore mended it.  None when the last check had passed."""
    state_dir = database.resolve().parent
    try:
        last = integrity.recorded_integrity(state_dir)
    except ValueError:
        last = None
    if last is None or last.ok:
        return None
    check = integrity.check_integrity(database, integrity.AFTER_RESTORE)
    integrity.record_integrity(state_dir, check)
    return check


# --- the files ---------------------------------------------------------------------------

def _owner(state_dir: Path) -> tuple[int, int] | None:
    """Whom root gives what it writes here: the state directory's owner (the services'
    user, who lists and serves the backups); None when not root."""
    if os.geteuid() != 0:
        return None
    status = state_dir.stat()
    return status.st_uid, status.st_gid


def _prepared_dir(state_dir: Path) -> Path:
    directory = backups_dir(state_dir)
    directory.mkdir(mode=DIR_MODE, exist_ok=True)
    owner = _owner(state_dir)
    if owner is not None:
        os.chown(directory, *owner)
    directory.chmod(DIR_MODE)
    return directory


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """One save at a time (the timer's and an admin's may meet): names are chosen, leftovers
    removed and the oldest rotated out under this lock."""
    handle = os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, FILE_MODE)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def _remove_leftovers(directory: Path) -> None:
    """Temporary files of a save a power cut or a kill interrupted: never a backup."""
    for path in directory.glob(f"{TEMPORARY_PREFIX}*{TEMPORARY_SUFFIX}"):
        path.unlink(missing_ok=True)


def _sync_dir(directory: Path) -> None:
    handle = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _store(directory: Path, data: bytes, state_dir: Path) -> StoredBackup:
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=TEMPORARY_PREFIX,
                                         suffix=TEMPORARY_SUFFIX)  # mode 0600
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            owner = _owner(state_dir)
            if owner is not None:
                os.fchown(stream.fileno(), *owner)
            os.fsync(stream.fileno())
        at = _now()
        name = next((candidate for candidate in (_name(at, same_second) for same_second in
                                                 range(1, MAX_SAME_SECOND + 1))
                     if not (directory / candidate).exists()), None)
        if name is None:
            raise OSError(f"{MAX_SAME_SECOND} backups in one second: no free name in "
                          f"{directory}")
        os.replace(temporary, directory / name)  # no other saver: we hold the lock
        _sync_dir(directory)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return StoredBackup(name, at, len(data))


def _now() -> dt.datetime:
    """The time a backup is named after: UTC, to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _rotate(state_dir: Path, newest: str, kept: int) -> tuple[str, ...]:
    """Remove the oldest backups beyond ``kept``; the one just saved is always kept, even when
    the clock says it is older than others (a box whose clock went back)."""
    others = [backup for backup in list_backups(state_dir) if backup.name != newest]
    removed = tuple(backup.name for backup in others[max(kept - 1, 0):])
    directory = backups_dir(state_dir)
    for name in removed:
        (directory / name).unlink(missing_ok=True)
    if removed:
        _sync_dir(directory)
    return removed
