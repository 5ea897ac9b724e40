"""`paivystys modem`: the SIM's PIN asked on the terminal or read from standard input, never
from the command line; refusals say why without repeating the PIN; the status says what the
SIM waits for."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from paivystys.appliance.audit import entries
from paivystys.appliance.changes import Changes
from paivystys.appliance.cli.main import main
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import ModemHealth, utcnow
from paivystys.appliance.sms import sim_pin
from paivystys.appliance.sms.sim_pin import SimReport


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "paivystys.db"
    database = open_database(path)
    yield path
    database.close()


def run(db: Path, monkeypatch: pytest.MonkeyPatch, *argv: str, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["--db", str(db), *argv])


def test_the_pin_read_from_standard_input_is_stored(
        db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(db, monkeypatch, "modem", "pin", "set", "--pin-stdin", stdin="2468\r\n") == 0
    assert "The SIM's PIN is stored" in capsys.readouterr().out
    assert sim_pin.pin_to_enter(None).pin == "2468"
    assert run(db, monkeypatch, "modem", "pin", "clear") == 0
    assert capsys.readouterr().out == "No SIM PIN is stored now.\n"
    assert sim_pin.pin_status().has_pin is False
    assert [row["action"] for row in entries()] == ["sim_pin.clear", "sim_pin.set"]


def test_the_pin_is_asked_twice_on_a_terminal(
        db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    typed = iter(["1357", "1375", "1357", "1357"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(typed))
    terminal = io.StringIO()
    terminal.isatty = lambda: True  # type: ignore[method-assign]
    monkeypatch.setattr("sys.stdin", terminal)
    assert main(["--db", str(db), "modem", "pin", "set"]) == 2
    assert "the PINs differ" in capsys.readouterr().err
    assert sim_pin.pin_status().has_pin is False
    assert main(["--db", str(db), "modem", "pin", "set"]) == 0
    assert sim_pin.pin_to_enter(None).pin == "1357"


def test_without_a_terminal_it_says_to_use_pin_stdin(
        db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(db, monkeypatch, "modem", "pin", "set", stdin="2468\n") == 2
    assert "no terminal to ask the PIN on: use --pin-stdin" in capsys.readouterr().err


def test_the_pin_cannot_be_given_on_the_command_line(
        db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # Every user of the machine would see it in ps.
    assert run(db, monkeypatch, "modem", "pin", "set", "2468") == 2
    assert "unrecognized arguments" in capsys.readouterr().err
    assert sim_pin.pin_status().has_pin is False


@pytest.mark.parametrize("typed", ["", "12a4", "12 34", " 1234", "123", "123456789", "١٢٣٤",
                                   "12\x1b[2J34", "12\x0034", '12"4'])
def test_anything_but_a_pin_is_refused_without_repeating_it(
        db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        typed: str) -> None:
    assert run(db, monkeypatch, "modem", "pin", "set", "--pin-stdin", stdin=typed + "\n") == 2
    err = capsys.readouterr().err
    assert err == ("paivystys: error: pin: the SIM's PIN is 4 to 8 digits (0-9), nothing "
                   "else\n")
    assert sim_pin.pin_status().has_pin is False
    assert entries() == []


def test_the_pin_the_sim_refused_is_refused(
        db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(db, monkeypatch, "modem", "pin", "set", "--pin-stdin", stdin="0000\n") == 0
    sim_pin.record_refused("0000")  # as the modem service does
    assert run(db, monkeypatch, "modem", "pin", "set", "--pin-stdin", stdin="0000\n") == 2
    assert "the SIM has refused this PIN" in capsys.readouterr().err


def test_the_status_says_what_the_sim_waits_for(
        db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(db, monkeypatch, "modem", "status") == 0
    assert capsys.readouterr().out == ("Modem: the modem service has not run yet.\n"
                                       "SIM: not known\nPIN: none stored\n")
    ModemHealth.create(id=1, device="/dev/paivystys-modem", connected=True, registered=False,
                       updated_at=utcnow())
    sim_pin.set_pin("0000", Changes("toimisto", apply=lambda: None))
    sim_pin.record_refused("0000")
    sim_pin.report_sim(SimReport(sim_pin.SIM_PIN_REFUSED, 2))
    assert run(db, monkeypatch, "modem", "status") == 0
    assert capsys.readouterr().out == (
        "Modem: answers on /dev/paivystys-modem, not registered to a network\n"
        "SIM: the SIM refused the PIN (2 tries left); it is not entered again: store the "
        "right one\nPIN: stored, refused by the SIM\n")
    assert run(db, monkeypatch, "modem", "status", "--json") == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["sim"]["state"], shown["sim"]["pin_attempts_left"]) == ("pin_refused", 2)
    assert (shown["has_pin"], shown["pin_refused"]) == (True, True)
    assert "0000" not in json.dumps(shown)
