from __future__ import annotations

import datetime as dt
import json
import stat
from importlib import metadata
from pathlib import Path

import pytest

from paivystys.appliance.asterisk import apply as asterisk_apply
from paivystys.appliance.backup import last_backup_at
from paivystys.appliance.cli.backup import COMMAND
from paivystys.appliance.cli.tests.test_admin import Run, configure
from paivystys.appliance.db.integrity import AT_BOOT, IntegrityCheck, record_integrity
from paivystys.appliance.db.tests.damage import damage_page_header

VERSION = metadata.version("paivystysvaihde")


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Run:
    runner = Run(tmp_path / "paivystys.db", capsys)
    monkeypatch.setattr(asterisk_apply, "apply_configuration", runner.apply)
    return runner


def listing(run: Run) -> dict[str, list[dict]]:
    return {what: run.json(what, "list") for what in ("number", "group", "person", "settings")}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def counts(out: str) -> dict[str, int]:
    """The rows per table a command printed, one indented "table  count" line each."""
    return {table: int(count) for table, count in
            (line.split() for line in out.splitlines() if line.startswith("  "))}


def fails(run: Run, *argv: str) -> str:
    """The one error line of a command that must exit 2 and print nothing else."""
    code, out, err = run(*argv)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    return err.removeprefix("paivystys: error: ").rstrip("\n")


def test_create_saves_a_private_file_and_says_what(run: Run, tmp_path: Path) -> None:
    configure(run)
    path = tmp_path / "varmuuskopio.json"
    out = run.ok(COMMAND, "create", str(path))
    lines = out.splitlines()
    assert lines[0].startswith(f"saved the configuration to {path} (")
    assert lines[0].endswith(" bytes, mode 0600), rows:")
    assert counts(out) == {"group": 2, "on_call_number": 1, "listening_number": 0, "person": 2,
                           "membership": 2, "number_group": 1, "setting": 0, "trunk": 0,
                           "user": 0}
    assert "password" in lines[10] and "secret" in lines[10]
    assert mode(path) == 0o600
    assert json.loads(path.read_bytes())["format"] == "paivystys-backup"
    assert last_backup_at() is not None
    assert list(tmp_path.glob(".*")) == []  # no temporary file left behind


def test_create_refuses_to_overwrite_without_force(run: Run, tmp_path: Path) -> None:
    configure(run)
    path = tmp_path / "backup.json"
    path.write_text("an older backup")
    path.chmod(0o644)
    assert fails(run, COMMAND, "create", str(path)) == (
        f"{path} already exists; give --force to overwrite it")
    assert path.read_text() == "an older backup"
    assert last_backup_at() is None
    run.ok(COMMAND, "create", str(path), "--force")
    assert json.loads(path.read_bytes())["tables"]["group"][0]["name"] == "Huolto"
    assert mode(path) == 0o600


def test_create_into_a_missing_directory(run: Run, tmp_path: Path) -> None:
    configure(run)
    path = tmp_path / "no-such-dir" / "backup.json"
    assert fails(run, COMMAND, "create", str(path)) == (
        f"cannot write {path}: No such file or directory")
    assert last_backup_at() is None  # a backup nobody has is not the last backup


def test_restore_replaces_the_configuration_and_applies_once(run: Run, tmp_path: Path) -> None:
    configure(run)
    before = listing(run)
    path = tmp_path / "backup.json"
    run.ok(COMMAND, "create", str(path))
    run.ok("group", "rename", "Huolto", "Kiinteistö")
    run.ok("person", "remove", "Matti Virtanen")
    run.ok("number", "add", "020 111 2222", "Toinen")
    run.ok("settings", "set", "ring_time", "60")
    assert listing(run) != before
    applied = run.applied
    out = run.ok(COMMAND, "restore", str(path))
    assert run.applied == applied + 1
    assert listing(run) == before
    lines = out.splitlines()
    assert lines[0].startswith(f"restored the configuration from {path} (backup of 20")
    assert lines[0].endswith(f", Päivystysvaihde {VERSION}), rows:")
    assert counts(out)["person"] == 2
    assert lines[-1] == "0 API login(s) ended: everyone logs in again."


def test_dry_run_checks_and_changes_nothing(run: Run, tmp_path: Path) -> None:
    configure(run)
    path = tmp_path / "backup.json"
    run.ok(COMMAND, "create", str(path))
    run.ok("group", "rename", "Huolto", "Kiinteistö")
    changed = listing(run)
    applied = run.applied
    out = run.ok(COMMAND, "restore", str(path), "--dry-run")
    assert out.startswith(f"{path} is a valid backup of 20")
    assert "nothing was changed" in out
    assert counts(out)["person"] == 2
    assert (listing(run), run.applied) == (changed, applied)


