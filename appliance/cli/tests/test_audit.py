"""Every command that changes something is in the audit log as the Unix user's (cli:<user>),
with what it changed; a change Asterisk could not take stays saved and the command fails with
the reason.  A new command fails ``test_every_command_is_classified`` until it is listed here."""

from __future__ import annotations

import argparse
import getpass
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from paivystys.appliance.audit import entries
from paivystys.appliance.backup import list_backups
from paivystys.appliance.cli.main import build_parser, main
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import Group
from paivystys.appliance.sms import kinds, templates

PASSWORD = "toimiston-salasana-9"
SIM_PIN = "86420"
PERSON_PIN = "57213"  # a person's PIN for the listening line
OWN_TEXT = templates.DEFAULTS[kinds.HELP]["fi"] + " Terveisin toimisto."

# Each changing command, in an order that works on one database, with the audit row it must
# leave: (action, target).  FILE is replaced by a backup file's path.
CHANGES: list[tuple[tuple[str, ...], tuple[str, str | None]]] = [
    (("number", "add", "020 123 4567", "Huolto"), ("number.add", "+358201234567")),
    (("number", "add", "020 765 4321", "Yö"), ("number.add", "+358207654321")),
    (("number", "change", "Yö", "--name", "Ilta"), ("number.change", "+358207654321")),
    (("number", "remove", "Ilta"), ("number.remove", "+358207654321")),
    (("group", "add", "Kiinteistö"), ("group.add", "Kiinteistö")),
    (("group", "add", "Varalla"), ("group.add", "Varalla")),
    (("group", "add", "Turha"), ("group.add", "Turha")),
    (("group", "rename", "Turha", "Tarpeeton"), ("group.rename", "Tarpeeton")),
    (("group", "remove", "Tarpeeton"), ("group.remove", "Tarpeeton")),
    (("number", "groups", "Huolto", "Kiinteistö"), ("number.groups", "+358201234567")),
    (("backup", "set", "Huolto", "Varalla"), ("number.backup", "+358201234567")),
    (("backup", "clear", "Huolto"), ("number.backup", "+358201234567")),
    (("person", "add", "Maija Virtanen", "040 100 0001"), ("person.add", "Maija Virtanen")),
    (("person", "add", "Pekka Laine", "040 100 0002"), ("person.add", "Pekka Laine")),
    (("person", "change", "Pekka Laine", "--off-duty"), ("person.change", "Pekka Laine")),
    (("person", "remove", "Pekka Laine"), ("person.remove", "Pekka Laine")),
    (("person", "pin", "set", "Maija Virtanen", "--pin-stdin"),
     ("person.pin.set", "Maija Virtanen")),
    (("person", "pin", "unlock", "Maija Virtanen"), ("person.pin.unlock", "Maija Virtanen")),
    (("listening-number", "add", "020 555 0199", "Kuuntelu"),
     ("listening_number.add", "+358205550199")),
    (("listening-number", "change", "Kuuntelu", "--number", "020 555 0198"),
     ("listening_number.change", "+358205550198")),
    (("listening-number", "remove", "Kuuntelu"), ("listening_number.remove", "+358205550198")),
    (("member", "add", "Maija Virtanen", "Kiinteistö"),
     ("member.add", "Maija Virtanen -> Kiinteistö")),
    (("member", "remove", "Maija Virtanen", "Kiinteistö"),
     ("member.remove", "Maija Virtanen -> Kiinteistö")),
    (("settings", "set", "ring_time", "45"), ("setting.set", "ring_time")),
    (("sms-template", "set", kinds.HELP, "fi", OWN_TEXT), ("sms_template.set", "help.fi")),
    (("sms-template", "reset", kinds.HELP, "fi"), ("sms_template.reset", "help.fi")),
    (("user", "add", "toimisto", "--admin", "--password-stdin"), ("user.add", "toimisto")),
    (("user", "add", "maija", "--person", "Maija Virtanen", "--password-stdin"),
     ("user.add", "maija")),
    (("user", "password", "maija", "--password-stdin"), ("user.password", "maija")),
    (("user", "unlock", "maija"), ("user.unlock", "maija")),
    (("user", "remove", "maija"), ("user.remove", "maija")),
    (("modem", "pin", "set", "--pin-stdin"), ("sim_pin.set", None)),
    (("modem", "pin", "clear"), ("sim_pin.clear", None)),
    (("config-backup", "create", "FILE"), ("backup.create", None)),
    (("config-backup", "restore", "FILE"), ("backup.restore", None)),
    (("config-backup", "save"), ("backup.create", "STORED")),
]
# Commands that change no configuration: they read it, or run lab mode's simulated world
# (lab up seeds the demo configuration on an empty box, as the appliance itself: "system").
READS = {"number list", "group list", "person list", "settings list", "calls", "sms",
         "listening-number list",
         "sms-template list", "user list", "status", "db version", "modem status",
         "config-backup list", "network show"}
