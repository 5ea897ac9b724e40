"""The schema's version: a new database gets the current one, an older or newer one is refused
at open and left alone, and ``migrate_database`` brings an older one up, one transaction per
step, once however many processes try."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import peewee
import pytest
from playhouse.migrate import SqliteMigrator

from paivystys.appliance.db import schema
from paivystys.appliance.db.database import (
    migrate_database,
    open_database,
    stored_schema_version,
)
from paivystys.appliance.db.models import NumberGroup, OnCallNumber, Person, Trunk

# Every migration's name, in order: what a database from before versions goes through.
ALL_STEPS = tuple(step.__name__ for step in schema.MIGRATIONS)
VERSION_2_TRUNK_COLUMNS = ("dtmf_mode", "default_number", "external_address", "local_networks")

# The first release's schema as its code created it (before any column or table was added,
# and before the schema carried a version): what every database made before version 1 has.
FIRST_RELEASE = """
CREATE TABLE "group" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL,
    "created_at" DATETIME NOT NULL);
CREATE UNIQUE INDEX "group_name" ON "group" ("name");
CREATE TABLE "on_call_number" ("id" INTEGER NOT NULL PRIMARY KEY,
    "number" VARCHAR(255) NOT NULL, "name" VARCHAR(255) NOT NULL, "backup_group_id" INTEGER,
    "recording" INTEGER NOT NULL, "retention_days" INTEGER NOT NULL,
    "created_at" DATETIME NOT NULL,
    FOREIGN KEY ("backup_group_id") REFERENCES "group" ("id") ON DELETE SET NULL);
CREATE UNIQUE INDEX "on_call_number_number" ON "on_call_number" ("number");
CREATE INDEX "on_call_number_backup_group_id" ON "on_call_number" ("backup_group_id");
CREATE TABLE "person" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL,
    "phone" VARCHAR(255) NOT NULL, "on_duty" INTEGER NOT NULL, "wants_sms" INTEGER NOT NULL,
    "created_at" DATETIME NOT NULL);
CREATE UNIQUE INDEX "person_phone" ON "person" ("phone");
CREATE TABLE "call" ("id" INTEGER NOT NULL PRIMARY KEY, "call_id" VARCHAR(255) NOT NULL,
    "number_id" INTEGER, "dialled" VARCHAR(255) NOT NULL, "caller" VARCHAR(255) NOT NULL,
    "arrived_at" DATETIME NOT NULL, "answered_at" DATETIME, "ended_at" DATETIME,
    "wait_s" REAL, "talk_s" REAL, "outcome" VARCHAR(255), "answered_by_id" INTEGER,
    "answered_by_name" VARCHAR(255), "answered_stage" VARCHAR(255), "recording" VARCHAR(255),
    "routing" VARCHAR(255) NOT NULL,
    FOREIGN KEY ("number_id") REFERENCES "on_call_number" ("id") ON DELETE SET NULL,
    FOREIGN KEY ("answered_by_id") REFERENCES "person" ("id") ON DELETE SET NULL);
CREATE UNIQUE INDEX "call_call_id" ON "call" ("call_id");
CREATE INDEX "call_number_id" ON "call" ("number_id");
CREATE INDEX "call_arrived_at" ON "call" ("arrived_at");
CREATE INDEX "call_outcome" ON "call" ("outcome");
CREATE INDEX "call_answered_by_id" ON "call" ("answered_by_id");
CREATE TABLE "leg" ("id" INTEGER NOT NULL PRIMARY KEY, "call_id" INTEGER NOT NULL,
    "person_id" INTEGER, "person_name" VARCHAR(255) NOT NULL, "phone" VARCHAR(255) NOT NULL,
    "group_id" INTEGER, "group_name" VARCHAR(255), "stage" VARCHAR(255) NOT NULL,
    "rung_at" DATETIME NOT NULL, "answered_at" DATETIME, "ended_at" DATETIME,
    "result" VARCHAR(255),
    FOREIGN KEY ("call_id") REFERENCES "call" ("id") ON DELETE CASCADE,
    FOREIGN KEY ("person_id") REFERENCES "person" ("id") ON DELETE SET NULL,
    FOREIGN KEY ("group_id") REFERENCES "group" ("id") ON DELETE SET NULL);
