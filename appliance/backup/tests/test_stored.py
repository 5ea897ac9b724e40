"""Backups kept on the box: saved whole or not at all, private, the oldest rotated out, never
taken of a damaged database, and served only by a name the box itself gives."""

from __future__ import annotations

import datetime as dt
import os
import pwd
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from paivystys.appliance.audit import entries
from paivystys.appliance.backup import (
    DatabaseDamaged,
    check_backup,
    last_backup_at,
    list_backups,
    read_backup,
    recheck_after_restore,
    save_backup,
    stored,
)
from paivystys.appliance.changes import Changes
from paivystys.appliance.db import integrity
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.settings import set_setting
from paivystys.appliance.db.tests.damage import damage_page_header
from paivystys.appliance.directory import Directory
from paivystys.appliance.errors import Invalid, NotFound

OLD = "paivystys-backup-20200101-030000.json"
OLDER = "paivystys-backup-20191231-030000.json"


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "paivystys.db"
    db = open_database(path)
    Directory(Changes("tester", lambda: None)).add_group("Huolto")
    yield path
    db.close()


def _backups_dir(database: Path) -> Path:
    return database.parent / stored.BACKUPS_DIR


def _plant(database: Path, name: str, data: bytes = b"{}") -> Path:
    directory = _backups_dir(database)
    directory.mkdir(mode=0o700, exist_ok=True)
    (directory / name).write_bytes(data)
    return directory / name


def test_a_saved_backup_is_private_whole_and_audited(database: Path) -> None:
    saved = save_backup(database, Changes("cli:paivystys"))
    directory = _backups_dir(database)
    path = directory / saved.backup.name
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert saved.backup.size == path.stat().st_size
    assert check_backup(path.read_bytes()).counts["group"] == 1
    assert saved.kept == 14 and saved.removed == ()
    row = entries(1)[0]
    assert (row["actor"], row["action"], row["target"]) == (
        "cli:paivystys", "backup.create", saved.backup.name)
    assert last_backup_at() is not None
    check = integrity.recorded_integrity(database.parent)
    assert check is not None and check.ok and check.occasion == integrity.BEFORE_BACKUP
    assert sorted(p.name for p in directory.iterdir()) == [stored.LOCK_FILE, saved.backup.name]


def test_the_oldest_beyond_the_number_kept_are_removed(
        database: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stored, "_now", lambda: dt.datetime(2025, 12, 5, 3, 15, 2,
                                                            tzinfo=dt.UTC))
    set_setting("backups_kept", "3")
    _plant(database, OLDER)
    _plant(database, OLD)
    foreign = [_plant(database, name) for name in
               ("notes.txt", "paivystys-backup-latest.json", "paivystys-backup-20200101.json")]
    names = [save_backup(database).backup.name for _ in range(3)]
    # Three in one second: the later ones numbered, in order.
    assert names == ["paivystys-backup-20251205-031502.json",
                     "paivystys-backup-20251205-031502-2.json",
                     "paivystys-backup-20251205-031502-3.json"]
    assert [backup.name for backup in list_backups(database.parent)] == names[::-1]
    assert all(path.exists() for path in foreign)  # not backups: never removed


def test_the_backup_just_saved_is_kept_when_the_clock_went_back(database: Path) -> None:
    set_setting("backups_kept", "2")
    future = ["paivystys-backup-20991231-030000.json", "paivystys-backup-20991230-030000.json"]
    for name in future:
        _plant(database, name)
    saved = save_backup(database)
    assert saved.removed == (future[1],)
    assert {backup.name for backup in list_backups(database.parent)} == {
        future[0], saved.backup.name}


def test_backups_are_listed_newest_first_with_their_time_and_size(database: Path) -> None:
    _plant(database, OLDER, b"x" * 10)
    _plant(database, OLD, b"x" * 20)
    _plant(database, "paivystys-backup-20200101-030000-2.json", b"x" * 30)
    listed = list_backups(database.parent)
    assert [(b.name, b.size) for b in listed] == [
        ("paivystys-backup-20200101-030000-2.json", 30), (OLD, 20), (OLDER, 10)]
    assert listed[1].created_at.isoformat() == "2020-01-01T03:00:00+00:00"


