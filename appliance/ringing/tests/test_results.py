import pytest

from paivystys.appliance.ringing.results import call_outcome, leg_result_from_end
from paivystys.appliance.ringing.rule import CallOutcome, LegResult, Verdict


@pytest.mark.parametrize(("status", "cause", "expected"), [
    ("BUSY", "User busy", LegResult.BUSY),
    # 603 Decline: Asterisk 22 reports it as CHANUNAVAIL with cause 21 on a PJSIP leg
    ("CHANUNAVAIL", "21", LegResult.DECLINED),
    ("CHANUNAVAIL", "Call Rejected", LegResult.DECLINED),  # as HANGUPCAUSE(chan,ast) says it
    ("CONGESTION", "21", LegResult.DECLINED),
    ("CONGESTION", "34", LegResult.FAILED),
    ("CHANUNAVAIL", "0", LegResult.FAILED),
    ("NOANSWER", "19", LegResult.NO_ANSWER),
    ("CANCEL", "16", LegResult.NO_ANSWER),
    ("", "", LegResult.NO_ANSWER),
])
def test_unanswered_leg_result(status, cause, expected):
    assert leg_result_from_end(status, cause, answered=False,
                               other_leg_confirmed=False) == expected


@pytest.mark.parametrize(("cause", "someone_else_won", "expected"), [
    # had not pressed 1 when another person won: not "too late", which is a late 1
    ("16", True, LegResult.NOT_CONFIRMED),
    ("0", True, LegResult.NOT_CONFIRMED),
    ("16", False, LegResult.DECLINED),  # the person hung up in the prompt
    ("0", False, LegResult.NO_ANSWER),  # the appliance dropped the leg (the caller left)
])
def test_answered_leg_without_a_verdict(cause, someone_else_won, expected):
    assert leg_result_from_end("ANSWER", cause, answered=True,
                               other_leg_confirmed=someone_else_won) == expected


@pytest.mark.parametrize(("dial_status", "stage_ringing", "expected"), [
    ("CANCEL", False, CallOutcome.ABANDONED),
    ("CANCEL", True, CallOutcome.ABANDONED),
    # the dialplan went past its stages: whatever the monitor missed, nobody took it
    ("NOANSWER", True, CallOutcome.MISSED),
    ("NOANSWER", False, CallOutcome.MISSED),
    # a call closed as lost (no Dial status): a stage still ringing means the caller gave up
    ("", True, CallOutcome.ABANDONED),
    ("", False, CallOutcome.MISSED),
])
def test_unanswered_call_outcome(dial_status, stage_ringing, expected):
    assert call_outcome(winner_stage=None, decision=Verdict.RING, dial_status=dial_status,
                        stage_ringing=stage_ringing) == expected