CREATE INDEX "leg_call_id" ON "leg" ("call_id");
CREATE INDEX "leg_person_id" ON "leg" ("person_id");
CREATE INDEX "leg_group_id" ON "leg" ("group_id");
CREATE UNIQUE INDEX "leg_call_id_person_id_stage" ON "leg" ("call_id", "person_id", "stage");
CREATE TABLE "membership" ("id" INTEGER NOT NULL PRIMARY KEY, "person_id" INTEGER NOT NULL,
    "group_id" INTEGER NOT NULL,
    FOREIGN KEY ("person_id") REFERENCES "person" ("id") ON DELETE CASCADE,
    FOREIGN KEY ("group_id") REFERENCES "group" ("id") ON DELETE CASCADE);
CREATE INDEX "membership_person_id" ON "membership" ("person_id");
CREATE INDEX "membership_group_id" ON "membership" ("group_id");
CREATE UNIQUE INDEX "membership_person_id_group_id" ON "membership" ("person_id", "group_id");
CREATE TABLE "number_group" ("id" INTEGER NOT NULL PRIMARY KEY,
    "number_id" INTEGER NOT NULL, "group_id" INTEGER NOT NULL, "position" INTEGER NOT NULL,
    FOREIGN KEY ("number_id") REFERENCES "on_call_number" ("id") ON DELETE CASCADE,
    FOREIGN KEY ("group_id") REFERENCES "group" ("id") ON DELETE CASCADE);
CREATE INDEX "number_group_number_id" ON "number_group" ("number_id");
CREATE INDEX "number_group_group_id" ON "number_group" ("group_id");
CREATE UNIQUE INDEX "number_group_number_id_group_id" ON "number_group" ("number_id", "group_id");
CREATE TABLE "setting" ("key" VARCHAR(255) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL);
"""
# A configuration and a call whose rows refer to the on-call number, the table that gains
# NOT NULL columns and so is rebuilt: they must all survive it.
FIRST_RELEASE_ROWS = """
INSERT INTO "group" VALUES (1, 'Kiinteistö', '2026-01-01 00:00:00');
INSERT INTO on_call_number VALUES (1, '+358201234567', 'Huolto', 1, 0, 90,
    '2026-01-01 00:00:00');
INSERT INTO person VALUES (1, 'Aino', '+358401111111', 1, 1, '2026-01-01 00:00:00');
INSERT INTO membership VALUES (1, 1, 1);
INSERT INTO number_group VALUES (1, 1, 1, 0);
INSERT INTO setting VALUES ('ring_time', '45');
INSERT INTO call (id, call_id, number_id, dialled, caller, arrived_at, routing, answered_by_id)
    VALUES (1, '1700000000.1', 1, '+358201234567', '+358409999999', '2026-01-02 08:00:00',
    'agi', 1);
INSERT INTO leg (id, call_id, person_id, person_name, phone, group_id, stage, rung_at)
    VALUES (1, 1, 1, 'Aino', '+358401111111', 1, 'main', '2026-01-02 08:00:01');