def test_an_invalid_backup_is_one_line_and_changes_nothing(run: Run, tmp_path: Path) -> None:
    configure(run)
    path = tmp_path / "backup.json"
    run.ok(COMMAND, "create", str(path))
    backup = json.loads(path.read_bytes())
    backup["tables"]["membership"][0]["group_id"] = 42
    path.write_text(json.dumps(backup))
    run.ok("group", "rename", "Huolto", "Kiinteistö")
    changed = listing(run)
    applied = run.applied
    for dry_run in ((), ("--dry-run",)):
        assert fails(run, COMMAND, "restore", str(path), *dry_run) == (
            f"{path}: membership id 1: group_id: no group with id 42 in the backup "
            "(nothing was changed)")
    assert (listing(run), run.applied) == (changed, applied)


def test_restore_of_a_missing_file(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "missing.json"
    assert fails(run, COMMAND, "restore", str(path)) == (
        f"cannot read {path}: No such file or directory")


def test_restore_of_a_newer_backup_is_refused(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "backup.json"
    run.ok(COMMAND, "create", str(path))
    backup = json.loads(path.read_bytes())
    backup["version"] = 3
    path.write_text(json.dumps(backup))
    assert fails(run, COMMAND, "restore", str(path)).startswith(
        f"{path}: version: the backup is format version 3, written by a newer Päivystysvaihde")


def test_save_keeps_a_private_backup_beside_the_database(run: Run, tmp_path: Path) -> None:
    configure(run)
    out = run.ok(COMMAND, "save")
    (path,) = (tmp_path / "backups").glob("paivystys-backup-*.json")
    assert out == f"saved {path} ({path.stat().st_size} bytes, mode 0600); keeping the newest 14\n"
    assert mode(path) == 0o600
    assert json.loads(path.read_bytes())["tables"]["group"][0]["name"] == "Huolto"
    assert run.ok(COMMAND, "list") == f"{path.name}  {path.stat().st_size:>9} bytes\n"
    assert run.json(COMMAND, "list") == [{"name": path.name, "size": path.stat().st_size,
                                          "created_at": json.loads(run.ok(
                                              COMMAND, "list", "--json"))[0]["created_at"]}]


def test_save_removes_the_oldest_beyond_the_setting(run: Run, tmp_path: Path) -> None:
    run.ok("settings", "set", "backups_kept", "1")
    first = run.ok(COMMAND, "save").split()[1]
    out = run.ok(COMMAND, "save")
    assert out.rstrip("\n").endswith(f"keeping the newest 1, removed {Path(first).name}")
    assert len(list((tmp_path / "backups").glob("paivystys-backup-*.json"))) == 1
    assert fails(run, "settings", "set", "backups_kept", "0") == (
        "backups_kept: must be at least 1, got 0")


def test_list_of_a_box_without_backups(run: Run, tmp_path: Path) -> None:
    assert run.ok(COMMAND, "list") == f"no backups in {tmp_path / 'backups'}\n"
    assert run.json(COMMAND, "list") == []


def test_a_damaged_database_is_not_saved_and_the_command_fails(run: Run, tmp_path: Path) -> None:
    configure(run)
    good = run.ok(COMMAND, "save").split()[1]
    damage_page_header(run.db, "call")
    code, out, err = run(COMMAND, "save")
    assert (code, out) == (1, "")
    assert err.startswith("paivystys: error: not backed up: the database failed its "
                          "integrity check (before a backup, ")
    assert err.rstrip("\n").endswith(f"the stored backups are kept (the last good one is "
                                     f"{Path(good).name})")
    assert [path.name for path in (tmp_path / "backups").glob("paivystys-backup-*")] == [
        Path(good).name]


def test_a_restore_after_a_failed_check_checks_again(run: Run, tmp_path: Path) -> None:
    configure(run)
    path = tmp_path / "backup.json"
    run.ok(COMMAND, "create", str(path))
    record_integrity(tmp_path, IntegrityCheck(False, dt.datetime.now(dt.UTC), AT_BOOT,
                                              ("Page 18: free space corruption",)))
    out = run.ok(COMMAND, "restore", str(path))
    assert out.splitlines()[-1].startswith(
        "The database passed its integrity check (after a restore, ")
    assert not run.ok(COMMAND, "restore", str(path)).splitlines()[-1].startswith("The database")
