"""What the soak calls and what each call must come to.

The on-call numbers ("lines") are a small pool, as on a real box: each has a main group and
perhaps a backup group, 2-5 people in all, nobody shared with another line, so a call's
people are rung for that call only.  Every call gets a new caller number (its key in the call
log and in the handsets' events) and new random handset scripts for the line's people.

Human timings are chosen so that the outcome is certain: a human answers and presses 1 well
within the ring time and the confirmation time, and an abandoning caller hangs up well before
any human could press.  So every call has exactly one right outcome, and a call that a reload
or a killed service made impossible to take shows as a wrong outcome.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from paivystys.appliance.lab.carrier import BUSY, DECLINE, HANG_UP, HUMAN, NO_ANSWER, VOICEMAIL
from paivystys.appliance.lab.handsets import Handset, script
from paivystys.appliance.ringing.rule import CallOutcome

BEHAVIOUR_WEIGHTS = {HUMAN: 30, NO_ANSWER: 20, BUSY: 10, DECLINE: 15, VOICEMAIL: 15,
                     HANG_UP: 10}
# A human answers within this and presses 1 within that after answering: at most 5 s after
# ringing starts, 3 s before an 8 s ring time ends, inside the 3 s confirmation time.
HUMAN_ANSWER_S = (0.5, 3.0)
HUMAN_CONFIRM_S = (0.5, 2.0)
HUMAN_TALK_S = (2.5, 4.0)  # the first identity burst reaches the caller about 2 s after the 1
OTHER_ANSWER_S = (0.5, 5.0)
HANG_UP_AFTER_S = (0.3, 2.5)
ABANDON_SHARE = 0.15
ABANDON_MIN_S = 1.0
# An abandoning caller is gone this long before any human's 1, and before the main stage could
# stop ringing: an unanswered call whose stages are over is missed, whoever hangs up then.
ABANDON_MARGIN_S = 1.0
BACKUP_SHARE = 0.4


@dataclass(frozen=True)
class Person:
    name: str
    phone: str


@dataclass(frozen=True)
class Line:
    """One on-call number of the pool with its people."""

    number: str
    main_group: str
    main: tuple[Person, ...]
    backup_group: str | None
    backup: tuple[Person, ...]

    @property
    def people(self) -> tuple[Person, ...]:
        return self.main + self.backup


@dataclass(frozen=True)
class CallPlan:
    index: int
    line: Line
    caller: str
    handsets: tuple[Handset, ...]  # one script per person of the line, in line.people order
    hangup_after: float | None  # the caller abandons after this many seconds

    def script_of(self, phone: str) -> Handset:
        return next(handset for handset in self.handsets if handset.number == phone)

    def humans(self, people: tuple[Person, ...]) -> tuple[Person, ...]:
        return tuple(person for person in people
                     if self.script_of(person.phone).behaviour == HUMAN)

    @property
    def expected_outcome(self) -> str:
        if self.hangup_after is not None:
            return CallOutcome.ABANDONED
        if self.humans(self.line.main):
            return CallOutcome.ANSWERED
        if self.humans(self.line.backup):
            return CallOutcome.ANSWERED_BY_BACKUP
        return CallOutcome.MISSED

    @property
    def possible_answerers(self) -> tuple[Person, ...]:
        """Who may take the call: the humans of the stage that must take it."""
        if self.expected_outcome == CallOutcome.ANSWERED:
            return self.humans(self.line.main)
        if self.expected_outcome == CallOutcome.ANSWERED_BY_BACKUP:
            return self.humans(self.line.backup)
        return ()

    def describe(self) -> str:
        scripts = ", ".join(f"{person.name} {self.script_of(person.phone).behaviour}"
                            + (" (backup)" if person in self.line.backup else "")
                            for person in self.line.people)
        abandon = ("" if self.hangup_after is None
                   else f", caller hangs up after {self.hangup_after:.1f} s")
        return f"call {self.index} from {self.caller} to {self.line.number}: {scripts}{abandon}"


def line_shape(rng: random.Random) -> tuple[int, int]:
    """How many people a new line has in its main group and in its backup group (0: none)."""
    total = rng.randint(2, 5)
    backup = rng.randint(1, min(2, total - 1)) if rng.random() < BACKUP_SHARE else 0
    return total - backup, backup


def random_script(rng: random.Random, phone: str) -> Handset:
    behaviour = rng.choices(list(BEHAVIOUR_WEIGHTS), weights=list(BEHAVIOUR_WEIGHTS.values()))[0]
    if behaviour == HUMAN:
        return script(phone, HUMAN, answer_after=round(rng.uniform(*HUMAN_ANSWER_S), 2),
                      confirm_after=round(rng.uniform(*HUMAN_CONFIRM_S), 2),
                      talk=round(rng.uniform(*HUMAN_TALK_S), 2))
    if behaviour == VOICEMAIL:
        return script(phone, VOICEMAIL, answer_after=round(rng.uniform(*OTHER_ANSWER_S), 2))
    if behaviour == HANG_UP:
        return script(phone, HANG_UP, answer_after=round(rng.uniform(*OTHER_ANSWER_S), 2),
                      confirm_after=round(rng.uniform(*HANG_UP_AFTER_S), 2))
    if behaviour == DECLINE and rng.random() < 0.5:
        return script(phone, DECLINE, answer_after=round(rng.uniform(*OTHER_ANSWER_S), 2),
                      confirm_after=round(rng.uniform(*HANG_UP_AFTER_S), 2))
    return script(phone, behaviour)


def make_plan(rng: random.Random, index: int, line: Line, caller: str,
              ring_time: float) -> CallPlan:
    scripts = tuple(random_script(rng, person.phone) for person in line.people)
    hangup_after = None
    if rng.random() < ABANDON_SHARE:
        latest = _main_stage_rings_until(scripts[:len(line.main)], ring_time)
        presses = [handset.answer_after + handset.confirm_after for handset in scripts
                   if handset.behaviour == HUMAN]
        latest = min([latest, *presses]) - ABANDON_MARGIN_S
        if latest >= ABANDON_MIN_S:
            hangup_after = round(rng.uniform(ABANDON_MIN_S, latest), 2)
    return CallPlan(index=index, line=line, caller=caller, handsets=scripts,
                    hangup_after=hangup_after)


def _main_stage_rings_until(main: tuple[Handset, ...], ring_time: float) -> float:
    """Until when the main stage surely still rings: a phone that is never answered rings
    for the whole ring time and a human's rings (or prompts) until the 1; busy, declining,
    hanging-up phones and voicemails may all be done sooner."""
    ringing = [ring_time if handset.behaviour == NO_ANSWER
               else handset.answer_after + handset.confirm_after
               for handset in main if handset.behaviour in (NO_ANSWER, HUMAN)]
    return max(ringing, default=0.0)