"""
# What is in those rows, read back through SQL: (table, rows).
FIRST_RELEASE_READ = {
    "group": "SELECT id, name FROM \"group\"",
    "on_call_number": "SELECT id, number, backup_group_id FROM on_call_number",
    "person": "SELECT id, name, phone FROM person",
    "membership": "SELECT * FROM membership",
    "number_group": "SELECT * FROM number_group",
    "setting": "SELECT * FROM setting",
    "call": "SELECT id, call_id, number_id, answered_by_id FROM call",
    "leg": "SELECT id, call_id, person_id, group_id FROM leg",
}


def first_release_database(path: Path) -> Path:
    """A database as the first release left it: WAL (as every release opened it), version 0."""
    with sqlite3.connect(path) as old:
        old.execute("PRAGMA journal_mode=wal")
        old.executescript(FIRST_RELEASE + FIRST_RELEASE_ROWS)
    old.close()
    return path


def read_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(path) as connection:
        rows = {table: connection.execute(query).fetchall()
                for table, query in FIRST_RELEASE_READ.items()}
    connection.close()
    return rows


def shape(path: Path) -> dict[str, Any]:
    """A schema as SQLite understands it, whatever the text that made it and the order of its
    columns (a column added later comes last): every table's columns (type, NOT NULL,
    default, primary key), foreign keys and indexes (name, unique, columns)."""
    connection = sqlite3.connect(path)
    try:
        tables = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        result: dict[str, Any] = {}
        for table in tables:
            columns = sorted(row[1:] for row in connection.execute(
                f'PRAGMA table_info("{table}")'))
            keys = sorted(row[2:] for row in connection.execute(
                f'PRAGMA foreign_key_list("{table}")'))
            indexes = sorted(
                (name, unique, origin, partial, tuple(
                    column for (_, _, column) in connection.execute(
                        f'PRAGMA index_info("{name}")')))
                for (_, name, unique, origin, partial) in connection.execute(
                    f'PRAGMA index_list("{table}")'))
            result[table] = {"columns": columns, "foreign keys": keys, "indexes": indexes}
        return result
    finally:
        connection.close()


def contents(path: Path) -> tuple[int, list[str]]:
    """The version and every statement that would rebuild the database: equal before and
    after means nothing changed."""
    connection = sqlite3.connect(path)
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        return version, list(connection.iterdump())
    finally:
        connection.close()


def user_version(path: Path, version: int | None = None) -> int:
    connection = sqlite3.connect(path)
    try:
        if version is not None:
            connection.execute(f"PRAGMA user_version = {version}")
            connection.commit()
        return connection.execute("PRAGMA user_version").fetchone()[0]
    finally:
        connection.close()


@pytest.fixture
def new_database_shape(tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "reference.db"
    open_database(path).close()
    return shape(path)


def test_a_new_database_is_made_at_the_current_version(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    db = open_database(path)
    try:
        assert schema.stored_version(db) == schema.SCHEMA_VERSION == len(schema.MIGRATIONS)
        Person.create(name="Aino", phone="+358401111111")
    finally:
        db.close()
    assert user_version(path) == schema.SCHEMA_VERSION
    open_database(path).close()  # at the current version: opened as it is
    assert stored_schema_version(path) == schema.SCHEMA_VERSION


def test_the_version_of_no_database_is_none_and_asking_creates_none(tmp_path: Path) -> None:
    assert stored_schema_version(tmp_path / "none.db") is None
    assert not (tmp_path / "none.db").exists()


def test_a_database_from_before_versions_is_refused_at_open_and_left_as_it_was(
        tmp_path: Path) -> None:
    path = first_release_database(tmp_path / "old.db")
    before = contents(path)
    with pytest.raises(schema.SchemaOutOfDate) as refused:
        open_database(path)
    message = str(refused.value)
    assert isinstance(refused.value, RuntimeError)
    assert "schema version 0" in message
    assert f"needs version {schema.SCHEMA_VERSION}" in message
    assert f"`paivystys db migrate --db {path}`" in message
    assert "\n" not in message  # one line in a service's log
    assert contents(path) == before


def test_a_newer_database_is_refused_at_open_and_by_migrate_and_left_as_it_was(
        tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    open_database(path).close()
    user_version(path, schema.SCHEMA_VERSION + 1)
    before = contents(path)
    for attempt in (open_database, migrate_database):
        with pytest.raises(schema.SchemaTooNew) as refused:
            attempt(path)
        assert str(refused.value) == (
            f"the database {path} has schema version {schema.SCHEMA_VERSION + 1}, newer than "
            f"this software's version {schema.SCHEMA_VERSION}: it was made by a newer "
            "Päivystysvaihde, and this one leaves it untouched (install the newer version "
            "again)")
        assert contents(path) == before


def test_the_first_release_migrates_to_the_current_version_keeping_every_row(
        tmp_path: Path, new_database_shape: dict[str, Any]) -> None:
    path = first_release_database(tmp_path / "old.db")
    rows = read_rows(path)
    result = migrate_database(path)
    assert result == schema.MigrationResult(0, schema.SCHEMA_VERSION, created=False,
                                            steps=ALL_STEPS)
    assert user_version(path) == schema.SCHEMA_VERSION
    assert read_rows(path) == rows  # the number's groups and calls too, through its rebuild
    assert shape(path) == new_database_shape
    db = open_database(path)
    try:
        number = OnCallNumber.get_by_id(1)
        assert (number.sms_on_taken, number.sms_to_caller, number.sms_on_missed) == (
            True, True, True)
        assert Person.get_by_id(1).public_phone is None
        assert [link.group.name for link in NumberGroup.select()] == ["Kiinteistö"]
        audit = db.execute_sql("SELECT actor, action, details FROM audit_entry").fetchall()
        assert [(actor, action, json.loads(details)) for actor, action, details in audit] == [
            ("system", "db.migrate", {"from": 0, "to": schema.SCHEMA_VERSION})]
    finally:
        db.close()


def test_a_later_unversioned_release_gets_the_columns_and_tables_it_lacked(
        tmp_path: Path, new_database_shape: dict[str, Any]) -> None:
    """The release before lock-outs per address: its trunk without the operator's further
    addresses and inbound credentials (nor what version 2 added), no login_failure table, no
    index of a person's legs."""
    path = tmp_path / "later.db"
    open_database(path).close()
    with sqlite3.connect(path) as old:
        for column in ("operator_addresses", "inbound_username", "inbound_password",
                       *VERSION_2_TRUNK_COLUMNS):
            old.execute(f'ALTER TABLE trunk DROP COLUMN "{column}"')
        old.execute("DROP TABLE login_failure")
        old.execute("DROP INDEX leg_person_id_call_id")
        drop_listening_line(old)
        old.execute("INSERT INTO trunk (id, mode, host, port, transport, username, password, "
                    "updated_at) VALUES (1, 'registration', 'sip.operaattori.fi', 5060, "
                    "'udp', 'vaihde', 'salainen', '2026-01-01 00:00:00')")
        old.execute("PRAGMA user_version = 0")
    old.close()
    assert migrate_database(path, actor=None).steps == ALL_STEPS
    assert shape(path) == new_database_shape
    db = open_database(path)
    try:
        trunk = Trunk.get_by_id(1)
        assert (trunk.username, trunk.password, trunk.operator_addresses) == (
            "vaihde", "salainen", None)
        assert (trunk.dtmf_mode, trunk.default_number, trunk.external_address,
                trunk.local_networks) == ("rfc4733", None, None, None)
        assert db.execute_sql("SELECT count(*) FROM audit_entry").fetchone() == (0,)
    finally:
        db.close()


