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
import stat
from pathlib import Path

import peewee
from playhouse.migrate import SqliteMigrator, migrate

from paivystys.appliance.db.models import ALL_MODELS, BaseModel, database_proxy

log = logging.getLogger(__name__)

DEFAULT_PATH = Path("/var/lib/paivystys/paivystys.db")
DATABASE_MODE = 0o660
# SQLite creates these beside the database with the database's mode: they hold its pages too.
COMPANION_SUFFIXES = ("-wal", "-shm", "-journal")
PRAGMAS = {
    "journal_mode": "wal",
    "synchronous": "normal",  # with WAL: durable at checkpoint, never corrupt
    "foreign_keys": 1,
    "busy_timeout": 5000,
}


def database_path() -> Path:
    return Path(os.environ.get("PAIVYSTYS_DB", DEFAULT_PATH))


def open_database(path: Path | str | None = None, *,
                  sync_every_commit: bool = False) -> peewee.SqliteDatabase:
    """Open (and create if needed) the database and bind the models to it.

    ``sync_every_commit``: fsync at every commit (SQLite ``synchronous=FULL``), so even a power
    cut cannot take back a commit.  The default (NORMAL, with WAL) survives a killed process
    and a clean reboot but may lose the last commits to a power cut; the modem service asks
    for FULL because what it commits says what the network already has."""
    target = Path(path) if path is not None else database_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    secure_database_files(target)
    # BEGIN IMMEDIATE: a transaction takes the write lock when it starts (waiting up to
    # busy_timeout).  With a plain BEGIN, one that reads first and then writes fails at once
    # with "database is locked" whenever another process wrote in between (SQLite's WAL
    # snapshot rule), which the call monitor met as soon as the modem service wrote too.
    pragmas = {**PRAGMAS, "synchronous": "full"} if sync_every_commit else PRAGMAS
    db = peewee.SqliteDatabase(str(target), pragmas=pragmas, check_same_thread=False,
                               lock_type="IMMEDIATE")
    database_proxy.initialize(db)
    db.connect(reuse_if_open=True)
    db.create_tables(ALL_MODELS, safe=True)
    add_missing_columns(db, ALL_MODELS)
    return db


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


def add_missing_columns(db: peewee.SqliteDatabase, models: list[type[BaseModel]]) -> list[str]:
    """Bring a database made by an older version up to date.  Every schema change so far adds
    a column with a default (or nullable), so adding what is missing is the whole migration;
    returns the ``table.column`` names added."""
    migrator = SqliteMigrator(db)
    added: list[str] = []
    operations = []
    for model in models:
        table = model._meta.table_name
        existing = {column.name for column in db.get_columns(table)}
        for field in model._meta.sorted_fields:
            if field.column_name not in existing:
                operations.append(migrator.add_column(table, field.column_name, field))
                added.append(f"{table}.{field.column_name}")
    if operations:
        with db.atomic():
            migrate(*operations)
    return added
