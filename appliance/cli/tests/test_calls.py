from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from paivystys.appliance.cli.main import main
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import Call, Leg

T0 = dt.datetime(2025, 1, 15, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "paivystys.db"
    open_database(path)
    for index in range(3):
        call = Call.create(call_id=str(index), dialled="0201234567", caller="+358451234567",
                           arrived_at=T0 + dt.timedelta(minutes=index), wait_s=3.0,
                           talk_s=10.0, outcome="answered", answered_by_name="Matti",
                           answered_stage="main")
        Leg.create(call=call, person_name="Matti", phone="+358401000001", stage="main",
                   rung_at=T0 + dt.timedelta(minutes=index), result="confirmed")
    return path


def test_calls_json(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db), "calls", "--json", "--last", "2"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["id"] for row in rows] == [3, 2]
    assert {"id", "number", "number_name", "caller", "arrived_at", "answered_at", "ended_at",
            "wait_s", "talk_s", "outcome", "answered_by", "answered_stage", "recording",
            "routing", "legs"} <= set(rows[0])
    assert rows[0]["legs"][0]["result"] == "confirmed"


def test_calls_table(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db), "calls"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 + 3
    assert lines[2].split()[-4:] == ["3.0", "10.0", "answered", "Matti"]


def test_calls_last_must_be_positive(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db), "calls", "--last", "0"]) == 2
    assert "argument --last: must be at least 1, got 0" in capsys.readouterr().err