def drop_listening_line(connection: sqlite3.Connection) -> None:
    """What version 3 added, taken away again: a version-2 database."""
    connection.execute("DROP INDEX person_personal_number")
    for column in ("personal_number", "pin_hash", "pin_failures", "pin_locked_until"):
        connection.execute(f'ALTER TABLE person DROP COLUMN "{column}"')
    for table in ("listening_event", "listening_call", "listening_number"):
        connection.execute(f'DROP TABLE "{table}"')


def test_version_2_gets_the_listening_line_and_every_person_a_personal_number_of_their_own(
        tmp_path: Path, new_database_shape: dict[str, Any]) -> None:
    path = tmp_path / "version2.db"
    open_database(path).close()
    with sqlite3.connect(path) as old:
        drop_listening_line(old)
        for n in range(1, 41):
            old.execute("INSERT INTO person (id, name, phone, on_duty, wants_sms, created_at) "
                        f"VALUES ({n}, 'Henkilö {n}', '+35840{n:07d}', 1, 1, "
                        "'2026-01-01 00:00:00')")
        old.execute("PRAGMA user_version = 2")
    old.close()
    assert migrate_database(path, actor=None).steps == ("add_listening_line",)
    assert shape(path) == new_database_shape
    db = open_database(path)
    try:
        people = list(Person.select().order_by(Person.id))
        numbers = [person.personal_number for person in people]
        assert len(numbers) == 40 and len(set(numbers)) == 40
        assert all(number.isdigit() and len(number) == 6 and number[0] != "0"
                   for number in numbers)
        assert {(p.pin_hash, p.pin_failures, p.pin_locked_until) for p in people} == {
            (None, 0, None)}
    finally:
        db.close()


def test_migrating_a_current_database_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "current.db"
    open_database(path).close()
    before = contents(path)
    current = schema.SCHEMA_VERSION
    assert migrate_database(path) == schema.MigrationResult(current, current, created=False,
                                                            steps=())
    assert contents(path) == before


def test_migrate_creates_a_missing_database_at_the_current_version(
        tmp_path: Path, new_database_shape: dict[str, Any]) -> None:
    path = tmp_path / "first-boot.db"
    assert migrate_database(path) == schema.MigrationResult(0, schema.SCHEMA_VERSION,
                                                            created=True, steps=())
    assert shape(path) == new_database_shape
    assert user_version(path) == schema.SCHEMA_VERSION


