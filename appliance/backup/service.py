"""Backup and restore of the configuration as one JSON file (the call log and recordings stay
out: they are history, not configuration, and a restore must not rewrite history).

The file holds every configuration row with its id, so memberships, ringing groups, backup
groups and user-to-person links come back exactly, and the call log's links to the people,
numbers and groups it names stay valid.  It also holds the API users' password hashes (a
restored box must still let its admin in), the people's PIN hashes for the listening line and
the SIP trunk's password: it is a secret.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import peewee

from paivystys.appliance.asterisk.pjsip import MODE_REGISTRATION
from paivystys.appliance.asterisk.stored_trunk import TRUNK_ID
from paivystys.appliance.changes import SYSTEM, Changes
from paivystys.appliance.db import settings as db_settings
from paivystys.appliance.db.models import (
    ALL_MODELS,
    PERSONAL_NUMBER_DIGITS,
    ApiToken,
    BaseModel,
    Group,
    ListeningNumber,
    Membership,
    NumberGroup,
    OnCallNumber,
    Person,
    Setting,
    Trunk,
    User,
    database_proxy,
    new_personal_number,
    utcnow,
)
from paivystys.appliance.directory import service as directory_service
from paivystys.appliance.errors import FieldError, Invalid
from paivystys.appliance.network import service as network_service
from paivystys.appliance.sms import sim_pin, templates
from paivystys.appliance.trunk import service as trunk_service
from paivystys.appliance.users import service as auth_service

Rows = dict[type[BaseModel], list[dict[str, Any]]]

FORMAT = "paivystys-backup"
# 2: the listening numbers' table, and a person's personal number and PIN hash.
VERSION = 2
LAST_BACKUP_KEY = "backup.last_at"  # this box's own record, neither backed up nor restored
# Settings that are the box's own, not configuration, by what they are: its record of the last
# backup, the SIM's PIN (it belongs to the SIM in this box; an old one restored could cost it a
# try) and its network setting (a backup restored on another box must not give it this one's
# address).
BOX_OWN = {LAST_BACKUP_KEY: "record of its last backup",
           **dict.fromkeys(sim_pin.KEYS, "SIM's PIN"),
           **dict.fromkeys(network_service.KEYS, "network setting")}
BOX_OWN_SETTINGS = tuple(BOX_OWN)
SECRET_NOTE = ("This file holds the SIP trunk's password, the API users' password hashes and "
               "the people's PIN hashes: keep it as secret as the passwords themselves.")

# The configuration, in the file's order: parents before the rows that refer to them.
CONFIGURATION: tuple[type[BaseModel], ...] = (
    Group, OnCallNumber, ListeningNumber, Person, Membership, NumberGroup, Setting, Trunk, User,
)
# Tables a file of an older version may lack (it was written before they existed): such a
# file restores as none of their rows.
SINCE_VERSION: dict[type[BaseModel], int] = {ListeningNumber: 2}

# Columns that are the box's own, not configuration: a person's wrong PINs in a row and phone
# lock are what has happened on this box's listening line lately.  A backup restored on another
# box must not lock anyone out there, and a restore here must not lift a lock on someone
# guessing (an admin lifts it, audited): a person the restore brings back keeps this box's
# values (a new one starts with none).
BOX_OWN_COLUMNS: dict[type[BaseModel], dict[str, str]] = {
    Person: {"pin_failures": "count of wrong PINs", "pin_locked_until": "phone lock"},
}

# Never echoed in an error message: messages end up on terminals and in logs.
SECRET_COLUMNS = frozenset({("trunk", "password"), ("trunk", "inbound_password"),
                            ("user", "password_hash"), ("person", "pin_hash")})


class BackupError(Invalid):
    """The file cannot be restored; nothing was changed.

    ``field`` locates the problem ("version", "person[2].phone") so an API can show it next to
    the upload; the message says the same in words, naming table, row and column."""


@dataclass(frozen=True)
class BackupInfo:
    """What a valid backup file holds."""

    created_at: str | None  # as the file says
    appliance_version: str | None  # the version that wrote it
    counts: dict[str, int]  # rows per table


@dataclass(frozen=True)
class RestoreSummary:
    backup: BackupInfo
    tokens_revoked: int  # API logins that ended: users may have changed, so everyone logs in

    @property
    def counts(self) -> dict[str, int]:
        return self.backup.counts


# --- backup ----------------------------------------------------------------------------------

def _raw_rows(query: peewee.Query) -> list[tuple[Any, ...]]:
    """Rows as SQLite stores them, without peewee's conversions, so timestamps are written to
    the file (and restored) exactly as they were."""
    sql, params = query.sql()
    return database_proxy.execute_sql(sql, params).fetchall()


def _json_value(field: peewee.Field, value: object) -> object:
    """SQLite keeps booleans as 0/1; the file says true/false, as a person reading it expects."""
    if isinstance(field, peewee.BooleanField) and value is not None:
        return bool(value)
    return value


def _backed_up_fields(model: type[BaseModel]) -> list[peewee.Field]:
    box_own = BOX_OWN_COLUMNS.get(model, {})
    return [field for field in model._meta.sorted_fields if field.column_name not in box_own]


def _dump(model: type[BaseModel]) -> list[dict[str, Any]]:
    fields = _backed_up_fields(model)
    query = model.select(*fields).order_by(model._meta.primary_key)
    if model is Setting:
        query = query.where(Setting.key.not_in(BOX_OWN_SETTINGS))
    return [{field.column_name: _json_value(field, value)
             for field, value in zip(fields, row, strict=True)} for row in _raw_rows(query)]


def create_backup(changes: Changes | None = None, *,
                  keep: Callable[[bytes], str] | None = None) -> bytes:
    """The whole configuration as one UTF-8 JSON document (stable order, so two backups of the
    same configuration differ only in their time); records the time as the last backup, and
    in the audit log who took it (``changes``' actor; None: the appliance itself).

    ``keep`` stores the document before that record commits and returns the name it is kept
    under (the audit row's target): a backup that could not be stored is neither recorded
    nor audited."""
    now = utcnow().replace(microsecond=0)
    # One consistent snapshot; Asterisk reads nothing of what a backup changes.
    with (changes or Changes(SYSTEM)).change("backup.create",
                                             reaches_asterisk=False) as change:
        tables = {model._meta.table_name: _dump(model) for model in CONFIGURATION}
        Setting.insert(key=LAST_BACKUP_KEY, value=now.isoformat()).on_conflict_replace().execute()
        document = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": now.isoformat(),
            "appliance_version": metadata.version("paivystysvaihde"),
            "note": SECRET_NOTE,
            "tables": tables,
        }
        data = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()
        change.details = {"bytes": len(data)}
        if keep is not None:
            change.target = keep(data)
    return data


def last_backup_at() -> dt.datetime | None:
    """When the last backup was taken (None: never), for the health view."""
    row = Setting.get_or_none(Setting.key == LAST_BACKUP_KEY)
    if row is None:
        return None
    try:
        return dt.datetime.fromisoformat(row.value)
    except ValueError:  # edited behind our back: no usable record, not a broken health view
        return None


# --- validation --------------------------------------------------------------------------------

def _shown(table: str, column: str, value: object) -> str:
    return "a hidden value" if (table, column) in SECRET_COLUMNS else repr(value)


def _is_timestamp(value: str) -> bool:
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _value(table: str, where: str, ref: str, field: peewee.Field, value: object) -> object:
    """``value`` checked for ``field``: the type SQLite would silently accept anything for."""
    column = field.column_name
    if value is None:
        if field.null:
            return None
        raise BackupError(f"{ref}.{column}", f"{where}: {column}: must not be null")
    if isinstance(field, peewee.BooleanField):
        ok, kind = isinstance(value, bool), "true or false"
    elif isinstance(field, peewee.ForeignKeyField | peewee.IntegerField):
        ok, kind = isinstance(value, int) and not isinstance(value, bool), "a whole number"
    elif isinstance(field, peewee.DateTimeField):
        ok, kind = isinstance(value, str) and _is_timestamp(value), "an ISO 8601 date and time"
    elif isinstance(field, peewee.CharField | peewee.TextField):
        ok, kind = isinstance(value, str), "text"
    else:  # a new kind of column in models.py: this module needs a rule for it
        raise TypeError(f"{table}.{column}: no backup rule for a {type(field).__name__}")
    if not ok:
        raise BackupError(f"{ref}.{column}", f"{where}: {column}: must be {kind}, "
                                             f"got {_shown(table, column, value)}")
    return value


def _locate(model: type[BaseModel], key: object, position: int) -> tuple[str, str]:
    """How messages name a row ("person id 2") and how ``BackupError.field`` does
    ("person[2]"); by its position when its key is unusable."""
    table = model._meta.table_name
    if isinstance(key, int | str) and not isinstance(key, bool):
        return f"{table} {model._meta.primary_key.column_name} {key!r}", f"{table}[{key}]"
    return f"{table} row {position}", f"{table}[#{position}]"


def _row(model: type[BaseModel], position: int, raw: object) -> dict[str, Any]:
    """One row checked and completed: a column this schema added after the backup was written
    gets its default, an unknown column is refused (its data would be silently lost)."""
    table = model._meta.table_name
    columns = {field.column_name: field for field in _backed_up_fields(model)}
    box_own = BOX_OWN_COLUMNS.get(model, {})
    key = raw.get(model._meta.primary_key.column_name) if isinstance(raw, dict) else None
    where, ref = _locate(model, key, position)
    if not isinstance(raw, dict):
        raise BackupError(ref, f"{where}: must be an object of columns")
    for column in raw:
        if column in box_own:
            raise BackupError(f"{ref}.{column}", f"{where}: {column}: is this box's own "
                                                 f"{box_own[column]}, not configuration; "
                                                 "remove the column")
        if column not in columns:
            raise BackupError(f"{ref}.{column}", f"{where}: {column}: unknown column "
                                                 f"(a {table} has {', '.join(columns)})")
    row: dict[str, Any] = {}
    for column, field in columns.items():
        if column in raw:
            row[field.name] = _value(table, where, ref, field, raw[column])
        elif field is Person.personal_number:  # drawn once every row is read: see _parse
            row[field.name] = None
        elif field.default is not None:
            row[field.name] = field.default() if callable(field.default) else field.default
        elif field.null:
            row[field.name] = None
        else:
            raise BackupError(f"{ref}.{column}", f"{where}: {column}: missing")
    if model is Setting and row["key"] in BOX_OWN_SETTINGS:
        raise BackupError(ref, f"{where}: is this box's own {BOX_OWN[row['key']]}, not "
                               "configuration; remove the row")
    check = ROW_CHECKS.get(model)
    if check is not None:
        try:
            row.update(check(row))
        except FieldError as error:
            raise BackupError(f"{ref}.{error.field}", f"{where}: {error.message}") from None
    return row


# --- the same validation as the API's own changes --------------------------------------------
# Each row goes through the validator that adding it through the API or the CLI goes through,
# and is restored in the form that validator returns: a backup cannot bring in what those
# would refuse (a trunk host that matches every address, a phone the dialplan cannot dial).

def _group_values(row: dict[str, Any]) -> dict[str, object]:
    return directory_service.check_group(row["name"])


def _number_values(row: dict[str, Any]) -> dict[str, object]:
    return directory_service.check_number(
        row["number"], row["name"], recording=row["recording"],
        retention_days=row["retention_days"], sms_on_taken=row["sms_on_taken"],
        sms_to_caller=row["sms_to_caller"], sms_on_missed=row["sms_on_missed"])


def _listening_number_values(row: dict[str, Any]) -> dict[str, object]:
    return directory_service.check_listening_number(row["number"], row["name"])


def _person_values(row: dict[str, Any]) -> dict[str, object]:
    values = directory_service.check_person(row["name"], row["phone"], on_duty=row["on_duty"],
                                            wants_sms=row["wants_sms"],
                                            public_phone=row["public_phone"])
    personal_number = row["personal_number"]
    if personal_number is not None and not (
            len(personal_number) == PERSONAL_NUMBER_DIGITS and personal_number.isascii()
            and personal_number.isdigit() and personal_number[0] != "0"):
        raise Invalid("personal_number", f"personal_number: {PERSONAL_NUMBER_DIGITS} digits, "
                                         f"not starting with 0, got {personal_number!r}")
    pin_hash = row["pin_hash"]
    if pin_hash is not None:
        auth_service.check_password_hash(pin_hash, "pin_hash", "PIN", "a PIN's check")
    return values


def _setting_values(row: dict[str, Any]) -> dict[str, object]:
    key, value = row["key"], row["value"]
    prefix, _, rest = key.partition(".")
    if prefix == templates.SETTING_PREFIX:
        kind, _, language = rest.partition(".")
        if kind not in templates.PLACEHOLDERS or language not in templates.LANGUAGES:
            raise Invalid("key", f"key: {key!r} names no SMS text (kinds: "
                                 f"{', '.join(templates.PLACEHOLDERS)}; languages: "
                                 f"{', '.join(templates.LANGUAGES)})")
        try:
            return {"value": templates.check_template(kind, language, value)}
        except templates.TemplateError as error:  # its field is the key; the row's is "value"
            raise Invalid("value", f"value: {error.message}") from None
    spec = db_settings.SPECS.get(key)
    if spec is None:
        raise Invalid("key", f"key: unknown setting {key!r}; known: "
                             f"{', '.join(db_settings.SPECS)} and the SMS texts "
                             f"({templates.SETTING_PREFIX}.<kind>.<language>)")
    try:
        return {"value": spec.validate(key, value.strip())}
    except ValueError as error:
        raise Invalid("value", f"value: {error}") from None


def _trunk_values(row: dict[str, Any]) -> dict[str, object]:
    if row["id"] != TRUNK_ID:
        raise Invalid("id", f"id: the trunk is row {TRUNK_ID}, got {row['id']}")
    values = trunk_service.check_trunk(row["mode"], row["host"], row["port"], row["transport"],
                                       row["username"], row["password"], row["from_domain"],
                                       row["operator_addresses"], row["inbound_username"],
                                       row["inbound_password"], row["dtmf_mode"],
                                       row["default_number"], row["external_address"],
                                       row["local_networks"])
    if values["mode"] == MODE_REGISTRATION and values["password"] is None:
        raise Invalid("password", "password: a registration trunk needs the operator's "
                                  "password")
    if values["inbound_username"] is not None and values["inbound_password"] is None:
        raise Invalid("inbound_password", "inbound_password: checking the operator's calls "
                                          "needs the password it answers with")
    return values


def _user_values(row: dict[str, Any]) -> dict[str, object]:
    values = auth_service.check_user(row["username"], row["role"], row["person"])
    return values | {"password_hash": auth_service.check_password_hash(row["password_hash"])}


ROW_CHECKS: dict[type[BaseModel], Callable[[dict[str, Any]], dict[str, object]]] = {
    Group: _group_values, OnCallNumber: _number_values,
    ListeningNumber: _listening_number_values, Person: _person_values,
    Setting: _setting_values, Trunk: _trunk_values, User: _user_values,
}


def _check_unique(model: type[BaseModel], rows: list[dict[str, Any]]) -> None:
    """What the database would refuse half-way through, refused before anything changes."""
    meta = model._meta
    keys = [(meta.primary_key,)] + [(field,) for field in meta.sorted_fields if field.unique]
    keys += [tuple(meta.fields[name] for name in names)
             for names, unique in meta.indexes if unique]
    for fields in keys:
        seen: dict[tuple[Any, ...], str] = {}
        for position, row in enumerate(rows, start=1):
            values = tuple(row[field.name] for field in fields)
            if None in values:  # SQLite lets NULLs repeat in a unique column
                continue
            # A repeated id cannot name its row: the row's position does.
            key = None if fields[0] is meta.primary_key else row[meta.primary_key.name]
            where, ref = _locate(model, key, position)
            columns = "/".join(field.column_name for field in fields)
            if values in seen:
                shown = ", ".join(_shown(meta.table_name, field.column_name, value)
                                  for field, value in zip(fields, values, strict=True))
                raise BackupError(f"{ref}.{fields[0].column_name}",
                                  f"{where}: {columns}: {shown} is already in {seen[values]}; "
                                  "it must be unique")
            seen[values] = where


def _check_references(rows: Rows) -> None:
    ids = {model: {row[model._meta.primary_key.name] for row in model_rows}
           for model, model_rows in rows.items()}
    for model, model_rows in rows.items():
        links = [field for field in model._meta.sorted_fields
                 if isinstance(field, peewee.ForeignKeyField)]
        for position, row in enumerate(model_rows, start=1):
            for field in links:
                target = row[field.name]
                if target is not None and target not in ids[field.rel_model]:
                    where, ref = _locate(model, row[model._meta.primary_key.name], position)
                    raise BackupError(f"{ref}.{field.column_name}",
                                      f"{where}: {field.column_name}: no "
                                      f"{field.rel_model._meta.table_name} with id {target} "
                                      "in the backup")


def _check_across(rows: Rows) -> None:
    """The directory's rules between rows: a phone is one on-call number or one person's
    phone, never both (the number would ring itself); group names differ however written; a
    number's backup group is not also one of its ringing groups."""
    numbers = {row["number"]: row for row in rows[OnCallNumber]}
    listening = {row["number"]: row for row in rows[ListeningNumber]}
    for position, person in enumerate(rows[Person], start=1):
        number = numbers.get(person["phone"])
        if number is not None:
            where, ref = _locate(Person, person["id"], position)
            raise BackupError(f"{ref}.phone", f"{where}: phone: {person['phone']} is already "
                                              f"the on-call number {number['number']} "
                                              f"({number['name']})")
        line = listening.get(person["phone"])
        if line is not None:
            where, ref = _locate(Person, person["id"], position)
            raise BackupError(f"{ref}.phone", f"{where}: phone: {person['phone']} is already "
                                              f"the listening number {line['number']} "
                                              f"({line['name']})")
    for position, line in enumerate(rows[ListeningNumber], start=1):
        number = numbers.get(line["number"])
        if number is not None:
            where, ref = _locate(ListeningNumber, line["id"], position)
            raise BackupError(f"{ref}.number", f"{where}: number: {line['number']} is already "
                                               f"the on-call number {number['number']} "
                                               f"({number['name']}); a number is one or the "
                                               "other")
    names: dict[str, str] = {}
    for position, group in enumerate(rows[Group], start=1):
        where, ref = _locate(Group, group["id"], position)
        key = group["name"].casefold()
        if key in names:
            raise BackupError(f"{ref}.name", f"{where}: name: {group['name']!r} is already "
                                             f"the name of {names[key]}")
        names[key] = where
    backup_groups = {row["id"]: row["backup_group"] for row in rows[OnCallNumber]}
    for position, link in enumerate(rows[NumberGroup], start=1):
        if link["group"] == backup_groups.get(link["number"]):
            where, ref = _locate(NumberGroup, link["id"], position)
            raise BackupError(f"{ref}.group_id", f"{where}: group_id: group {link['group']} is "
                                                 f"the backup group of on_call_number "
                                                 f"{link['number']}; a group cannot be both")


def _draw_personal_numbers(people: list[dict[str, Any]]) -> None:
    """A personal number for each person the file gives none (a file from before the
    listening line): the one they have on this box when the restore brings them back (same id
    and ``created_at``) and nobody in the file has it, otherwise a new one."""
    current = {(person_id, created_at): personal_number
               for person_id, created_at, personal_number in _raw_rows(Person.select(
                   Person.id, Person.created_at, Person.personal_number))}
    taken = {person["personal_number"] for person in people} - {None}
    for person in people:
        if person["personal_number"] is None:
            kept = current.get((person["id"], person["created_at"]))
            person["personal_number"] = (kept if kept is not None and kept not in taken
                                         else new_personal_number(taken))
            taken.add(person["personal_number"])


def _text(document: dict[str, Any], key: str) -> str | None:
    value = document.get(key)
    return value if isinstance(value, str) else None


def _parse(data: bytes) -> tuple[BackupInfo, Rows]:
    """The file checked completely: format, version, every table, row, column and link."""
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError("format", f"not a Päivystysvaihde backup: not JSON ({exc})") from None
    found = document.get("format") if isinstance(document, dict) else None
    if found != FORMAT:
        raise BackupError("format", f"not a Päivystysvaihde backup: format is {found!r}, "
                                    f"expected {FORMAT!r}")
    version = document.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise BackupError("version", f"version: must be a whole number from 1 up, "
                                     f"got {version!r}")
    if version > VERSION:
        raise BackupError("version", f"version: the backup is format version {version}, "
                                     f"written by a newer Päivystysvaihde "
                                     f"({_text(document, 'appliance_version') or 'unknown'}); "
                                     f"this one reads up to version {VERSION}: update the "
                                     "appliance before restoring it")
    tables = document.get("tables")
    if not isinstance(tables, dict):
        raise BackupError("tables", "tables: missing, or not an object of tables")
    known = {model._meta.table_name: model for model in CONFIGURATION}
    for name, raw_rows in tables.items():
        if name not in known:
            raise BackupError("tables", f"tables: unknown table {name!r} "
                                        f"(known: {', '.join(known)})")
        if not isinstance(raw_rows, list):
            raise BackupError(name, f"{name}: must be a list of rows")
    tables = {name: tables.get(name, []) if SINCE_VERSION.get(model, 1) > version
              else tables.get(name) for name, model in known.items()}
    missing = [name for name, raw_rows in tables.items() if raw_rows is None]
    if missing:
        raise BackupError("tables", f"tables: no {', '.join(map(repr, missing))} table in "
                                    "the backup")
    rows: Rows = {model: [_row(model, position, raw)
                          for position, raw in enumerate(tables[name], start=1)]
                  for name, model in known.items()}
    _draw_personal_numbers(rows[Person])
    for model, model_rows in rows.items():
        _check_unique(model, model_rows)
    _check_references(rows)
    _check_across(rows)
    info = BackupInfo(created_at=_text(document, "created_at"),
                      appliance_version=_text(document, "appliance_version"),
                      counts={model._meta.table_name: len(model_rows)
                              for model, model_rows in rows.items()})
    return info, rows


def check_backup(data: bytes) -> BackupInfo:
    """Validate a backup as a restore would, changing nothing (a dry run)."""
    return _parse(data)[0]


# --- restore ---------------------------------------------------------------------------------

def _outside_links() -> list[peewee.ForeignKeyField]:
    """Links from the tables a restore keeps (call log, SMS, tokens) into the configuration."""
    return [field for model in ALL_MODELS if model not in CONFIGURATION
            for field in model._meta.sorted_fields
            if isinstance(field, peewee.ForeignKeyField) and field.rel_model in CONFIGURATION]


def _surviving_ids(model: type[BaseModel], rows: list[dict[str, Any]]) -> list[Any]:
    """Ids of the rows that are the same thing before and after the restore: same id and, when
    the table has one, same ``created_at``.  A person removed after the backup whose id went to
    someone new is not the backup's person: the new one's calls must not be relinked to them."""
    meta = model._meta
    identity = [meta.primary_key] + ([meta.fields["created_at"]]
                                     if "created_at" in meta.fields else [])
    current = set(_raw_rows(model.select(*identity)))
    restored = {tuple(row[field.name] for field in identity) for row in rows}
    return sorted(key[0] for key in current & restored)


def _box_own_values(model: type[BaseModel], ids: list[Any]) -> list[tuple[Any, ...]]:
    """The box's own columns (:data:`BOX_OWN_COLUMNS`) of the rows ``ids``, as stored."""
    meta = model._meta
    fields = [meta.primary_key] + [meta.columns[column] for column in BOX_OWN_COLUMNS[model]]
    return _raw_rows(model.select(*fields).where(meta.primary_key.in_(ids)))


def _put_back_box_own_values(model: type[BaseModel], values: list[tuple[Any, ...]]) -> None:
    meta = model._meta
    columns = ", ".join(f'"{column}" = ?' for column in BOX_OWN_COLUMNS[model])
    for key, *own in values:
        database_proxy.execute_sql(
            f'UPDATE "{meta.table_name}" SET {columns} '
            f'WHERE "{meta.primary_key.column_name}" = ?', (*own, key))


def _replace(rows: Rows) -> int:
    """Swap the configuration; foreign keys are off, so this does by hand what they would do
    for rows that really go away, and checks the result before the transaction commits."""
    links = _outside_links()
    surviving = {model: _surviving_ids(model, rows[model])
                 for model in {field.rel_model for field in links}}
    box_own = {model: _box_own_values(model, _surviving_ids(model, rows[model]))
               for model in BOX_OWN_COLUMNS}
    # Users may have changed (passwords, roles, people): every login starts again.
    revoked = ApiToken.update(revoked=True).where(ApiToken.revoked == False).execute()  # noqa: E712
    for model in CONFIGURATION:
        query = model.delete()
        if model is Setting:
            query = query.where(Setting.key.not_in(BOX_OWN_SETTINGS))
        query.execute()
    for model in CONFIGURATION:
        for batch in peewee.chunked(rows[model], 100):
            model.insert_many(batch).execute()
    for model, values in box_own.items():
        _put_back_box_own_values(model, values)
    for field in links:
        gone = field.is_null(False) & field.not_in(surviving[field.rel_model])
        if field.on_delete == "SET NULL":
            field.model.update({field: None}).where(gone).execute()
        elif field.on_delete == "CASCADE":
            field.model.delete().where(gone).execute()
        # Any other link would have refused the delete: the check below refuses the restore.
    broken = database_proxy.execute_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        table, _, parent, _ = broken[0]
        raise BackupError("tables", f"cannot restore: {len(broken)} {table} row(s) would refer "
                                    f"to {parent} rows the backup does not have")
    return revoked


@contextmanager
def _foreign_keys_off() -> Iterator[None]:
    if database_proxy.in_transaction():
        raise RuntimeError("restore_backup must not run inside a transaction: SQLite ignores "
                           "turning foreign keys off there")
    enforced = database_proxy.pragma("foreign_keys")
    database_proxy.pragma("foreign_keys", 0)
    try:
        if database_proxy.pragma("foreign_keys"):
            raise RuntimeError("restore_backup: SQLite did not turn foreign keys off")
        yield
    finally:
        database_proxy.pragma("foreign_keys", enforced)


def restore_backup(data: bytes, *, changes: Changes | None = None) -> RestoreSummary:
    """Replace the whole configuration with the backup's, then apply it to Asterisk once.

    Everything is validated before anything changes; the swap is one transaction, audited as
    ``changes``' (None: the appliance's own).  Rows are restored with their ids while foreign
    keys are off: deleting and re-inserting with them on would fire ON DELETE SET NULL and
    unlink the call log from every person, number and group, even those the backup brings
    back."""
    info, rows = _parse(data)
    with _foreign_keys_off(), (changes or Changes(SYSTEM)).change(
            "backup.restore", details={"counts": info.counts}) as change:
        revoked = _replace(rows)
        change.details["tokens_revoked"] = revoked
    return RestoreSummary(backup=info, tokens_revoked=revoked)
