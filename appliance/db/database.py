"""Opening the appliance database: SQLite in WAL mode so the AGI server, the call monitor and
the CLI can read and write it at the same time.

The database holds the trunk's password and the users' password hashes: it and its -wal and
-shm files are 0660, read and written by their owner and the group of the appliance's services
(every one of them opens it, and in WAL mode even a reader writes the -shm file), nothing for
others.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import time
from pathlib import Path

import peewee

from paivystys.appliance.db import schema
from paivystys.appliance.db.integrity import warn_if_damaged
from paivystys.appliance.db.models import database_proxy

log = logging.getLogger(__name__)

DEFAULT_PATH = Path("/var/lib/paivystys/paivystys.db")
DATABASE_MODE = 0o660
# SQLite creates these beside the database with the database's mode: they hold its pages too.
COMPANION_SUFFIXES = ("-wal", "-shm", "-journal")
# Set on every connection.  WAL is not among them: it is a property of the file, set once
# (see _use_wal).
PRAGMAS = {
    "synchronous": "normal",  # with WAL: durable at checkpoint, never corrupt
    "foreign_keys": 1,
    "busy_timeout": 5000,
}


def database_path() -> Path:
    return Path(os.environ.get("PAIVYSTYS_DB", DEFAULT_PATH))


def open_database(path: Path | str | None = None, *,
                  sync_every_commit: bool = False) -> peewee.SqliteDatabase:
    """Open the database and bind the models to it; a brand-new database is created at the
    current schema version.  A database at another version is refused and left as it is
    (:class:`~paivystys.appliance.db.schema.SchemaOutOfDate`: run ``paivystys db migrate``;
    :class:`~paivystys.appliance.db.schema.SchemaTooNew`): only :func:`migrate_database`
    changes an existing schema, so the services starting together never race to migrate.

    ``sync_every_commit``: fsync at every commit (SQLite ``synchronous=FULL``), so even a power
    cut cannot take back a commit.  The default (NORMAL, with WAL) survives a killed process
    and a clean reboot but may lose the last commits to a power cut; the modem service asks
    for FULL because what it commits says what the network already has."""
    target = Path(path) if path is not None else database_path()
    db = _connect(target, sync_every_commit)
    try:
        schema.ensure_current(db, str(target))
    except BaseException:
        db.close()
        raise
    database_proxy.initialize(db)
    warn_if_damaged(target)
    return db


def migrate_database(path: Path | str | None = None, *,
                     actor: str | None = "system") -> schema.MigrationResult:
    """Bring the database's schema to this software's version (creating a brand-new one), with
    an audit row by ``actor`` when it migrated; the one way an existing schema changes.
    Raises :class:`~paivystys.appliance.db.schema.SchemaTooNew` or
    :class:`~paivystys.appliance.db.schema.MigrationFailed`.  The models are not bound to it:
    a process may migrate a database other than the one it has open."""
    target = Path(path) if path is not None else database_path()
    # FULL: a migration's commit must outlast a power cut like the modem's do.
    db = _connect(target, sync_every_commit=True)
    try:
        return schema.migrate(db, str(target), actor)
    finally:
        db.close()


def stored_schema_version(path: Path | str | None = None) -> int | None:
    """The schema version of the database at ``path``; None if there is no such file (none is
    created)."""
    target = Path(path) if path is not None else database_path()
    if not target.exists():
        return None
    db = _connect(target, sync_every_commit=False)
    try:
        return schema.stored_version(db)
    finally:
        db.close()


def _connect(target: Path, sync_every_commit: bool) -> peewee.SqliteDatabase:
    target.parent.mkdir(parents=True, exist_ok=True)
    secure_database_files(target)
    # BEGIN IMMEDIATE: a transaction takes the write lock when it starts (waiting up to
    # busy_timeout).  With a plain BEGIN, one that reads first and then writes fails at once
    # with "database is locked" whenever another process wrote in between (SQLite's WAL
    # snapshot rule), which the call monitor met as soon as the modem service wrote too.
    pragmas = {**PRAGMAS, "synchronous": "full"} if sync_every_commit else PRAGMAS
    db = peewee.SqliteDatabase(str(target), pragmas=pragmas, check_same_thread=False,
                               lock_type="IMMEDIATE")
    db.connect()
    try:
        _use_wal(db)
    except BaseException:
        db.close()
        raise
    return db


def _use_wal(db: peewee.SqliteDatabase) -> None:
    """Put the database in WAL mode (a no-op for one already in it, as every database the
    appliance made is).  Switching a brand-new file needs an exclusive lock, and when two
    processes open the same new file at once SQLite answers one of them "database is locked"
    at once instead of waiting (waiting there could deadlock): that one tries again, for as
    long as any other lock is waited for."""
    deadline = time.monotonic() + PRAGMAS["busy_timeout"] / 1000
    while True:
        try:
            (mode,) = db.connection().execute("PRAGMA journal_mode = wal").fetchone()
        except sqlite3.OperationalError as exc:
            busy = exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY  # or an extended BUSY_*
            if not busy or time.monotonic() > deadline:
                raise peewee.OperationalError(str(exc)) from exc
            time.sleep(0.01)
            continue
        if mode != "wal":
            raise peewee.OperationalError(f"{db.database}: journal mode stays {mode}, not wal")
        return


def secure_database_files(target: Path) -> None:
    """Create the database file with mode 0660 and the state directory's group (the group of
    the appliance's services) before SQLite does: SQLite would make it 0644 under the usual
    umask, and its -wal and -shm files like it.  An existing database and its companions are
    brought to 0660."""
    group = target.parent.stat().st_gid
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        try:
            if os.fstat(fd).st_gid != group:
                os.fchown(fd, -1, group)
            os.fchmod(fd, DATABASE_MODE)
        except PermissionError as error:
            target.unlink()
            raise PermissionError(error.errno, f"cannot give a new database the group {group} "
                                  "of its directory", str(target)) from error
        finally:
            os.close(fd)
    for path in (target, *(target.with_name(target.name + s) for s in COMPANION_SUFFIXES)):
        _restrict(path)


def _restrict(path: Path) -> None:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if mode == DATABASE_MODE:
        return
    try:
        path.chmod(DATABASE_MODE)
    except PermissionError:
        # Another service's file: its owner fixes it when it opens the database.  Only a
        # file open to others is worth a word.
        if mode & stat.S_IRWXO:
            log.warning("%s is mode %04o, open to every user on the box; only its owner can "
                        "make it %04o", path, mode, DATABASE_MODE)
        return
    log.log(logging.WARNING if mode & stat.S_IRWXO else logging.INFO,
            "%s was mode %04o; made it %04o", path, mode, DATABASE_MODE)
