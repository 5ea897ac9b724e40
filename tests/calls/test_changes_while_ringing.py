"""Configuration changes while phones ring, while a person listens to the prompt, and as the
backup stage starts: each change reloads Asterisk's dialplan (which clears its globals), and
the call must still be taken by the first 1.

The per-call state lives on the caller's channel, so a reload cannot take it away; these
tests keep reloading throughout the call, so that every moment of it (ringing, prompt, the
claim, the stage change) sees at least one reload.
"""

from __future__ import annotations

import threading

from paivystys.appliance.ringing.rule import CallOutcome, LegResult, Stage

from conftest import changing_configuration, new_mobile


def test_changes_while_ringing_and_in_the_prompt(lab, scenario, handsets, call):
    scenario.group("Muuttuva", "Soiva", "Kuulija", "Sivullinen")
    handsets.set(scenario.people["Soiva"], "no-answer")
    # answers at 2 s and listens to the prompt for 3 s before pressing 1
    handsets.set(scenario.people["Kuulija"], "human", answer_after=2, confirm_after=3, talk=3,
                 identity="5151")
    handsets.set(scenario.people["Sivullinen"], "no-answer")
    with changing_configuration(lab, "Sivullinen") as reloads:
        # The issue's own case too: a ringing member removed from the group mid-call.
        remover = threading.Timer(1.0, scenario.directory.remove_member, ("Soiva", "Muuttuva"))
        remover.start()
        row = call(scenario.number)
        remover.join()

    assert len(reloads) >= 10, reloads
    assert row["outcome"] == CallOutcome.ANSWERED, row
    assert row["answered_by"] == "Kuulija"
    assert "5151" in row["caller_heard"]
    assert abs(row["wait_s"] - 5) <= 1.0, row
    legs = {leg["person"]: leg["result"] for leg in row["legs"]}
    assert legs["Kuulija"] == LegResult.CONFIRMED
    assert legs["Soiva"] == LegResult.NO_ANSWER


def test_changes_as_the_backup_stage_starts(lab, scenario, handsets, call, ring_time):
    ring_time(5)
    scenario.group("Ensin", "Poissaoleva", "Sivussa")
    scenario.group("Vara", "Muutosten Varamies", backup=True)
    handsets.set(scenario.people["Poissaoleva"], "no-answer")
    handsets.set(scenario.people["Sivussa"], "no-answer")
    handsets.set(scenario.people["Muutosten Varamies"], "human", answer_after=1,
                 confirm_after=1, talk=3, identity="7272")
    with changing_configuration(lab, "Sivussa") as reloads:
        row = call(scenario.number, caller=new_mobile())

    assert len(reloads) >= 10, reloads
    assert row["outcome"] == CallOutcome.ANSWERED_BY_BACKUP, row
    assert row["answered_by"] == "Muutosten Varamies"
    assert "7272" in row["caller_heard"]
    legs = {(leg["person"], leg["stage"]): leg["result"] for leg in row["legs"]}
    assert legs[("Muutosten Varamies", Stage.BACKUP)] == LegResult.CONFIRMED
    assert legs[("Poissaoleva", Stage.MAIN)] == LegResult.NO_ANSWER
