"""Nobody in the number's groups confirms: the backup group; nobody there either: missed."""

from paivystys.appliance.ringing.rule import CallOutcome, LegResult, Stage

from conftest import RING_TIME


def test_backup_group_answers(scenario, handsets, call):
    scenario.group("Päivä", "Eka", "Toka")
    scenario.group("Varalla", "Varamies", backup=True)
    handsets.set(scenario.people["Eka"], "no-answer")
    handsets.set(scenario.people["Toka"], "busy")
    handsets.set(scenario.people["Varamies"], "human", answer_after=1, confirm_after=1, talk=3,
                 identity="9090")

    row = call(scenario.number)

    assert row["outcome"] == CallOutcome.ANSWERED_BY_BACKUP
    assert row["answered_by"] == "Varamies"
    assert "9090" in row["caller_heard"]
    legs = {(leg["person"], leg["stage"]): leg["result"] for leg in row["legs"]}
    assert legs == {
        ("Eka", Stage.MAIN): LegResult.NO_ANSWER,
        ("Toka", Stage.MAIN): LegResult.BUSY,
        ("Varamies", Stage.BACKUP): LegResult.CONFIRMED,
    }
    assert abs(row["wait_s"] - (RING_TIME + 2)) <= 0.5, row


def test_nobody_anywhere_is_missed(scenario, handsets, call):
    scenario.group("Yö", "Nukkuja")
    scenario.group("Yövara", "Toinen nukkuja", backup=True)
    handsets.set(scenario.people["Nukkuja"], "no-answer")
    handsets.set(scenario.people["Toinen nukkuja"], "decline")

    row = call(scenario.number)

    assert row["outcome"] == CallOutcome.MISSED
    assert row["answered_by"] is None
    results = {leg["person"]: leg["result"] for leg in row["legs"]}
    assert results == {"Nukkuja": LegResult.NO_ANSWER, "Toinen nukkuja": LegResult.DECLINED}
    assert row["wait_s"] >= RING_TIME
