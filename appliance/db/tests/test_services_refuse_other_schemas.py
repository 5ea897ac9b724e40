"""Every service of the box, started on a database whose schema is not its own, exits at once
with one line in its log saying what to do, and an exit status (78) that systemd can be told
not to restart on; the database stays as it was."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from paivystys.appliance.db import schema
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.tests.test_schema import contents, first_release_database, user_version

# Each service's entry point, and what it needs besides --db to get as far as the database.
SERVICES = {
    "agi": ("paivystys.agi.server", ()),
    "monitor": ("paivystys.appliance.monitor.service", ("--ami-secret-file", "SECRET")),
    "modem": ("paivystys.modem.service", ()),
    "sipguard": ("paivystys.appliance.sipguard.service", ("--ami-secret-file", "SECRET")),
    "api": ("paivystys.appliance.api.server", ("--no-advertise",)),
}


def start_every_service(path: Path, secret: Path) -> dict[str, tuple[int, list[str]]]:
    """Every service on ``path`` at once (as the box starts them); each one's exit status and
    its log's lines."""
    running = {
        name: subprocess.Popen(
            [sys.executable, "-m", module, "--db", str(path),
             *(str(secret) if arg == "SECRET" else arg for arg in extra)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name, (module, extra) in SERVICES.items()}
    ended = {}
    for name, process in running.items():
        try:
            out, err = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
        ended[name] = (process.returncode, (out + err).splitlines())
    return ended


def refusal(log: list[str]) -> str:
    """The message of the one line the service logged at ERROR; no traceback anywhere."""
    assert not any(line.startswith("Traceback") for line in log), log
    errors = [line.split(": ", 1)[1] for line in log if " ERROR " in line]
    assert len(errors) == 1, log
    return errors[0]


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "ami.secret"
    path.write_text("not-used\n")
    return path


def test_every_service_refuses_a_database_from_before_versions(tmp_path: Path,
                                                               secret: Path) -> None:
    path = first_release_database(tmp_path / "paivystys.db")
    before = contents(path)
    expected = (f"the database {path} has schema version 0 and this software needs version "
                f"{schema.SCHEMA_VERSION}: run `paivystys db migrate --db {path}` (once, before "
                "the services start)")
    for name, (status, log) in start_every_service(path, secret).items():
        assert status == schema.EXIT_SCHEMA_MISMATCH, (name, log)
        assert refusal(log) == expected, name
    assert contents(path) == before


def test_every_service_refuses_a_newer_database(tmp_path: Path, secret: Path) -> None:
    path = tmp_path / "paivystys.db"
    open_database(path).close()
    user_version(path, schema.SCHEMA_VERSION + 1)
    before = contents(path)
    for name, (status, log) in start_every_service(path, secret).items():
        assert status == schema.EXIT_SCHEMA_MISMATCH, (name, log)
        assert "newer than this software's version" in refusal(log), name
    assert contents(path) == before