# Upkeep of the box itself, not a configuration change: a schema migration leaves its own
# audit row, from which version to which (test_db.py), and none when there was nothing to do;
# the box's set-up migrates the same way and otherwise only writes what the database says.
UPKEEP = {"db migrate", "box setup", "box network-apply"}
# A software update is upkeep too.  'update install' audits its request as the Unix
# user's (update.request), tested on a machine of its own in test_update_cli.py; root's
# installer records its outcome in the update's state.
READS |= {"update status"}
UPKEEP |= {"update install", "box update-install"}
# The box's network setting: each change is audited as the Unix user's, with a stand-in for
# the root applier that tries it (test_network.py).
NETWORK = {"network set-static", "network set-dhcp", "network confirm", "network revert"}
LAB = {"lab prepare", "lab up", "lab down", "lab status", "lab asterisk", "lab handset",
       "lab call", "lab listen", "lab sms", "lab sms-in"}


def commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> Iterator[str]:
    """Every command of the real parser, as typed ("number add")."""
    actions = [action for action in parser._actions
               if isinstance(action, argparse._SubParsersAction)]
    if not actions:
        yield " ".join(prefix)
        return
    for name, sub in actions[0].choices.items():
        yield from commands(sub, (*prefix, name))


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "paivystys.db"
    database = open_database(path)
    yield path
    database.close()


def run(db: Path, monkeypatch: pytest.MonkeyPatch, argv: tuple[str, ...]) -> int:
    typed = {("modem", "pin"): SIM_PIN, ("person", "pin"): PERSON_PIN}.get(argv[:2], PASSWORD)
    monkeypatch.setattr("sys.stdin", io.StringIO(typed + "\n"))
    return main(["--db", str(db), *argv])


def test_every_command_is_classified() -> None:
    every = set(commands(build_parser()))
    changing = {next(" ".join(argv[:size]) for size in (1, 2, 3) if " ".join(argv[:size]) in every)
                for argv, _ in CHANGES}
    assert changing.isdisjoint(READS | LAB | UPKEEP | NETWORK)
    assert changing | READS | LAB | UPKEEP | NETWORK == every


def test_every_changing_command_is_audited_as_the_unix_users(
        db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    actor = f"cli:{getpass.getuser()}"
    backup = tmp_path / "paivystys-backup.json"
    for argv, (action, target) in CHANGES:
        argv = tuple(str(backup) if arg == "FILE" else arg for arg in argv)
        before = len(entries(1000))
        assert run(db, monkeypatch, argv) == 0, capsys.readouterr().err
        rows = entries(1000)
        assert len(rows) == before + 1, argv
        if target == "STORED":  # the name of the backup it kept, which has its time in it
            target = list_backups(db.parent)[0].name
        assert (rows[0]["actor"], rows[0]["action"], rows[0]["target"]) == (
            actor, action, target), argv
    capsys.readouterr()
    # What the rows say, and that no password reached them.
    shown = {row["action"]: row["details"] for row in reversed(entries(1000))}
    assert shown["person.add"]["phone"] == "040 100 0002"
    assert shown["setting.set"] == {"value": "45"}
    assert shown["user.add"] == {"role": "person", "person_id": 1}
    assert set(shown["backup.restore"]["counts"]) >= {"person", "group", "user"}
    assert shown["sim_pin.set"] is None
    assert PASSWORD not in json.dumps(entries(1000))
    assert SIM_PIN not in json.dumps(entries(1000))
    assert PERSON_PIN not in json.dumps(entries(1000))


def test_reads_and_refusals_are_not_audited(db: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (("number", "list"), ("group", "list", "--json"), ("person", "list"),
                 ("settings", "list"), ("calls",), ("sms",), ("sms-template", "list"),
                 ("user", "list"), ("status",), ("db", "version"), ("modem", "status"),
                 ("config-backup", "list"), ("listening-number", "list")):
        assert run(db, monkeypatch, argv) == 0, argv
    assert run(db, monkeypatch, ("group", "add", "")) == 2
    assert run(db, monkeypatch, ("person", "remove", "Nobody")) == 1
    capsys.readouterr()
    assert entries() == []


def test_a_change_asterisk_cannot_take_fails_but_stays_saved(
        db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # Lab mode's record of where Asterisk runs, pointing at a root filesystem that is gone.
    (db.parent / "deployment.json").write_text(json.dumps(
        {"rootfs": str(db.parent / "gone"), "netns": None}))
    assert run(db, monkeypatch, ("group", "add", "Huolto")) == 1
    err = capsys.readouterr().err
    assert err.startswith("paivystys: error: the change is saved, but applying it to Asterisk "
                          "failed: cannot read ")
    assert "gone/etc/passwd" in err
    assert [group.name for group in Group.select()] == ["Huolto"]
    failed, saved = entries(2)
    assert (saved["action"], saved["target"]) == ("group.add", "Huolto")
    assert failed["action"] == "apply.failed"
    assert failed["details"]["saved"] == ["group.add Huolto"]
    # A change Asterisk does not read needs no Asterisk.
    assert run(db, monkeypatch, ("user", "add", "toimisto", "--admin", "--password-stdin")) == 0
