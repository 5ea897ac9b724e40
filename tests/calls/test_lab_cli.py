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


def test_lab_call_from_a_withheld_number(lab, scenario, capsys):
    scenario.group("Salainen", "Salaisen Ottaja")
    db = ["--db", str(lab.db_path)]
    assert main([*db, "lab", "handset", scenario.people["Salaisen Ottaja"], "human",
                 "--answer-after", "1", "--confirm-after", "1", "--talk", "2"]) == 0
    capsys.readouterr()

    assert main([*db, "lab", "call", new_mobile(), scenario.number, "--withheld"]) == 0
    row = json.loads(capsys.readouterr().out)

    assert (row["caller"], row["outcome"]) == ("", "answered")


def test_lab_handset_rejects_bad_scripts(lab, capsys):
    code = main(["--db", str(lab.db_path), "lab", "handset", new_mobile(), "busy",
                 "--answer-after", "1"])
    assert code == 2
    assert "answer_after does not apply to a 'busy' handset" in capsys.readouterr().err


def test_lab_sms_in_and_lab_sms_and_the_outbox(lab, scenario, capsys):
    """An installer texts the box as a person, then reads what the modem sent back."""
    import time

    scenario.group("Tekstari", "Tekstaaja")
    phone = scenario.people["Tekstaaja"]
    db = ["--db", str(lab.db_path)]
    spaced = f"0{phone[4:6]} {phone[6:9]} {phone[9:]}"  # "040 000 0123", as people type it
    assert main([*db, "lab", "sms-in", spaced, "off"]) == 0
    assert f"from {phone}: off" in capsys.readouterr().out

    deadline = time.monotonic() + 15
    while True:
        assert main([*db, "lab", "sms", "--json"]) == 0
        sent = [m for m in json.loads(capsys.readouterr().out) if m["recipient"] == phone]
        if sent or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(sent) == 1 and "PÄÄLLE" in sent[0]["text"]

    assert main([*db, "sms", "--json"]) == 0
    outbox = json.loads(capsys.readouterr().out)
    assert outbox["modem"]["connected"] and outbox["modem"]["registered"]
    [mine] = [m for m in outbox["messages"] if m["recipient"] == phone]
    assert (mine["reason"], mine["state"]) in {("duty_off", "sent"), ("duty_off", "delivered")}

    assert main([*db, "lab", "sms-in", "", "x"]) == 2
    assert "refused the message" in capsys.readouterr().err
