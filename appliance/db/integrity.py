"""The database's integrity: SQLite's ``PRAGMA integrity_check`` and the record of its last
result, which the box's set-up writes at every boot, the nightly backup before it saves,
and a restore after a damaged database was found; the health shows it.

The record is a small JSON file in the state directory (beside the database), written
atomically and readable by the services' group: the set-up runs as root, the health is read
by the API as the services' user, and a check must be readable even when the database is
not.  Only the standard library here: opening the database reads this module.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

log = logging.getLogger(__name__)

RECORD_FILE = "integrity.json"
RECORD_MODE = 0o640
# integrity_check stops after this many problems: the first say what is wrong, the rest are
# for a person repairing the file with sqlite3, who runs the check again anyway.
MAX_PROBLEMS = 20
# When the check ran, in the record and in the health's words.
AT_BOOT = "boot"
BEFORE_BACKUP = "backup"
AFTER_RESTORE = "restore"
OCCASIONS = {AT_BOOT: "at boot", BEFORE_BACKUP: "before a backup",
             AFTER_RESTORE: "after a restore"}
# The busy timeout of the check's own connection: the services may be writing (WAL lets the
# check read its snapshot meanwhile; only a checkpoint's truncation could make it wait).
BUSY_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class IntegrityCheck:
    ok: bool
    checked_at: dt.datetime  # UTC
    occasion: str  # AT_BOOT, BEFORE_BACKUP or AFTER_RESTORE
    problems: tuple[str, ...]  # what SQLite found; empty when ok

    @property
    def summary(self) -> str:
        """One line for a log, a command's output or the health."""
        when = f"{OCCASIONS.get(self.occasion, self.occasion)}, " \
               f"{self.checked_at.isoformat(timespec='seconds')}"
        if self.ok:
            return f"passed its integrity check ({when})"
        more = len(self.problems) - 1
        return (f"failed its integrity check ({when}): {self.problems[0]}"
                + (f" (and {more} more)" if more > 0 else ""))


def check_integrity(path: Path, occasion: str) -> IntegrityCheck:
    """``PRAGMA integrity_check`` of the database at ``path`` (it must exist: nothing is
    created).  A file SQLite cannot even read as a database fails the check with its reason."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    # mode=rw: a missing file is an error here, never a new empty database.
    uri = f"file:{quote(str(path.resolve()))}?mode=rw"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error as error:
        return IntegrityCheck(False, now, occasion, (f"cannot open {path}: {error}",))
    try:
        rows = connection.execute(f"PRAGMA integrity_check({MAX_PROBLEMS})").fetchall()
    except sqlite3.Error as error:  # "file is not a database", "disk image is malformed"
        return IntegrityCheck(False, now, occasion, (str(error),))
    finally:
        connection.close()
    # Rows of one problem each, or one row of several lines; "ok" alone when sound.
    lines = [line.strip() for (text,) in rows for line in str(text).splitlines()]
    problems = tuple(line for line in lines if line and not line.startswith("*** in database"))
    if problems == ("ok",):
        return IntegrityCheck(True, now, occasion, ())
    return IntegrityCheck(False, now, occasion, problems or ("no answer from the check",))


def record_integrity(state_dir: Path, check: IntegrityCheck) -> Path:
    """Write ``check`` as the last one, atomically: a reader sees the old record or the new,
    never half of one.  Written by root (the set-up), it is given to the state directory's
    owner, the services' user, who replaces it at the next backup."""
    path = state_dir / RECORD_FILE
    document = {"ok": check.ok, "checked_at": check.checked_at.isoformat(),
                "occasion": check.occasion, "problems": list(check.problems)}
    handle, temporary = tempfile.mkstemp(dir=state_dir, prefix=f".{RECORD_FILE}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as stream:
            json.dump(document, stream)
            stream.write("\n")
            stream.flush()
            os.fchmod(stream.fileno(), RECORD_MODE)
            owner = state_dir.stat()
            if os.geteuid() == 0 and (owner.st_uid, owner.st_gid) != (0, 0):
                os.fchown(stream.fileno(), owner.st_uid, owner.st_gid)
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return path


def recorded_integrity(state_dir: Path) -> IntegrityCheck | None:
    """The last check recorded in ``state_dir``; None: none yet.  A record that cannot be
    read raises ValueError saying why."""
    path = state_dir / RECORD_FILE
    try:
        document = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: {error}") from None
    try:
        ok, occasion, problems = document["ok"], document["occasion"], document["problems"]
        checked_at = dt.datetime.fromisoformat(document["checked_at"])
    except (TypeError, KeyError, ValueError) as error:
        raise ValueError(f"{path}: not a record of an integrity check ({error!r})") from None
    if not (isinstance(ok, bool) and isinstance(occasion, str) and isinstance(problems, list)
            and all(isinstance(problem, str) for problem in problems)):
        raise ValueError(f"{path}: not a record of an integrity check")
    if not ok and not problems:
        raise ValueError(f"{path}: a failed check that names no problem")
    return IntegrityCheck(ok, checked_at, occasion, tuple(problems))


def warn_if_damaged(database: Path) -> None:
    """Log an error when the last check of ``database`` failed: every service opening it says
    so in its journal at its start."""
    try:
        check = recorded_integrity(database.resolve().parent)
    except (OSError, ValueError) as error:
        log.warning("the record of the database's last integrity check cannot be read: %s",
                    error)
        return
    if check is not None and not check.ok:
        log.error("%s %s; it is used anyway, so that calls are still answered and logged, "
                  "but data written into it may be lost: restore the last good backup",
                  database, check.summary)
