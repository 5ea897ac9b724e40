"""The integrity check of real SQLite files, sound and damaged, and the record of its result
that the health and every service read."""

from __future__ import annotations

import json
import logging
import os
import pwd
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from paivystys.appliance.db import integrity
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.tests.damage import (
    damage_page_header,
    destroy_header,
    overwrite_page,
)
from paivystys.appliance.directory import Directory


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """A database with a configuration in it, closed (as at boot)."""
    path = tmp_path / "paivystys.db"
    db = open_database(path)
    directory = Directory()
    directory.add_group("Huolto")
    directory.add_person("Maija Virtanen", "040 100 0001")
    db.close()
    return path


def test_a_sound_database_passes(database: Path) -> None:
    check = integrity.check_integrity(database, integrity.AT_BOOT)
    assert (check.ok, check.problems, check.occasion) == (True, (), "boot")
    assert check.summary.startswith("passed its integrity check (at boot, ")


@pytest.mark.parametrize(("damage", "expected"), [
    (lambda path: damage_page_header(path, "call"), "free space corruption"),
    (lambda path: overwrite_page(path, "person"), "database disk image is malformed"),
    (destroy_header, "file is not a database"),
], ids=["page header", "page overwritten", "file header"])
def test_a_damaged_file_fails_and_says_what_sqlite_found(
        database: Path, damage: Callable[[Path], None], expected: str) -> None:
    damage(database)
    check = integrity.check_integrity(database, integrity.AT_BOOT)
    assert not check.ok
    assert expected in check.problems[0]
    assert expected in check.summary
    assert "*** in database" not in " ".join(check.problems)


def test_a_page_header_damage_reports_each_problem_up_to_the_limit(database: Path) -> None:
    damage_page_header(database, "call")
    check = integrity.check_integrity(database, integrity.AT_BOOT)
    assert 1 < len(check.problems) <= integrity.MAX_PROBLEMS
    assert f"(and {len(check.problems) - 1} more)" in check.summary


def test_a_missing_database_fails_and_is_not_created(tmp_path: Path) -> None:
    path = tmp_path / "gone.db"
    check = integrity.check_integrity(path, integrity.AT_BOOT)
    assert not check.ok and "cannot open" in check.problems[0]
    assert not path.exists()


def test_a_name_with_uri_characters_is_the_file_itself(tmp_path: Path) -> None:
    """The check opens the database by a URI: ? and # in a path are not its query."""
    odd = tmp_path / "a?mode=ro#x"
    odd.mkdir()
    db = open_database(odd / "paivystys.db")
    db.close()
    assert integrity.check_integrity(odd / "paivystys.db", integrity.AT_BOOT).ok


def test_the_record_reads_back_as_written(database: Path) -> None:
    state_dir = database.parent
    assert integrity.recorded_integrity(state_dir) is None
    damage_page_header(database, "call")
    check = integrity.check_integrity(database, integrity.BEFORE_BACKUP)
    path = integrity.record_integrity(state_dir, check)
    assert stat.S_IMODE(path.stat().st_mode) == integrity.RECORD_MODE
    assert integrity.recorded_integrity(state_dir) == check
    assert not list(state_dir.glob(".integrity.json.*"))  # no temporary file left


@pytest.mark.parametrize("text", [
    "{not json", "[]", json.dumps({"ok": "yes", "checked_at": "2025-12-05T03:00:00+00:00",
                                   "occasion": "boot", "problems": []}),
    json.dumps({"ok": False, "checked_at": "2025-12-05T03:00:00+00:00", "occasion": "boot",
                "problems": []}),
    json.dumps({"ok": True, "checked_at": "yesterday", "occasion": "boot", "problems": []}),
    json.dumps({"ok": True, "occasion": "boot", "problems": []}),
], ids=["not json", "a list", "ok not a boolean", "failed without problems", "bad time",
        "no time"])
def test_a_record_that_cannot_be_read_says_so(tmp_path: Path, text: str) -> None:
    (tmp_path / integrity.RECORD_FILE).write_text(text)
    with pytest.raises(ValueError, match=integrity.RECORD_FILE):
        integrity.recorded_integrity(tmp_path)


def test_every_service_opening_a_damaged_database_says_so(
        database: Path, caplog: pytest.LogCaptureFixture) -> None:
    damage_page_header(database, "call")
    integrity.record_integrity(database.parent,
                               integrity.check_integrity(database, integrity.AT_BOOT))
    with caplog.at_level(logging.ERROR, logger=integrity.__name__):
        open_database(database).close()
    assert "failed its integrity check (at boot" in caplog.text
    assert "restore the last good backup" in caplog.text


def test_a_sound_database_opens_without_a_word(
        database: Path, caplog: pytest.LogCaptureFixture) -> None:
    integrity.record_integrity(database.parent,
                               integrity.check_integrity(database, integrity.AT_BOOT))
    with caplog.at_level(logging.WARNING, logger=integrity.__name__):
        open_database(database).close()
    assert caplog.text == ""


@pytest.mark.skipif(os.geteuid() != 0, reason="gives the record an owner")
def test_a_record_root_writes_is_the_state_directorys_owners(database: Path) -> None:
    services = pwd.getpwnam("daemon")
    os.chown(database.parent, services.pw_uid, services.pw_gid)
    path = integrity.record_integrity(
        database.parent, integrity.check_integrity(database, integrity.AT_BOOT))
    assert (path.stat().st_uid, path.stat().st_gid) == (services.pw_uid, services.pw_gid)
