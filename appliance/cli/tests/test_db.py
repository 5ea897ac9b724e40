"""`paivystys db migrate|version` through the CLI's own entry point."""

from __future__ import annotations

import getpass
import sqlite3
from pathlib import Path

import pytest

from paivystys.appliance.cli.main import main
from paivystys.appliance.db import schema
from paivystys.appliance.db.tests.test_schema import (
    ALL_STEPS,
    first_release_database,
    read_rows,
    user_version,
)

CURRENT = schema.SCHEMA_VERSION


def audit_rows(path: Path) -> list[tuple[str, str, str | None, str | None]]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT actor, action, target, details FROM audit_entry ORDER BY id").fetchall()
    connection.close()
    return rows


def test_migrate_brings_an_old_database_up_once_and_audits_it_as_the_unix_users(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = first_release_database(tmp_path / "paivystys.db")
    rows = read_rows(path)
    assert main(["--db", str(path), "db", "migrate"]) == 0
    assert capsys.readouterr().out == (
        f"migrated {path} from schema version 0 to {CURRENT} ({', '.join(ALL_STEPS)})\n")
    assert user_version(path) == CURRENT
    assert read_rows(path) == rows
    assert audit_rows(path) == [
        (f"cli:{getpass.getuser()}", "db.migrate", None, f'{{"from": 0, "to": {CURRENT}}}')]
    # Again: nothing to do, said so, and nothing audited.  --db after the action works too.
    assert main(["db", "migrate", "--db", str(path)]) == 0
    assert capsys.readouterr().out == f"{path} is already at schema version {CURRENT}\n"
    assert len(audit_rows(path)) == 1


def test_migrate_creates_a_missing_database(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "state" / "paivystys.db"
    assert main(["--db", str(path), "db", "migrate"]) == 0
    assert capsys.readouterr().out == f"created {path} at schema version {CURRENT}\n"
    assert user_version(path) == CURRENT
    assert audit_rows(path) == []


def test_version_tells_whether_a_migration_is_due(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = first_release_database(tmp_path / "paivystys.db")
    assert main(["--db", str(path), "db", "version"]) == 1
    assert capsys.readouterr().out == (
        f"{path}: schema version 0; this software's: {CURRENT}\n"
        f"out of date: run `paivystys db migrate --db {path}`\n")
    assert main(["--db", str(path), "db", "migrate"]) == 0
    capsys.readouterr()
    assert main(["db", "version", "--db", str(path)]) == 0
    assert capsys.readouterr().out == (
        f"{path}: schema version {CURRENT}; this software's: {CURRENT}\n")
    user_version(path, CURRENT + 1)
    assert main(["--db", str(path), "db", "version"]) == 1
    assert capsys.readouterr().out == (
        f"{path}: schema version {CURRENT + 1}; this software's: {CURRENT}\n"
        "newer than this software: it leaves the database untouched\n")


def test_version_of_no_database_fails_and_creates_none(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "none.db"
    assert main(["--db", str(path), "db", "version"]) == 1
    assert capsys.readouterr().err == f"paivystys: error: no database at {path}\n"
    assert not path.exists()


def test_a_newer_database_is_refused_in_one_line(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "paivystys.db"
    assert main(["--db", str(path), "db", "migrate"]) == 0
    user_version(path, schema.SCHEMA_VERSION + 1)
    capsys.readouterr()
    assert main(["--db", str(path), "db", "migrate"]) == 1
    err = capsys.readouterr().err
    assert err == (f"paivystys: error: the database {path} has schema version {CURRENT + 1}, "
                   f"newer than this software's version {CURRENT}: it was made by a newer "
                   "Päivystysvaihde, and this one leaves it untouched (install the newer "
                   "version again)\n")
    assert user_version(path) == schema.SCHEMA_VERSION + 1


def test_a_failed_migration_is_reported_in_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = first_release_database(tmp_path / "paivystys.db")

    def refused(db: object, migrator: object) -> None:
        """Fails as a disk gone read-only would."""
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(schema, "MIGRATIONS", (refused,))
    assert main(["--db", str(path), "db", "migrate"]) == 1
    assert capsys.readouterr().err == (
        f"paivystys: error: migrating the database {path} from schema version 0 to 1 "
        "(refused) failed, and it stays at version 0: attempt to write a readonly database\n")
    assert user_version(path) == 0


def test_other_commands_on_an_old_database_say_what_to_run(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = first_release_database(tmp_path / "paivystys.db")
    assert main(["--db", str(path), "number", "list"]) == 1
    assert capsys.readouterr().err == (
        f"paivystys: error: the database {path} has schema version 0 and this software needs "
        f"version {CURRENT}: run `paivystys db migrate --db {path}` (once, before the "
        "services start)\n")
