from __future__ import annotations

import json
from pathlib import Path

import pytest

from paivystys.appliance.asterisk import apply as asterisk_apply
from paivystys.appliance.cli.main import main


class Run:
    """Runs `paivystys --db <temp> ...` in-process; counts configuration applies."""

    def __init__(self, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.db = db
        self.capsys = capsys
        self.applied = 0

    def apply(self) -> None:
        self.applied += 1

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        code = main(["--db", str(self.db), *argv])
        out, err = self.capsys.readouterr()
        assert "Traceback" not in err
        return code, out, err

    def ok(self, *argv: str) -> str:
        code, out, err = self(*argv)
        assert (code, err) == (0, ""), err
        return out

    def json(self, *argv: str) -> list[dict]:
        return json.loads(self.ok(*argv, "--json"))


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Run:
    runner = Run(tmp_path / "paivystys.db", capsys)
    monkeypatch.setattr(asterisk_apply, "apply_configuration", runner.apply)
    return runner


def configure(run: Run) -> None:
    run.ok("number", "add", "020 123 4567", "Demo päivystys", "--recording",
           "--retention-days", "30")
    run.ok("group", "add", "Huolto")
    run.ok("group", "add", "Varalla")
    run.ok("person", "add", "Matti Virtanen", "040 100 0001", "--public-phone", "040 100 0009")
    run.ok("person", "add", "Liisa Korhonen", "0501000002", "--off-duty", "--no-sms")
    run.ok("member", "add", "Matti Virtanen", "Huolto")
    run.ok("member", "add", "+358501000002", "Huolto")
    run.ok("number", "groups", "Demo päivystys", "Huolto")
    run.ok("backup", "set", "0201234567", "Varalla")


def test_configure_and_list_as_json(run: Run) -> None:
    configure(run)
    assert run.applied == 9
    assert run.json("number", "list") == [{
        "id": 1, "number": "+358201234567", "name": "Demo päivystys", "recording": True,
        "retention_days": 30, "sms_on_taken": True, "sms_to_caller": True,
        "sms_on_missed": True, "groups": ["Huolto"], "backup_group": "Varalla"}]
    groups = run.json("group", "list")
    assert [g["name"] for g in groups] == ["Huolto", "Varalla"]
    assert [m["name"] for m in groups[0]["members"]] == ["Liisa Korhonen", "Matti Virtanen"]
    assert set(groups[0]) == {"id", "name", "members", "rings_for", "backup_for"}
    people = run.json("person", "list")
    assert [person.pop("personal_number").isdigit() for person in people] == [True, True]
    assert people == [
        {"id": 2, "name": "Liisa Korhonen", "phone": "+358501000002", "on_duty": False,
         "wants_sms": False, "public_phone": None, "groups": ["Huolto"], "has_pin": False,
         "pin_locked_until": None},
        {"id": 1, "name": "Matti Virtanen", "phone": "+358401000001", "on_duty": True,
         "wants_sms": True, "public_phone": "+358401000009", "groups": ["Huolto"],
         "has_pin": False, "pin_locked_until": None},
    ]
    run.ok("number", "change", "Demo päivystys", "--no-sms-to-caller")
    assert run.json("number", "list")[0]["sms_to_caller"] is False
    assert {"key": "ring_time", "value": "30", "default": "30", "choices": None} in run.json(
        "settings", "list")
    assert run.applied == 10


def test_lists_as_tables(run: Run) -> None:
    assert run.ok("number", "list") == "No on-call numbers.\n"
    configure(run)
    numbers = run.ok("number", "list").splitlines()
    assert numbers[2].split() == ["1", "+358201234567", "Demo", "päivystys", "Huolto", "Varalla",
                                  "on,", "kept", "30", "d"]
    assert "Liisa Korhonen (off duty), Matti Virtanen" in run.ok("group", "list")
    assert "Matti Virtanen  +358401000001  yes" in run.ok("person", "list")
    assert "ring_time" in run.ok("settings", "list")


def test_changes(run: Run) -> None:
    configure(run)
    assert run.ok("person", "change", "Matti Virtanen", "--off-duty", "--no-sms",
                  "--phone", "040 100 0009") == (
        "changed person Matti Virtanen +358401000009 (id 1, off duty, no SMS)\n")
    run.ok("number", "change", "+358201234567", "--name", "Yö", "--no-recording")
    assert run.json("number", "list")[0]["name"] == "Yö"
    assert run.ok("group", "rename", "Huolto", "Kiinteistö") == (
        "renamed group 'Huolto' to 'Kiinteistö'\n")
    run.ok("member", "remove", "Matti Virtanen", "Kiinteistö")
    run.ok("backup", "clear", "Yö")
    assert run.json("number", "list")[0]["backup_group"] is None
    assert run.ok("number", "groups", "Yö", "--none") == "+358201234567 'Yö' rings: no group\n"
    assert run.ok("settings", "set", "ring_time", "45") == "ring_time = 45\n"
    run.ok("person", "remove", "0401000009")
    run.ok("group", "remove", "Varalla")
    run.ok("number", "remove", "Yö")
    assert run.json("number", "list") == []
    assert run.applied == 9 + 10


@pytest.mark.parametrize(("argv", "code", "message"), [
    (["person", "add", "Matti", "112"],
     2, "phone: '112' is an emergency number, not a phone number"),
    (["number", "add", "0201234567", "Demo", "--retention-days", "0"],
     2, "retention_days: must be 1..3650 days, got 0"),
    (["settings", "set", "ring_time", "1"], 2, "ring_time: must be at least 5, got 1"),
    (["settings", "set", "colour", "red"], 1, "key: unknown setting 'colour'"),
    (["group", "add", "huolto"], 1, "name: a group called 'Huolto' already exists (id 1)"),
    (["member", "add", "Nobody", "Huolto"], 1, "person: no person 'Nobody'"),
    (["backup", "set", "0209999999", "Huolto"], 1, "number: no on-call number +358209999999"),
    (["group", "remove", "Huolto"], 1, "group: 'Huolto' is still a ringing group of "
                                       "+358201234567 (Demo päivystys)"),
    (["number", "groups", "Demo päivystys"], 2, "give the groups the number rings, or --none"),
])
def test_errors_are_one_line_with_exit_code(run: Run, argv: list[str], code: int,
                                            message: str) -> None:
    configure(run)
    applied = run.applied
    got, out, err = run(*argv)
    assert (got, out) == (code, "")
    assert err.startswith(f"paivystys: error: {message}")
    assert err.count("\n") == 1
    assert run.applied == applied


def test_group_remove_force(run: Run) -> None:
    configure(run)
    assert run.ok("group", "remove", "Huolto", "--force") == "removed group 'Huolto'\n"
    assert run.json("number", "list")[0]["groups"] == []


def test_usage_errors_exit_2(run: Run) -> None:
    code, _, err = run("person", "add", "Matti", "0401000001", "--on-duty", "--off-duty")
    assert code == 2
    assert "not allowed with argument" in err
    code, _, err = run("number", "add", "0201234567", "Demo", "--retention-days", "many")
    assert code == 2
    assert "invalid int value: 'many'" in err
    assert run("frobnicate")[0] == 2


def test_apply_failure_says_the_change_is_saved(run: Run,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise RuntimeError("Asterisk did not reload")

    monkeypatch.setattr(asterisk_apply, "apply_configuration", broken)
    code, _, err = run("group", "add", "Huolto")
    assert code == 1
    assert err == ("paivystys: error: the change is saved, but applying it to Asterisk failed: "
                   "Asterisk did not reload\n")
    assert [g["name"] for g in run.json("group", "list")] == ["Huolto"]


def test_unusable_database_path(run: Run, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    run.db = blocker / "paivystys.db"
    code, _, err = run("group", "list")
    assert code == 1
    assert err.startswith(f"paivystys: error: cannot open database {run.db}: ")


def test_db_defaults_to_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PAIVYSTYS_DB", str(tmp_path / "env.db"))
    monkeypatch.setattr(asterisk_apply, "apply_configuration", lambda: None)
    assert main(["group", "add", "Huolto"]) == 0
    assert (tmp_path / "env.db").exists()
    capsys.readouterr()
