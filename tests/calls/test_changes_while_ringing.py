"""Configuration changes while phones ring, while a person listens to the prompt, and as the
backup stage starts: each change reloads Asterisk's dialplan (which clears its globals), and
the call must still be taken by the first 1.

The per-call state lives on the caller's channel, so a reload cannot take it away; these
tests keep reloading throughout the call, so that every moment of it (ringing, prompt, the
claim, the stage change) sees at least one reload.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from paivystys.appliance.directory import Directory
from paivystys.appliance.ringing.rule import CallOutcome, LegResult, Stage

from conftest import new_mobile

# A change every this many seconds (each also waits for its reload to finish).
CHANGE_EVERY_S = 0.3


@contextmanager
def changing_configuration(lab, bystander: str) -> Iterator[list[int]]:
    """Toggle `bystander`'s duty over and over (a real change: the failsafe legs in the
    dialplan change with it) until the block ends; yields the list counting the reloads."""
    extensions = lab.appliance().instance_dir / "etc" / "extensions.conf"
    done = threading.Event()
    reloads: list[int] = []
    errors: list[BaseException] = []

    def keep_changing() -> None:
        directory = Directory()
        on_duty = False
        try:
            while not done.is_set():
                before = extensions.read_text()
                directory.change_person(bystander, on_duty=on_duty)
                if extensions.read_text() != before:
                    reloads.append(1)
                on_duty = not on_duty
                done.wait(CHANGE_EVERY_S)
        except BaseException as error:  # reported in the test's own thread
            errors.append(error)

    changer = threading.Thread(target=keep_changing, name="changes", daemon=True)
    changer.start()
    try:
        yield reloads
    finally:
        done.set()
        changer.join(timeout=30)
    assert not errors, errors


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
