"""`paivystys lab handset` and `paivystys lab call` as an installer uses them."""

import json

from paivystys.appliance.cli.main import main

from conftest import new_mobile

ROW_KEYS = {"id", "number", "caller", "arrived_at", "answered_at", "ended_at", "wait_s",
            "talk_s", "outcome", "answered_by", "recording", "legs"}
LEG_KEYS = {"person", "phone", "group", "rung_at", "result"}


def test_lab_call_prints_the_log_row(lab, scenario, capsys):
    scenario.group("Komentorivi", "Asentaja")
    phone = scenario.people["Asentaja"]
    db = ["--db", str(lab.db_path)]
    assert main([*db, "lab", "handset", phone, "human", "--answer-after", "1",
                 "--confirm-after", "1", "--talk", "3"]) == 0
    assert json.loads(capsys.readouterr().out)["behaviour"] == "human"

    caller = new_mobile()
    national = "0" + scenario.number[4:]  # the trunk may send the national form
    assert main([*db, "lab", "call", caller, national]) == 0
    row = json.loads(capsys.readouterr().out)

    assert set(row) >= ROW_KEYS
    assert row["number"] == scenario.number
    assert row["caller"] == caller
    assert row["outcome"] == "answered"
    assert row["answered_by"] == "Asentaja"
    assert [set(leg) >= LEG_KEYS for leg in row["legs"]] == [True]
    assert row["legs"][0]["group"] == "Komentorivi"


def test_lab_handset_rejects_bad_scripts(lab, capsys):
    code = main(["--db", str(lab.db_path), "lab", "handset", new_mobile(), "busy",
                 "--answer-after", "1"])
    assert code == 2
    assert "answer_after does not apply to a 'busy' handset" in capsys.readouterr().err
