"""The database schema's version, and the migrations from each version to the next.

The version is kept in SQLite's ``PRAGMA user_version`` (0: a database made before the schema
carried one).  Opening a database (``open_database``) creates a brand-new one at
:data:`SCHEMA_VERSION` and refuses every other version; only :func:`migrate`, run by
``paivystys db migrate`` or the box's set-up, changes an existing schema.  The services start
together on the box, and four of them migrating the same file at once would race.

Each migration takes version N to N + 1 in one transaction together with its
``user_version``: SQLite's DDL is transactional, so a migration that fails or is killed
leaves the database at version N with its data.

A new version: change the models, append a step to :data:`MIGRATIONS` (a function with a
docstring saying what it changes).  A step names its tables, columns and fields itself and
never uses the models, which describe the newest version only: a step written from them
would do something else once they change again.  The tests check that a database brought up
by the migrations has the schema a new one gets from the models.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import peewee
from playhouse.migrate import SqliteMigrator

from paivystys.appliance.db.models import (
    ALL_MODELS,
    AuditEntry,
    new_personal_number,
    utcnow,
)

MIGRATE_COMMAND = "paivystys db migrate"
AUDIT_ACTION = "db.migrate"
# What a service exits with when the schema is not its own (sysexits' EX_CONFIG): restarting
# it cannot help, so a unit can name it in RestartPreventExitStatus=.
EXIT_SCHEMA_MISMATCH = 78


class SchemaError(RuntimeError):
    """The database's schema is not one this software can use as it is; the message says what
    to do, in one line."""


class SchemaOutOfDate(SchemaError):
    def __init__(self, path: str, found: int, expected: int) -> None:
        super().__init__(
            f"the database {path} has schema version {found} and this software needs version "
            f"{expected}: run `{MIGRATE_COMMAND} --db {path}` (once, before the services start)")
        self.path, self.found, self.expected = path, found, expected


class SchemaTooNew(SchemaError):
    def __init__(self, path: str, found: int, expected: int) -> None:
        super().__init__(
            f"the database {path} has schema version {found}, newer than this software's "
            f"version {expected}: it was made by a newer Päivystysvaihde, and this one leaves "
            "it untouched (install the newer version again)")
        self.path, self.found, self.expected = path, found, expected


class MigrationFailed(SchemaError):
    def __init__(self, path: str, version: int, step: str, reason: BaseException) -> None:
        super().__init__(
            f"migrating the database {path} from schema version {version} to {version + 1} "
            f"({step}) failed, and it stays at version {version}: {reason}")
        self.path, self.version = path, version


Step = Callable[[peewee.SqliteDatabase, SqliteMigrator], None]


@dataclass(frozen=True)
class MigrationResult:
    from_version: int  # as found; 0 for a brand-new database
    to_version: int
    created: bool  # the database was brand new and was made at the current version
    steps: tuple[str, ...]  # the migrations this run made, by name, in order


def stored_version(db: peewee.SqliteDatabase) -> int:
    return int(db.execute_sql("PRAGMA user_version").fetchone()[0])


def _set_version(db: peewee.SqliteDatabase, version: int) -> None:
    # A PRAGMA takes no bound parameters; the version is our own integer.
    db.execute_sql(f"PRAGMA user_version = {int(version)}")


def _is_empty(db: peewee.SqliteDatabase) -> bool:
    return db.execute_sql("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0


def create_schema(db: peewee.SqliteDatabase) -> None:
    """The current schema, from the models, in a brand-new database (inside the caller's
    transaction).  Every table is created without IF NOT EXISTS: one already there means
    another process got here first, which the caller's lock rules out."""
    for model in peewee.sort_models(ALL_MODELS):
        peewee.SchemaManager(model, db).create_all(safe=False)
    _set_version(db, SCHEMA_VERSION)


def _create_if_new(db: peewee.SqliteDatabase) -> bool:
    """Give a brand-new (empty) database the current schema; True if this call did.  Two
    processes opening the same new file at once both see it empty: the check is made again
    under BEGIN IMMEDIATE (the databases' lock type), so that only the first creates."""
    if stored_version(db) != 0 or not _is_empty(db):
        return False
    with db.atomic():
        if not _is_empty(db):
            return False
        create_schema(db)
        return True


def _check(path: str, found: int) -> None:
    if found < SCHEMA_VERSION:
        raise SchemaOutOfDate(path, found, SCHEMA_VERSION)
    if found > SCHEMA_VERSION:
        raise SchemaTooNew(path, found, SCHEMA_VERSION)