# --- Later versions, made up here: what the code does with more than one step.  CURRENT is
# the real current version; the made-up steps follow it.

CURRENT = schema.SCHEMA_VERSION


def add_nickname(db: peewee.SqliteDatabase, migrator: SqliteMigrator) -> None:
    """CURRENT -> CURRENT + 1: a person's nickname."""
    migrator.migrate(migrator.add_column("person", "nickname", peewee.CharField(null=True)))


def add_pager(db: peewee.SqliteDatabase, migrator: SqliteMigrator) -> None:
    """CURRENT + 1 -> CURRENT + 2: a person's pager flag, on for the people already there."""
    migrator.migrate(migrator.add_column("person", "pager", peewee.BooleanField(default=True)))


def fails_halfway(db: peewee.SqliteDatabase, migrator: SqliteMigrator) -> None:
    """A step that changes the schema and the rows, then fails."""
    add_pager(db, migrator)
    db.execute_sql("UPDATE person SET name = 'muutettu'")
    raise ValueError("the step's own error")


def orphans_a_membership(db: peewee.SqliteDatabase, migrator: SqliteMigrator) -> None:
    """A step that leaves a row referring to a person who is not there."""
    db.execute_sql("INSERT INTO membership (person_id, group_id) VALUES (99, 1)")


def use_migrations(monkeypatch: pytest.MonkeyPatch, *steps: schema.Step) -> None:
    migrations = (*schema.MIGRATIONS, *steps)
    monkeypatch.setattr(schema, "MIGRATIONS", migrations)
    monkeypatch.setattr(schema, "SCHEMA_VERSION", len(migrations))


@pytest.fixture
def current(tmp_path: Path) -> Path:
    """A database at the current version with a person, a group and the person in it."""
    path = tmp_path / "current.db"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=wal")
    connection.close()
    migrate_database(path)
    with sqlite3.connect(path) as connection:
        connection.execute("INSERT INTO person (id, name, phone, on_duty, wants_sms, "
                           "created_at, pin_failures) VALUES (1, 'Aino', '+358401111111', 1, "
                           "1, '2026-01-01 00:00:00', 0)")
        connection.execute("INSERT INTO \"group\" VALUES (1, 'Huolto', '2026-01-01 00:00:00')")
        connection.execute("INSERT INTO membership VALUES (1, 1, 1)")
    connection.close()
    return path


