import sqlite3

from paivystys.appliance.db.database import open_database


def test_a_transaction_that_reads_then_writes_survives_another_process_writing(tmp_path):
    """WAL's snapshot rule: with a plain BEGIN, the other writer gets in between and our
    write fails at once with "database is locked".  Transactions take the write lock first."""
    import threading
    import time

    from paivystys.appliance.db.models import Group

    path = tmp_path / "busy.db"
    db = open_database(path)
    other_done = threading.Event()

    def other_process_writes() -> None:
        with sqlite3.connect(path, timeout=5) as other:
            other.execute("INSERT INTO \"group\" (name, created_at) VALUES ('muu', '2026-01-01')")
        other_done.set()

    try:
        with db.atomic():
            assert Group.select().count() == 0
            writer = threading.Thread(target=other_process_writes)
            writer.start()
            time.sleep(0.2)  # the other writer waits for our lock instead of getting ahead
            Group.create(name="oma")
        writer.join(timeout=5)
        assert other_done.is_set()
        assert sorted(group.name for group in Group.select()) == ["muu", "oma"]
    finally:
        db.close()


def test_sync_every_commit_is_per_connection_and_on_every_thread(tmp_path):
    import threading

    db = open_database(tmp_path / "full.db", sync_every_commit=True)
    try:
        seen = []
        thread = threading.Thread(
            target=lambda: seen.append(db.execute_sql("PRAGMA synchronous").fetchone()[0]))
        thread.start()
        thread.join()
        assert seen == [2]  # FULL, also on a thread's own connection
    finally:
        db.close()
    db = open_database(tmp_path / "full.db")
    try:
        assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    finally:
        db.close()


def _mode(path) -> int:
    import stat

    return stat.S_IMODE(path.stat().st_mode)


def _write_a_row(db) -> None:
    from paivystys.appliance.db.models import Group

    Group.create(name="rivi")


def test_a_new_database_and_its_wal_files_are_closed_to_others_whatever_the_umask(tmp_path):
    import os

    path = tmp_path / "new.db"
    previous = os.umask(0o022)  # SQLite alone would make all three 0644
    try:
        db = open_database(path)
        try:
            _write_a_row(db)
            files = [path, path.with_name("new.db-wal"), path.with_name("new.db-shm")]
            assert {file.name: _mode(file) for file in files} == {
                file.name: 0o660 for file in files}
        finally:
            db.close()
    finally:
        os.umask(previous)


def test_a_world_readable_database_is_closed_to_others_when_opened(tmp_path, caplog):
    path = tmp_path / "old.db"
    open_database(path).close()
    with sqlite3.connect(path) as old:
        old.execute("INSERT INTO setting VALUES ('secret', 'trunk password')")
        old.commit()
        # An open connection keeps -wal and -shm, as a service killed -9 leaves them.
        wal, shm = path.with_name("old.db-wal"), path.with_name("old.db-shm")
        for file in (path, wal, shm):
            file.chmod(0o644)
        db = open_database(path)
        try:
            assert {file.name: _mode(file) for file in (path, wal, shm)} == {
                file.name: 0o660 for file in (path, wal, shm)}
            assert db.execute_sql(
                "SELECT value FROM setting WHERE key = 'secret'").fetchone() == (
                    "trunk password",)
        finally:
            db.close()
    assert f"{path} was mode 0644; made it 0660" in caplog.text


def test_an_executable_or_group_less_database_gets_exactly_its_mode(tmp_path):
    path = tmp_path / "odd.db"
    open_database(path).close()
    path.chmod(0o700)
    open_database(path).close()
    assert _mode(path) == 0o660


def test_a_database_someone_else_owns_and_cannot_fix_is_reported(tmp_path, caplog,
                                                                  monkeypatch):
    from pathlib import Path

    path = tmp_path / "theirs.db"
    open_database(path).close()
    path.chmod(0o644)

    def refused(self, mode):
        raise PermissionError(1, "Operation not permitted", str(self))

    monkeypatch.setattr(Path, "chmod", refused)
    open_database(path).close()
    assert f"{path} is mode 0644, open to every user on the box" in caplog.text


def test_a_new_database_gets_the_group_of_its_directory(tmp_path):
    import os

    import pytest

    if os.geteuid() != 0:
        pytest.skip("giving the directory another group needs root")
    directory = tmp_path / "state"
    directory.mkdir()
    os.chown(directory, -1, 4242)  # the services' group; this process is not in it
    open_database(directory / "group.db").close()
    assert (directory / "group.db").stat().st_gid == 4242