def ensure_current(db: peewee.SqliteDatabase, path: str) -> None:
    """What opening a database does: a brand-new one gets the current schema; one at any
    other version than the current is refused (:class:`SchemaOutOfDate`,
    :class:`SchemaTooNew`) and left as it is."""
    _create_if_new(db)
    _check(path, stored_version(db))


def migrate(db: peewee.SqliteDatabase, path: str, actor: str | None) -> MigrationResult:
    """Bring the database to :data:`SCHEMA_VERSION`, one step per transaction; a brand-new
    one is created at it.  A database newer than this software is refused untouched.  When
    the run ends at the current version, its last transaction also writes the audit row
    (``db.migrate`` by ``actor``, from and to which version), unless ``actor`` is None.

    Foreign keys are off during a step (SQLite can only switch them outside a transaction,
    which ``migration_context`` does): rebuilding a table to add a NOT NULL column drops the
    old one, and with them on, that drop would cascade to the rows that refer to it.  Before
    its commit a step must leave every foreign key satisfied."""
    if _create_if_new(db):
        return MigrationResult(0, SCHEMA_VERSION, created=True, steps=())
    found = stored_version(db)
    if found > SCHEMA_VERSION:
        raise SchemaTooNew(path, found, SCHEMA_VERSION)
    migrator = SqliteMigrator(db)
    ran: list[str] = []
    first: int | None = None
    version = found
    while version < SCHEMA_VERSION:
        step = MIGRATIONS[version]
        try:
            with migrator.migration_context():
                # Read again under the write lock: another run may have made this step.
                if stored_version(db) == version:
                    step(db, migrator)
                    _check_foreign_keys(db)
                    _set_version(db, version + 1)
                    first = version if first is None else first
                    ran.append(step.__name__)
                    if version + 1 == SCHEMA_VERSION and actor is not None:
                        _audit(db, actor, first, SCHEMA_VERSION)
        except Exception as exc:
            raise MigrationFailed(path, version, step.__name__, exc) from exc
        version = stored_version(db)
    if version > SCHEMA_VERSION:  # a newer software's run got in between
        raise SchemaTooNew(path, version, SCHEMA_VERSION)
    return MigrationResult(found, version, created=False, steps=tuple(ran))


def _check_foreign_keys(db: peewee.SqliteDatabase) -> None:
    broken = db.execute_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({row[0] for row in broken})
        raise RuntimeError(f"{len(broken)} row(s) would refer to rows that are not there, "
                           f"in {', '.join(tables)}")


def _audit(db: peewee.SqliteDatabase, actor: str, from_version: int, to_version: int) -> None:
    # Written on this connection, in the step's transaction: the models are bound to
    # whichever database the process opened, which need not be this one.
    AuditEntry.insert(at=utcnow(), actor=actor, action=AUDIT_ACTION, target=None,
                      details=json.dumps({"from": from_version, "to": to_version},
                                         sort_keys=True)).execute(db)


# Version 1 as it was when the schema first carried a version, written out: the tables and
# indexes a database made before then may lack.

