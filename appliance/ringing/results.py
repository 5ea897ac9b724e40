"""How a leg's result and a call's outcome are decided from what the dialplan reports."""

from __future__ import annotations

from paivystys.appliance.ringing.rule import CallOutcome, LegResult, Stage, Verdict

# Q.850 cause 21, "call rejected": the person's phone declined the call.  The dialplan's
# HANGUPCAUSE(<channel>,ast) gives Asterisk's description of the cause, not its number.
CAUSE_CALL_REJECTED = ("21", "Call Rejected")
CAUSE_NORMAL_CLEARING = ("16", "Normal Clearing")


def leg_result_from_end(dial_status: str, hangup_cause: str, *, answered: bool,
                        other_leg_confirmed: bool) -> LegResult:
    """The result of a leg that ended without a PvLegResult from the prompt.

    A person who picked up (PvLegAnswer) but neither confirmed nor declined in the prompt was
    dropped: ``not_confirmed`` when somebody else had the call (``too_late`` is only ever a 1
    pressed late, which the dialplan reports itself), else ``no_answer`` (the caller left;
    nobody was reached through this leg) or ``declined`` (they hung up in the prompt).  Before
    pick-up the leg's Dial status tells: busy, rejected (``declined``), could not be placed at
    all (``failed``), or rang out / was cancelled because the call ended (``no_answer``).
    """
    status = dial_status.strip().upper()
    if answered or status == "ANSWER":
        if other_leg_confirmed:
            return LegResult.NOT_CONFIRMED
        # Normal clearing from the person's side: they hung up in the prompt.  A leg the
        # appliance drops (the call ended, the stage ended) ends without a cause of its own.
        if hangup_cause.strip() in CAUSE_NORMAL_CLEARING:
            return LegResult.DECLINED
        return LegResult.NO_ANSWER
    if status == "BUSY":
        return LegResult.BUSY
    # A 603 Decline reaches Dial as CHANUNAVAIL or CONGESTION depending on the path; the
    # cause is what says the person rejected it.
    if hangup_cause.strip() in CAUSE_CALL_REJECTED:
        return LegResult.DECLINED
    if status in ("NOANSWER", "CANCEL", ""):
        return LegResult.NO_ANSWER
    return LegResult.FAILED  # CHANUNAVAIL, INVALIDARGS, DONTCALL, ...


def call_outcome(*, winner_stage: str | None, decision: str | None, dial_status: str,
                 stage_ringing: bool) -> CallOutcome:
    """The outcome of an ended call.

    The caller abandoned when they hung up before anyone confirmed: the outer Dial says
    CANCEL.  Any other Dial status means the dialplan got past its stages: nobody took the
    call, it was missed (even if the monitor, away meanwhile, still thinks a stage rings).
    Without a Dial status (a call closed as lost: its channel was gone when the monitor
    looked), a stage still ringing when it ended means the caller gave up.
    """
    if winner_stage == Stage.BACKUP:
        return CallOutcome.ANSWERED_BY_BACKUP
    if winner_stage is not None:
        return CallOutcome.ANSWERED
    if decision == Verdict.UNKNOWN:
        return CallOutcome.UNKNOWN_NUMBER
    status = dial_status.strip().upper()
    if status == "CANCEL" or (not status and stage_ringing):
        return CallOutcome.ABANDONED
    return CallOutcome.MISSED