def test_each_step_runs_in_order_and_one_audit_row_says_from_where_to_where(
        current: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_migrations(monkeypatch, add_nickname, add_pager)
    with pytest.raises(schema.SchemaOutOfDate, match=f"version {CURRENT} and this software "
                                                     f"needs version {CURRENT + 2}"):
        open_database(current)
    result = migrate_database(current, actor="cli:tester")
    assert result == schema.MigrationResult(CURRENT, CURRENT + 2, created=False,
                                            steps=("add_nickname", "add_pager"))
    db = open_database(current)
    try:
        assert db.execute_sql("SELECT name, nickname, pager FROM person").fetchall() == [
            ("Aino", None, 1)]
        assert db.execute_sql("SELECT actor, action, details FROM audit_entry").fetchall() == [
            ("cli:tester", "db.migrate",
             f'{{"from": {CURRENT}, "to": {CURRENT + 2}}}')]
    finally:
        db.close()


@pytest.mark.parametrize("step", [fails_halfway, orphans_a_membership])
def test_a_failing_step_leaves_the_previous_version_and_its_data(
        current: Path, monkeypatch: pytest.MonkeyPatch, step: schema.Step) -> None:
    use_migrations(monkeypatch, add_nickname, step)
    with pytest.raises(schema.MigrationFailed) as failed:
        migrate_database(current)
    message = str(failed.value)
    assert message.startswith(f"migrating the database {current} from schema version "
                              f"{CURRENT + 1} to {CURRENT + 2} ({step.__name__}) failed, and it "
                              f"stays at version {CURRENT + 1}: ")
    assert ("the step's own error" in message if step is fails_halfway
            else "1 row(s) would refer to rows that are not there, in membership" in message)
    # The first step is kept; the failed one left nothing, not even its half.
    assert user_version(current) == CURRENT + 1
    with sqlite3.connect(current) as connection:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(person)")}
        assert "nickname" in columns and "pager" not in columns
        assert connection.execute("SELECT name FROM person").fetchall() == [("Aino",)]
        assert connection.execute("SELECT count(*) FROM membership").fetchone() == (1,)
    connection.close()


def _killed_in_the_middle(path: str) -> None:
    migrate_database(path)


def test_a_migration_killed_in_the_middle_leaves_the_previous_version(
        current: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def killed(db: peewee.SqliteDatabase, migrator: SqliteMigrator) -> None:
        """Changes the schema and the rows; the process dies before the commit."""
        add_pager(db, migrator)
        db.execute_sql("UPDATE person SET name = 'muutettu'")
        os._exit(9)  # no rollback, no clean-up: as a kill -9 or a power cut would

    use_migrations(monkeypatch, killed)
    as_it_should_be = (*schema.MIGRATIONS[:-1], add_pager)
    before = contents(current)
    process = multiprocessing.get_context("fork").Process(
        target=_killed_in_the_middle, args=(str(current),))
    process.start()
    process.join(timeout=30)
    assert process.exitcode == 9
    assert contents(current) == before  # SQLite's WAL drops the uncommitted step
    monkeypatch.setattr(schema, "MIGRATIONS", as_it_should_be)
    assert migrate_database(current).steps == ("add_pager",)


# --- Processes at once: a new database is created once, a migration is made once.

def _open_at_once(path: str, start: Any, results: Any) -> None:
    start.wait(timeout=10)
    try:
        db = open_database(path)
        results.put(("opened", schema.stored_version(db)))
        db.close()
    except Exception as exc:  # the parent asserts on what came back
        results.put(("failed", repr(exc)))


def _migrate_at_once(path: str, start: Any, results: Any) -> None:
    start.wait(timeout=10)
    try:
        results.put(("migrated", migrate_database(path).steps))
    except Exception as exc:
        results.put(("failed", repr(exc)))


def _run_two(target: Callable[..., None], path: Path) -> list[Any]:
    """``target`` in two processes started together (forked: they inherit the tests'
    stand-ins); what each reported."""
    context = multiprocessing.get_context("fork")
    start, results = context.Barrier(2), context.Queue()
    processes = [context.Process(target=target, args=(str(path), start, results))
                 for _ in range(2)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0
    return sorted(results.get(timeout=5) for _ in processes)


@pytest.fixture
def step_calls() -> Iterator[Any]:
    """A queue the forked processes put a line in each time they run the watched step."""
    queue = multiprocessing.get_context("fork").Queue()
    yield queue
    queue.close()


def _drain(queue: Any) -> list[Any]:
    items = []
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        try:
            items.append(queue.get(timeout=0.2))
        except Exception:  # queue.Empty: nothing more came
            break
    return items


def test_two_processes_opening_a_new_database_at_once_create_it_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step_calls: Any) -> None:
    create = schema.create_schema

    def slow_create(db: peewee.SqliteDatabase) -> None:
        # Both processes have seen the file empty before this one has created anything.
        step_calls.put(os.getpid())
        time.sleep(0.5)
        create(db)

    monkeypatch.setattr(schema, "create_schema", slow_create)
    path = tmp_path / "new.db"
    reports = _run_two(_open_at_once, path)
    assert reports == [("opened", CURRENT), ("opened", CURRENT)]
    assert len(_drain(step_calls)) == 1
    assert user_version(path) == CURRENT


def test_two_processes_migrating_at_once_migrate_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step_calls: Any) -> None:
    step = schema.complete_unversioned_schema

    def slow_step(db: peewee.SqliteDatabase, migrator: SqliteMigrator) -> None:
        step_calls.put(os.getpid())
        time.sleep(0.5)
        step(db, migrator)

    monkeypatch.setattr(schema, "MIGRATIONS", (slow_step, *schema.MIGRATIONS[1:]))
    path = first_release_database(tmp_path / "old.db")
    reports = _run_two(_migrate_at_once, path)
    assert reports == [("migrated", ()), ("migrated", ("slow_step", *ALL_STEPS[1:]))]
    assert len(_drain(step_calls)) == 1
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT count(*) FROM audit_entry").fetchone() == (1,)
    connection.close()