_VERSION_1_TABLES = (
    """CREATE TABLE IF NOT EXISTS "person" (
        "id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL,
        "phone" VARCHAR(255) NOT NULL, "on_duty" INTEGER NOT NULL,
        "wants_sms" INTEGER NOT NULL, "public_phone" VARCHAR(255),
        "created_at" DATETIME NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS "user" (
        "id" INTEGER NOT NULL PRIMARY KEY, "username" VARCHAR(255) NOT NULL,
        "password_hash" VARCHAR(255) NOT NULL, "role" VARCHAR(255) NOT NULL,
        "person_id" INTEGER, "failed_logins" INTEGER NOT NULL, "locked_until" DATETIME,
        "created_at" DATETIME NOT NULL, "last_login_at" DATETIME,
        FOREIGN KEY ("person_id") REFERENCES "person" ("id") ON DELETE CASCADE)""",
    """CREATE TABLE IF NOT EXISTS "api_token" (
        "id" INTEGER NOT NULL PRIMARY KEY, "token_hash" VARCHAR(255) NOT NULL,
        "user_id" INTEGER NOT NULL, "created_at" DATETIME NOT NULL,
        "expires_at" DATETIME NOT NULL, "revoked" INTEGER NOT NULL,
        FOREIGN KEY ("user_id") REFERENCES "user" ("id") ON DELETE CASCADE)""",
    """CREATE TABLE IF NOT EXISTS "audit_entry" (
        "id" INTEGER NOT NULL PRIMARY KEY, "at" DATETIME NOT NULL,
        "actor" VARCHAR(255) NOT NULL, "action" VARCHAR(255) NOT NULL,
        "target" VARCHAR(255), "details" TEXT)""",
    """CREATE TABLE IF NOT EXISTS "group" (
        "id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL,
        "created_at" DATETIME NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS "on_call_number" (
        "id" INTEGER NOT NULL PRIMARY KEY, "number" VARCHAR(255) NOT NULL,
        "name" VARCHAR(255) NOT NULL, "backup_group_id" INTEGER,
        "recording" INTEGER NOT NULL, "retention_days" INTEGER NOT NULL,
        "sms_on_taken" INTEGER NOT NULL, "sms_to_caller" INTEGER NOT NULL,
        "sms_on_missed" INTEGER NOT NULL, "created_at" DATETIME NOT NULL,
        FOREIGN KEY ("backup_group_id") REFERENCES "group" ("id") ON DELETE SET NULL)""",
    """CREATE TABLE IF NOT EXISTS "call" (
        "id" INTEGER NOT NULL PRIMARY KEY, "call_id" VARCHAR(255) NOT NULL,
        "number_id" INTEGER, "dialled" VARCHAR(255) NOT NULL,
        "caller" VARCHAR(255) NOT NULL, "arrived_at" DATETIME NOT NULL,
        "answered_at" DATETIME, "ended_at" DATETIME, "wait_s" REAL, "talk_s" REAL,
        "outcome" VARCHAR(255), "answered_by_id" INTEGER, "answered_by_name" VARCHAR(255),
        "answered_stage" VARCHAR(255), "recording" VARCHAR(255),
        "routing" VARCHAR(255) NOT NULL,
        FOREIGN KEY ("number_id") REFERENCES "on_call_number" ("id") ON DELETE SET NULL,
        FOREIGN KEY ("answered_by_id") REFERENCES "person" ("id") ON DELETE SET NULL)""",
    """CREATE TABLE IF NOT EXISTS "health_report" (
        "key" VARCHAR(255) NOT NULL PRIMARY KEY, "ok" INTEGER,
        "state" VARCHAR(255) NOT NULL, "detail" TEXT, "updated_at" DATETIME NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS "incoming_sms" (
        "id" INTEGER NOT NULL PRIMARY KEY, "key" VARCHAR(255) NOT NULL,
        "sender" VARCHAR(255) NOT NULL, "text" TEXT NOT NULL, "sent_at" DATETIME,
        "received_at" DATETIME NOT NULL, "person_id" INTEGER, "action" VARCHAR(255),
        FOREIGN KEY ("person_id") REFERENCES "person" ("id") ON DELETE SET NULL)""",
    """CREATE TABLE IF NOT EXISTS "leg" (
        "id" INTEGER NOT NULL PRIMARY KEY, "call_id" INTEGER NOT NULL, "person_id" INTEGER,
        "person_name" VARCHAR(255) NOT NULL, "phone" VARCHAR(255) NOT NULL,
        "group_id" INTEGER, "group_name" VARCHAR(255), "stage" VARCHAR(255) NOT NULL,
        "rung_at" DATETIME NOT NULL, "answered_at" DATETIME, "ended_at" DATETIME,
        "result" VARCHAR(255),
        FOREIGN KEY ("call_id") REFERENCES "call" ("id") ON DELETE CASCADE,
        FOREIGN KEY ("person_id") REFERENCES "person" ("id") ON DELETE SET NULL,
        FOREIGN KEY ("group_id") REFERENCES "group" ("id") ON DELETE SET NULL)""",
    """CREATE TABLE IF NOT EXISTS "login_failure" (
        "id" INTEGER NOT NULL PRIMARY KEY, "username" VARCHAR(255) NOT NULL,
        "client" VARCHAR(255) NOT NULL, "failures" INTEGER NOT NULL,
        "last_failed_at" DATETIME NOT NULL, "locked_until" DATETIME)""",
    """CREATE TABLE IF NOT EXISTS "membership" (
        "id" INTEGER NOT NULL PRIMARY KEY, "person_id" INTEGER NOT NULL,
        "group_id" INTEGER NOT NULL,
        FOREIGN KEY ("person_id") REFERENCES "person" ("id") ON DELETE CASCADE,
        FOREIGN KEY ("group_id") REFERENCES "group" ("id") ON DELETE CASCADE)""",
    """CREATE TABLE IF NOT EXISTS "modem_health" (
        "id" INTEGER NOT NULL PRIMARY KEY, "device" VARCHAR(255),
        "connected" INTEGER NOT NULL, "registered" INTEGER NOT NULL,
        "operator" VARCHAR(255), "signal" INTEGER, "last_error" TEXT,
        "updated_at" DATETIME NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS "number_group" (
        "id" INTEGER NOT NULL PRIMARY KEY, "number_id" INTEGER NOT NULL,
        "group_id" INTEGER NOT NULL, "position" INTEGER NOT NULL,
        FOREIGN KEY ("number_id") REFERENCES "on_call_number" ("id") ON DELETE CASCADE,
        FOREIGN KEY ("group_id") REFERENCES "group" ("id") ON DELETE CASCADE)""",
    """CREATE TABLE IF NOT EXISTS "outbox_message" (
        "id" INTEGER NOT NULL PRIMARY KEY, "key" VARCHAR(255) NOT NULL,
        "recipient" VARCHAR(255) NOT NULL, "text" TEXT NOT NULL,
        "reason" VARCHAR(255) NOT NULL, "call_id" INTEGER, "person_id" INTEGER,
        "state" VARCHAR(255) NOT NULL, "encoding" VARCHAR(255), "parts" INTEGER,
        "attempts" INTEGER NOT NULL, "last_error" TEXT, "created_at" DATETIME NOT NULL,
        "next_attempt_at" DATETIME NOT NULL, "sent_at" DATETIME, "delivered_at" DATETIME,
        "failed_at" DATETIME,
        FOREIGN KEY ("call_id") REFERENCES "call" ("id") ON DELETE SET NULL,
        FOREIGN KEY ("person_id") REFERENCES "person" ("id") ON DELETE SET NULL)""",
    """CREATE TABLE IF NOT EXISTS "outbox_part" (
        "id" INTEGER NOT NULL PRIMARY KEY, "message_id" INTEGER NOT NULL,
        "seq" INTEGER NOT NULL, "pdu" TEXT NOT NULL, "tpdu_length" INTEGER NOT NULL,
        "state" VARCHAR(255) NOT NULL, "storage_index" INTEGER, "reference" INTEGER,
        "sent_at" DATETIME, "delivered_at" DATETIME, "report_status" INTEGER,
        FOREIGN KEY ("message_id") REFERENCES "outbox_message" ("id") ON DELETE CASCADE)""",
    """CREATE TABLE IF NOT EXISTS "setting" (
        "key" VARCHAR(255) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS "trunk" (
        "id" INTEGER NOT NULL PRIMARY KEY, "mode" VARCHAR(255) NOT NULL,
        "host" VARCHAR(255) NOT NULL, "port" INTEGER NOT NULL,
        "transport" VARCHAR(255) NOT NULL, "username" VARCHAR(255), "password" VARCHAR(255),
        "from_domain" VARCHAR(255), "operator_addresses" TEXT,
        "inbound_username" VARCHAR(255), "inbound_password" VARCHAR(255),
        "updated_at" DATETIME NOT NULL)""",
)
_VERSION_1_INDEXES = (
    'CREATE UNIQUE INDEX IF NOT EXISTS "person_phone" ON "person" ("phone")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "user_username" ON "user" ("username")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "user_person_id" ON "user" ("person_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "api_token_token_hash" ON "api_token" ("token_hash")',
    'CREATE INDEX IF NOT EXISTS "api_token_user_id" ON "api_token" ("user_id")',
    'CREATE INDEX IF NOT EXISTS "api_token_expires_at" ON "api_token" ("expires_at")',
    'CREATE INDEX IF NOT EXISTS "audit_entry_at" ON "audit_entry" ("at")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "group_name" ON "group" ("name")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "on_call_number_number" ON "on_call_number" ("number")',
    'CREATE INDEX IF NOT EXISTS "on_call_number_backup_group_id" '
    'ON "on_call_number" ("backup_group_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "call_call_id" ON "call" ("call_id")',
    'CREATE INDEX IF NOT EXISTS "call_number_id" ON "call" ("number_id")',
    'CREATE INDEX IF NOT EXISTS "call_arrived_at" ON "call" ("arrived_at")',
    'CREATE INDEX IF NOT EXISTS "call_outcome" ON "call" ("outcome")',
    'CREATE INDEX IF NOT EXISTS "call_answered_by_id" ON "call" ("answered_by_id")',
    'CREATE INDEX IF NOT EXISTS "call_number_id_arrived_at" ON "call" ("number_id", "arrived_at")',
    'CREATE INDEX IF NOT EXISTS "call_answered_by_id_arrived_at" '
    'ON "call" ("answered_by_id", "arrived_at")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "incoming_sms_key" ON "incoming_sms" ("key")',
    'CREATE INDEX IF NOT EXISTS "incoming_sms_person_id" ON "incoming_sms" ("person_id")',
    'CREATE INDEX IF NOT EXISTS "leg_call_id" ON "leg" ("call_id")',
    'CREATE INDEX IF NOT EXISTS "leg_person_id" ON "leg" ("person_id")',
    'CREATE INDEX IF NOT EXISTS "leg_group_id" ON "leg" ("group_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "leg_call_id_person_id_stage" '
    'ON "leg" ("call_id", "person_id", "stage")',
    'CREATE INDEX IF NOT EXISTS "leg_person_id_call_id" ON "leg" ("person_id", "call_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "login_failure_username_client" '
    'ON "login_failure" ("username", "client")',
    'CREATE INDEX IF NOT EXISTS "membership_person_id" ON "membership" ("person_id")',
    'CREATE INDEX IF NOT EXISTS "membership_group_id" ON "membership" ("group_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "membership_person_id_group_id" '
    'ON "membership" ("person_id", "group_id")',
    'CREATE INDEX IF NOT EXISTS "number_group_number_id" ON "number_group" ("number_id")',
    'CREATE INDEX IF NOT EXISTS "number_group_group_id" ON "number_group" ("group_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "number_group_number_id_group_id" '
    'ON "number_group" ("number_id", "group_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "outbox_message_key" ON "outbox_message" ("key")',
    'CREATE INDEX IF NOT EXISTS "outbox_message_call_id" ON "outbox_message" ("call_id")',
    'CREATE INDEX IF NOT EXISTS "outbox_message_person_id" ON "outbox_message" ("person_id")',
    'CREATE INDEX IF NOT EXISTS "outbox_message_state" ON "outbox_message" ("state")',
    'CREATE INDEX IF NOT EXISTS "outbox_message_next_attempt_at" '
    'ON "outbox_message" ("next_attempt_at")',
    'CREATE INDEX IF NOT EXISTS "outbox_part_message_id" ON "outbox_part" ("message_id")',
    'CREATE INDEX IF NOT EXISTS "outbox_part_reference" ON "outbox_part" ("reference")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "outbox_part_message_id_seq" '
    'ON "outbox_part" ("message_id", "seq")',
)

