from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from paivystys.appliance.cli.main import main
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import AuditEntry, LoginFailure, User
from paivystys.appliance.users.service import MAX_FAILURES, AuthError, Throttle, log_in


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "paivystys.db"
    open_database(path)
    return path


def run(db: Path, monkeypatch, *argv: str, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["--db", str(db), *argv])


def test_the_first_admin_is_made_with_a_password_read_once(db, monkeypatch, capsys) -> None:
    assert run(db, monkeypatch, "status", "--json") == 0
    assert json.loads(capsys.readouterr().out)["admin_exists"] is False
    assert run(db, monkeypatch, "user", "add", "Toimisto", "--admin", "--password-stdin",
               stdin="toimisto-salasana\n") == 0
    assert "added admin toimisto" in capsys.readouterr().out
    user = User.get(User.username == "toimisto")
    assert user.password_hash.startswith("$argon2id$")
    assert "toimisto-salasana" not in user.password_hash
    entry = AuditEntry.get(AuditEntry.action == "user.add")
    assert entry.actor.startswith("cli:") and "salasana" not in (entry.details or "")
    assert run(db, monkeypatch, "status", "--json") == 0
    status = json.loads(capsys.readouterr().out)
    assert status["admin_exists"] is True
    assert set(status) >= {"api_url", "api_fingerprint", "api_running", "health"}
    assert status["api_running"] is False


def test_a_weak_password_or_no_terminal_is_refused(db, monkeypatch, capsys) -> None:
    assert run(db, monkeypatch, "user", "add", "toimisto", "--admin", "--password-stdin",
               stdin="lyhyt\n") == 2
    assert "password: at least" in capsys.readouterr().err
    assert run(db, monkeypatch, "user", "add", "toimisto", "--admin") == 2
    assert "--password-stdin" in capsys.readouterr().err
    assert User.select().count() == 0


def test_a_persons_account_and_unlock(db, monkeypatch, capsys) -> None:
    assert run(db, monkeypatch, "person", "add", "Maija", "040 100 0001") == 0
    assert run(db, monkeypatch, "user", "add", "maija", "--person", "Maija",
               "--password-stdin", stdin="maijan-salasana\n") == 0
    user = User.get(User.username == "maija")
    assert user.role == "person" and user.person.name == "Maija"
    for client in ("192.168.1.20", "192.168.1.21"):  # locked out from two addresses
        for _ in range(MAX_FAILURES):
            with pytest.raises(AuthError):
                log_in("maija", "arvaus-arvaus", client, Throttle())
    with pytest.raises(AuthError) as locked:
        log_in("maija", "maijan-salasana", "192.168.1.20", Throttle())
    assert locked.value.status == 423
    assert User.get(User.username == "maija").locked_until is not None
    assert run(db, monkeypatch, "user", "unlock", "maija") == 0
    assert "from every address" in capsys.readouterr().out
    assert User.get(User.username == "maija").locked_until is None
    assert not LoginFailure.select().where(LoginFailure.username == "maija").exists()
    for client in ("192.168.1.20", "192.168.1.21"):
        assert log_in("maija", "maijan-salasana", client, Throttle()).user.username == "maija"
    assert run(db, monkeypatch, "user", "list", "--json") == 0
    assert "maija" in capsys.readouterr().out


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "salasana123", "qwertyuiop", "toimisto2025"])
def test_the_cli_refuses_common_and_trivial_passwords(db, monkeypatch, capsys,
                                                       password: str) -> None:
    assert run(db, monkeypatch, "user", "add", "toimisto", "--admin", "--password-stdin",
               stdin=f"{password}\n") == 2
    assert "password: too easy to guess" in capsys.readouterr().err
    assert User.select().count() == 0
    assert run(db, monkeypatch, "user", "add", "toimisto", "--admin", "--password-stdin",
               stdin="toimisto-salasana\n") == 0
    assert run(db, monkeypatch, "user", "password", "toimisto", "--password-stdin",
               stdin=f"{password}\n") == 2
    assert "password: too easy to guess" in capsys.readouterr().err


def test_status_shows_the_set_up_notice_until_the_box_is_claimed(db, monkeypatch,
                                                                 capsys) -> None:
    notice = db.parent / "run" / "setup-code"
    notice.parent.mkdir()
    notice.write_text("Päivystysvaihde is not set up yet.\n"
                      "    Set-up code:   7KQ2-M9XD-3FRT-HB8W\n")
    (db.parent / "api.json").write_text(json.dumps({
        "api_url": "https://127.0.0.1:8443", "api_fingerprint": "AB:CD", "pid": None,
        "setup_code_file": str(notice)}))
    assert run(db, monkeypatch, "status") == 0
    shown = capsys.readouterr().out
    assert "Set-up code:   7KQ2-M9XD-3FRT-HB8W" in shown
    assert "paivystys user add NAME --admin" in shown
    for command in (("status", "--json"), ("lab", "status", "--json")):
        assert run(db, monkeypatch, *command) == 0
        assert json.loads(capsys.readouterr().out)["setup_notice"] == notice.read_text()
    assert run(db, monkeypatch, "lab", "status") == 0
    assert "7KQ2-M9XD-3FRT-HB8W" in capsys.readouterr().out

    assert run(db, monkeypatch, "user", "add", "toimisto", "--admin", "--password-stdin",
               stdin="toimisto-salasana\n") == 0
    capsys.readouterr()
    assert run(db, monkeypatch, "status", "--json") == 0
    assert json.loads(capsys.readouterr().out)["setup_notice"] is None
