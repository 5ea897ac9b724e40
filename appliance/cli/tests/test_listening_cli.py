"""`paivystys listening-number ...` and `paivystys person pin ...`: listening numbers like
on-call numbers, never both; a PIN read from the terminal or standard input, never from the
command line, refused naming the problem; a phone lock lifted."""

from __future__ import annotations

import datetime as dt
import io

import argon2
import pytest

from paivystys.appliance.audit import entries
from paivystys.appliance.cli.main import build_parser
from paivystys.appliance.db.models import ListeningNumber, Person
from paivystys.appliance.listening import pins

from .test_admin import Run, run

__all__ = ["run"]  # the fixture, used by name


@pytest.fixture(autouse=True)
def cheapest_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands are under test, not argon2's cost."""
    cheapest = argon2.PasswordHasher.from_parameters(argon2.profiles.CHEAPEST)
    monkeypatch.setattr(pins, "_hasher", cheapest)


def fails(run: Run, *argv: str) -> tuple[int, str]:
    code, out, err = run(*argv)
    assert code != 0 and out == ""
    return code, err


def typed(monkeypatch: pytest.MonkeyPatch, text: str, tty: bool = False) -> None:
    stdin = io.StringIO(text)
    stdin.isatty = lambda: tty  # type: ignore[method-assign]
    monkeypatch.setattr("sys.stdin", stdin)


def test_listening_numbers_are_added_listed_changed_and_removed(run: Run) -> None:
    assert run.ok("listening-number", "list") == "No listening numbers.\n"
    assert run.ok("listening-number", "add", "020 555 0199", "Kuuntelu") == (
        "added listening number +358205550199 'Kuuntelu' (id 1)\n")
    assert run.json("listening-number", "list") == [
        {"id": 1, "number": "+358205550199", "name": "Kuuntelu"}]
    assert "+358205550199  Kuuntelu" in run.ok("listening-number", "list")
    assert run.ok("listening-number", "change", "0205550199", "--name", "Kuuntele") == (
        "changed listening number +358205550199 'Kuuntele' (id 1)\n")
    assert run.ok("listening-number", "remove", "Kuuntele") == (
        "removed listening number +358205550199 'Kuuntele'\n")
    assert run.applied == 3
    assert not ListeningNumber.select().exists()


def test_a_number_is_an_on_call_number_or_a_listening_number(run: Run) -> None:
    run.ok("number", "add", "020 123 4567", "Huolto")
    code, err = fails(run, "listening-number", "add", "+358 20 123 4567", "Kuuntelu")
    assert code == 1
    assert err == ("paivystys: error: number: +358201234567 is already the on-call number "
                   "+358201234567 (Huolto)\n")
    run.ok("listening-number", "add", "020 555 0199", "Kuuntelu")
    code, err = fails(run, "number", "add", "0205550199", "Toinen")
    assert "is already the listening number +358205550199 (Kuuntelu)" in err


@pytest.mark.parametrize(("argv", "problem"), [
    (("listening-number", "add", "112", "Kuuntelu"), "number: '112' is an emergency number"),
    (("listening-number", "add", "0205550199;Dial(x)", "Kuuntelu"), "number: "),
    (("listening-number", "add", "0205550199", "Kuun\ntelu"), "contains control characters"),
    (("listening-number", "add", "0205550199", "0205550199"), "looks like an id or a phone"),
    (("listening-number", "change", "Nobody", "--name", "X"),
     "listening_number: no listening number 'Nobody'"),
    (("listening-number", "change", "1"), "number: nothing to change"),
])
def test_hostile_listening_number_input_is_refused_saying_why(run: Run, argv: tuple[str, ...],
                                                              problem: str) -> None:
    if argv[1] == "change" and argv[2] == "1":
        run.ok("listening-number", "add", "020 555 0198", "Kuuntelu")
    _, err = fails(run, *argv)
    assert err.startswith("paivystys: error: ") and problem in err