# Columns that releases before version 1 added to tables they already had, as those releases
# defined them; a NOT NULL one has the default the rows already there get.
_COLUMNS_ADDED_BEFORE_VERSION_1: tuple[tuple[str, str, peewee.Field], ...] = (
    ("on_call_number", "sms_on_taken", peewee.BooleanField(default=True)),
    ("on_call_number", "sms_to_caller", peewee.BooleanField(default=True)),
    ("on_call_number", "sms_on_missed", peewee.BooleanField(default=True)),
    ("person", "public_phone", peewee.CharField(null=True)),
    ("trunk", "operator_addresses", peewee.TextField(null=True)),
    ("trunk", "inbound_username", peewee.CharField(null=True)),
    ("trunk", "inbound_password", peewee.CharField(null=True)),
)


def complete_unversioned_schema(db: peewee.SqliteDatabase, migrator: SqliteMigrator) -> None:
    """Version 0 -> 1: a database made before the schema carried a version gets what later
    releases added, and keeps every row.  Tables: the SMS outbox, its parts and the incoming
    SMS, the modem's and the services' health, the SIP trunk, the API's users, tokens and
    log-in failures, the audit log.  Columns: an on-call number's three SMS switches (on,
    for the rows already there), a person's published number, the trunk's further operator
    addresses and inbound credentials.  Indexes: the call log's by number and by answerer, a
    person's legs, and those of the new tables."""
    for statement in _VERSION_1_TABLES:
        db.execute_sql(statement)
    for table, column, field in _COLUMNS_ADDED_BEFORE_VERSION_1:
        if column not in {existing.name for existing in db.get_columns(table)}:
            migrator.migrate(migrator.add_column(table, column, field))
    for statement in _VERSION_1_INDEXES:
        db.execute_sql(statement)


