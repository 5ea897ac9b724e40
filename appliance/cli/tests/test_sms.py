from __future__ import annotations

import json
from pathlib import Path

import pytest

from paivystys.appliance.cli.main import main
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import ModemHealth
from paivystys.appliance.sms.outbox.store import enqueue


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "paivystys.db"
    open_database(path)
    return path


def test_the_outbox_before_the_modem_service_ever_ran(db: Path, capsys) -> None:
    enqueue(key="a", recipient="+358401000001", text="Maija otti puhelun", reason="taken")
    assert main(["--db", str(db), "sms"]) == 0
    out = capsys.readouterr().out
    assert "the modem service has not run yet" in out
    assert "+358401000001" in out and "queued" in out


def test_the_outbox_as_json_with_the_modems_health(db: Path, capsys) -> None:
    ModemHealth.create(device="/dev/ttyUSB0", connected=True, registered=False, signal=7)
    enqueue(key="a", recipient="+358401000001", text="x", reason="taken")
    enqueue(key="b", recipient="+358401000002", text="y", reason="missed")
    assert main(["--db", str(db), "sms", "--json", "--state", "queued", "--last", "1"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["modem"]["registered"] is False and shown["modem"]["signal"] == 7
    assert [m["recipient"] for m in shown["messages"]] == ["+358401000002"]
    assert main(["--db", str(db), "sms"]) == 0
    assert "NOT registered" in capsys.readouterr().out


def test_templates_can_be_listed_changed_and_reset(db: Path, capsys) -> None:
    base = ["--db", str(db), "sms-template"]
    assert main([*base, "set", "taken", "fi", "{name} hoitaa ({caller})"]) == 0
    assert main([*base, "list", "--json"]) == 0
    capsys.readouterr()
    assert main([*base, "list", "--json"]) == 0
    rows = {(row["kind"], row["language"]): row for row in json.loads(capsys.readouterr().out)}
    assert rows[("taken", "fi")]["text"] == "{name} hoitaa ({caller})"
    assert rows[("taken", "fi")]["custom"] is True and rows[("taken", "en")]["custom"] is False
    assert main([*base, "reset", "taken", "fi"]) == 0
    assert "is back to" in capsys.readouterr().out


def test_a_template_with_an_unknown_placeholder_is_refused_naming_it(db: Path, capsys) -> None:
    code = main(["--db", str(db), "sms-template", "set", "taken", "fi", "{nimi} otti"])
    assert code == 2
    err = capsys.readouterr().err
    assert "sms_template.taken.fi" in err and "{nimi}" in err