def test_a_pin_is_read_from_standard_input_and_never_shown(run: Run,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    run.ok("person", "add", "Matti Virtanen", "040 100 0001")
    personal_number = Person.get().personal_number
    typed(monkeypatch, "4711\n")
    out = run.ok("person", "pin", "set", "Matti Virtanen", "--pin-stdin")
    assert out == f"new PIN for Matti Virtanen; their personal number is {personal_number}\n"
    assert pins._hasher.verify(Person.get().pin_hash, "4711")
    assert run.json("person", "list")[0]["has_pin"] is True
    assert "set" in run.ok("person", "list").splitlines()[-1]
    assert "4711" not in str(entries(100))


def test_a_pin_is_asked_twice_on_a_terminal(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    run.ok("person", "add", "Matti Virtanen", "040 100 0001")
    typed(monkeypatch, "", tty=True)
    answers = iter(["4711", "4711", "4711", "4712"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    run.ok("person", "pin", "set", "Matti Virtanen")
    assert pins._hasher.verify(Person.get().pin_hash, "4711")
    code, err = fails(run, "person", "pin", "set", "Matti Virtanen")
    assert (code, err) == (2, "paivystys: error: the PINs differ\n")


def test_without_a_terminal_the_pin_must_come_on_standard_input(
        run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    run.ok("person", "add", "Matti Virtanen", "040 100 0001")
    typed(monkeypatch, "4711\n", tty=False)
    code, err = fails(run, "person", "pin", "set", "Matti Virtanen")
    assert (code, err) == (2, "paivystys: error: no terminal to ask the PIN on: use "
                              "--pin-stdin\n")
    assert Person.get().pin_hash is None


def test_the_pin_is_never_a_command_line_argument() -> None:
    parser = build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["person", "pin", "set", "Matti", "4711"])
    with pytest.raises(SystemExit):
        parser.parse_args(["person", "pin", "set", "Matti", "--pin", "4711"])


@pytest.mark.parametrize(("line", "problem"), [
    ("\n", "pin: 4-8 digits, got 0"),
    ("12\n", "pin: 4-8 digits, got 2"),
    ("123456789\n", "pin: 4-8 digits, got 9"),
    ("47a1\n", "pin: digits 0-9 only"),
    ("4711\r\n", "pin: digits 0-9 only"),
    ("٤٧١١\n", "pin: digits 0-9 only"),
    ("0000\n", "pin: one digit repeated"),
    ("1234\n", "in a run up or down"),
    ("$(reboot)\n", "pin: digits 0-9 only"),
])
def test_a_pin_that_is_no_pin_is_refused_saying_why(run: Run, monkeypatch: pytest.MonkeyPatch,
                                                   line: str, problem: str) -> None:
    run.ok("person", "add", "Matti Virtanen", "040 100 0001")
    typed(monkeypatch, line)
    code, err = fails(run, "person", "pin", "set", "Matti Virtanen", "--pin-stdin")
    assert code == 2 and problem in err
    assert Person.get().pin_hash is None
    assert "person.pin.set" not in [row["action"] for row in entries(100)]


def test_the_pin_of_nobody_is_refused_before_it_is_asked(run: Run,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    typed(monkeypatch, "", tty=True)
    monkeypatch.setattr("getpass.getpass", lambda prompt: pytest.fail("asked"))
    code, err = fails(run, "person", "pin", "set", "Nobody")
    assert (code, err) == (1, "paivystys: error: person: no person 'Nobody'\n")


def test_a_phone_lock_shows_and_is_lifted(run: Run) -> None:
    run.ok("person", "add", "Matti Virtanen", "040 100 0001")
    until = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(minutes=10)
    Person.update(pin_failures=0, pin_locked_until=until).execute()
    shown = until.isoformat(timespec="seconds")
    assert run.json("person", "list")[0]["pin_locked_until"] == shown
    assert f"locked until {shown}" in run.ok("person", "list")
    assert run.ok("person", "pin", "unlock", "0401000001") == (
        "Matti Virtanen may use the listening line again\n")
    assert Person.get().pin_locked_until is None
    assert entries(1)[0]["action"] == "person.pin.unlock"
    assert fails(run, "person", "pin", "unlock", "Nobody") == (
        1, "paivystys: error: person: no person 'Nobody'\n")