def add_trunk_operator_settings(db: peewee.SqliteDatabase, migrator: SqliteMigrator) -> None:
    """Version 1 -> 2: the trunk's settings for any operator: how it sends keys (DTMF mode,
    RFC 4733 for the rows already there), the on-call number for calls that name none (a GSM
    gateway's), and the office router's public address and the local networks (NAT)."""
    migrator.migrate(
        migrator.add_column("trunk", "dtmf_mode", peewee.CharField(default="rfc4733")),
        migrator.add_column("trunk", "default_number", peewee.CharField(null=True)),
        migrator.add_column("trunk", "external_address", peewee.CharField(null=True)),
        migrator.add_column("trunk", "local_networks", peewee.TextField(null=True)),
    )


_LISTENING_LINE_TABLES = (
    """CREATE TABLE IF NOT EXISTS "listening_number" (
        "id" INTEGER NOT NULL PRIMARY KEY, "number" VARCHAR(255) NOT NULL,
        "name" VARCHAR(255) NOT NULL, "created_at" DATETIME NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS "listening_call" (
        "id" INTEGER NOT NULL PRIMARY KEY, "call_id" VARCHAR(255) NOT NULL,
        "number_id" INTEGER, "dialled" VARCHAR(255) NOT NULL, "caller" VARCHAR(255) NOT NULL,
        "arrived_at" DATETIME NOT NULL, "ended_at" DATETIME, "person_id" INTEGER,
        "person_name" VARCHAR(255), "outcome" VARCHAR(255),
        FOREIGN KEY ("number_id") REFERENCES "listening_number" ("id") ON DELETE SET NULL,
        FOREIGN KEY ("person_id") REFERENCES "person" ("id") ON DELETE SET NULL)""",
    """CREATE TABLE IF NOT EXISTS "listening_event" (
        "id" INTEGER NOT NULL PRIMARY KEY, "listening_call_id" INTEGER NOT NULL,
        "at" DATETIME NOT NULL, "action" VARCHAR(255) NOT NULL, "call_id" INTEGER,
        FOREIGN KEY ("listening_call_id") REFERENCES "listening_call" ("id") ON DELETE CASCADE,
        FOREIGN KEY ("call_id") REFERENCES "call" ("id") ON DELETE SET NULL)""",
    'CREATE UNIQUE INDEX IF NOT EXISTS "listening_number_number" ON "listening_number" '
    '("number")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "listening_call_call_id" ON "listening_call" ("call_id")',
    'CREATE INDEX IF NOT EXISTS "listening_call_number_id" ON "listening_call" ("number_id")',
    'CREATE INDEX IF NOT EXISTS "listening_call_arrived_at" ON "listening_call" ("arrived_at")',
    'CREATE INDEX IF NOT EXISTS "listening_call_person_id" ON "listening_call" ("person_id")',
    'CREATE INDEX IF NOT EXISTS "listening_event_listening_call_id" ON "listening_event" '
    '("listening_call_id")',
    'CREATE INDEX IF NOT EXISTS "listening_event_call_id" ON "listening_event" ("call_id")',
)


