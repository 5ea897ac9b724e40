"""The FastAGI server is down: Asterisk still rings the number's people and bridges."""

from paivystys.appliance.ringing.rule import CallOutcome


def test_calls_are_answered_with_fastagi_down(lab, scenario, handsets, call):
    scenario.group("Varmistus", "Paikalla")
    handsets.set(scenario.people["Paikalla"], "human", answer_after=1, confirm_after=1, talk=3,
                 identity="5555")
    agi = lab.services()["agi"]
    agi.stop(kill=True)
    try:
        row = call(scenario.number)
    finally:
        agi.start()
        lab.wait_services_ready()

    assert row["routing"] == "failsafe"
    assert row["outcome"] == CallOutcome.ANSWERED
    assert row["answered_by"] == "Paikalla"
    assert "5555" in row["caller_heard"]
