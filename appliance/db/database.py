"""Opening the appliance database: SQLite in WAL mode so the AGI server, the call monitor and
the CLI can read and write it at the same time."""

from __future__ import annotations

import os
from pathlib import Path

import peewee
from playhouse.migrate import SqliteMigrator, migrate

from .models import ALL_MODELS, BaseModel, database_proxy

DEFAULT_PATH = Path("/var/lib/paivystys/paivystys.db")
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