def add_listening_line(db: peewee.SqliteDatabase, migrator: SqliteMigrator) -> None:
    """Version 2 -> 3: the listening line.  Tables: the listening numbers, the calls to them
    and what each played or deleted.  Columns: a person's personal number (one made for each
    person already there), PIN hash, wrong PINs in a row and phone lock."""
    for statement in _LISTENING_LINE_TABLES:
        db.execute_sql(statement)
    migrator.migrate(
        migrator.add_column("person", "personal_number", peewee.CharField(null=True)),
        migrator.add_column("person", "pin_hash", peewee.CharField(null=True)),
        migrator.add_column("person", "pin_failures", peewee.IntegerField(default=0)),
        migrator.add_column("person", "pin_locked_until", peewee.DateTimeField(null=True)),
    )
    taken: set[str] = set()
    for (person_id,) in db.execute_sql('SELECT "id" FROM "person" ORDER BY "id"').fetchall():
        number = new_personal_number(taken)
        taken.add(number)
        db.execute_sql('UPDATE "person" SET "personal_number" = ? WHERE "id" = ?',
                       (number, person_id))
    db.execute_sql('CREATE UNIQUE INDEX IF NOT EXISTS "person_personal_number" ON "person" '
                   '("personal_number")')


# MIGRATIONS[n] takes a database from version n to n + 1.
MIGRATIONS: tuple[Step, ...] = (complete_unversioned_schema, add_trunk_operator_settings,
                                add_listening_line)
SCHEMA_VERSION = len(MIGRATIONS)