def test_a_save_that_fails_leaves_no_file_no_record_and_no_audit(
        database: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _plant(database, OLD)
    before = len(entries(1000))

    def disk_fails(handle: int) -> None:  # when the backup's own file is synced
        if Path(os.readlink(f"/proc/self/fd/{handle}")).name.startswith(
                stored.TEMPORARY_PREFIX):
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(stored.os, "fsync", disk_fails)
    with pytest.raises(OSError, match="No space left"):
        save_backup(database)
    assert sorted(p.name for p in _backups_dir(database).iterdir()) == [stored.LOCK_FILE, OLD]
    assert len(entries(1000)) == before
    assert last_backup_at() is None


def test_a_half_file_a_power_cut_left_is_no_backup_and_goes_at_the_next_save(
        database: Path) -> None:
    half = _plant(database, ".paivystys-backup-k2j4x9.tmp", b'{"format": "paivy')
    assert list_backups(database.parent) == []
    with pytest.raises(Invalid):
        read_backup(database.parent, half.name)
    saved = save_backup(database)
    assert not half.exists()
    assert [backup.name for backup in list_backups(database.parent)] == [saved.backup.name]


def test_a_damaged_database_is_not_backed_up_and_keeps_every_backup(database: Path) -> None:
    set_setting("backups_kept", "1")
    _plant(database, OLDER)
    _plant(database, OLD)
    damage_page_header(database, "call")
    with pytest.raises(DatabaseDamaged) as refused:
        save_backup(database)
    assert "failed its integrity check (before a backup" in str(refused.value)
    assert f"the last good one is {OLD}" in str(refused.value)
    assert refused.value.last_good is not None and refused.value.last_good.name == OLD
    assert [b.name for b in list_backups(database.parent)] == [OLD, OLDER]
    check = integrity.recorded_integrity(database.parent)
    assert check is not None and not check.ok and check.occasion == "backup"
    assert last_backup_at() is None


@pytest.mark.parametrize("name", [
    "../paivystys.db", "paivystys-backup-20251205-030000.json/../../paivystys.db",
    "/etc/passwd", "", ".", "..", stored.LOCK_FILE, "paivystys.db",
    "paivystys-backup-20251205-030000.json\n", "paivystys-backup-20251205-030000.json\x00",
    "paivystys-backup-２０２５１２０５-030000.json", "paivystys-backup-20251399-030000.json",
    "paivystys-backup-20251205-030000-0.json", "paivystys-backup-20251205-030000-100.json",
    "PAIVYSTYS-BACKUP-20251205-030000.JSON", "x" * 5000,
])
def test_a_name_the_box_never_gives_is_refused(database: Path, name: str) -> None:
    _plant(database, OLD)
    with pytest.raises(Invalid) as refused:
        read_backup(database.parent, name)
    assert refused.value.field == "name"
    assert len(str(refused.value)) < 200  # a long name is not echoed whole


def test_a_backup_name_that_is_not_a_stored_file_is_not_found(
        database: Path, tmp_path: Path) -> None:
    directory = _backups_dir(database)
    directory.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("not a backup")
    link, folder, fifo = (f"paivystys-backup-2020010{day}-030000.json" for day in (1, 2, 3))
    (directory / link).symlink_to(secret)
    (directory / folder).mkdir()
    os.mkfifo(directory / fifo)
    assert list_backups(database.parent) == []
    for name in (link, folder, fifo, "paivystys-backup-20200104-030000.json"):
        with pytest.raises(NotFound):
            read_backup(database.parent, name)


def test_a_stored_backup_reads_back(database: Path) -> None:
    saved = save_backup(database)
    assert check_backup(read_backup(database.parent, saved.backup.name)).counts["group"] == 1


@pytest.mark.parametrize("value", ["0", "366", "-1", "14.5", "many", ""])
def test_the_number_kept_is_a_whole_number_from_1_to_365(database: Path, value: str) -> None:
    with pytest.raises(ValueError, match="backups_kept: must be"):
        set_setting("backups_kept", value)
    assert set_setting("backups_kept", " 365 ") == "365"


def test_a_restore_into_a_damaged_database_checks_it_again(database: Path) -> None:
    assert recheck_after_restore(database) is None  # never checked: nothing to do
    integrity.record_integrity(database.parent, integrity.IntegrityCheck(
        False, integrity.check_integrity(database, "boot").checked_at, "boot",
        ("Page 18: free space corruption",)))
    check = recheck_after_restore(database)  # the database is sound now
    assert check is not None and check.ok and check.occasion == integrity.AFTER_RESTORE
    assert integrity.recorded_integrity(database.parent) == check
    assert recheck_after_restore(database) is None


@pytest.mark.skipif(os.geteuid() != 0, reason="gives files owners")
def test_a_backup_root_saves_is_the_services_users(database: Path) -> None:
    services = pwd.getpwnam("daemon")
    os.chown(database.parent, services.pw_uid, services.pw_gid)
    saved = save_backup(database)
    for path in (_backups_dir(database), _backups_dir(database) / saved.backup.name):
        assert (path.stat().st_uid, path.stat().st_gid) == (services.pw_uid, services.pw_gid)

