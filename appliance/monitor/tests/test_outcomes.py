import pytest

from paivystys.appliance.asterisk import variables as v
from paivystys.appliance.monitor.outcomes import call_outcome, leg_result_from_end


@pytest.mark.parametrize(("status", "cause", "expected"), [
    ("BUSY", "User busy", v.LEG_BUSY),
    # 603 Decline: Asterisk 22 reports it as CHANUNAVAIL with cause 21 on a PJSIP leg
    ("CHANUNAVAIL", "21", v.LEG_DECLINED),
    ("CHANUNAVAIL", "Call Rejected", v.LEG_DECLINED),  # as HANGUPCAUSE(chan,ast) says it
    ("CONGESTION", "21", v.LEG_DECLINED),
    ("CONGESTION", "34", v.LEG_FAILED),
    ("CHANUNAVAIL", "0", v.LEG_FAILED),
    ("NOANSWER", "19", v.LEG_NO_ANSWER),
    ("CANCEL", "16", v.LEG_NO_ANSWER),
    ("", "", v.LEG_NO_ANSWER),
])
def test_unanswered_leg_result(status, cause, expected):
    assert leg_result_from_end(status, cause, answered=False,
                               other_leg_confirmed=False) == expected


@pytest.mark.parametrize(("cause", "someone_else_won", "expected"), [
    # had not pressed 1 when another person won: not "too late", which is a late 1
    ("16", True, v.LEG_NOT_CONFIRMED),
    ("0", True, v.LEG_NOT_CONFIRMED),
    ("16", False, v.LEG_DECLINED),  # the person hung up in the prompt
    ("0", False, v.LEG_NO_ANSWER),  # the appliance dropped the leg (the caller left)
])
def test_answered_leg_without_a_verdict(cause, someone_else_won, expected):
    assert leg_result_from_end("ANSWER", cause, answered=True,
                               other_leg_confirmed=someone_else_won) == expected


@pytest.mark.parametrize(("dial_status", "stage_ringing", "expected"), [
    ("CANCEL", False, v.OUTCOME_ABANDONED),
    ("CANCEL", True, v.OUTCOME_ABANDONED),
    # the dialplan went past its stages: whatever the monitor missed, nobody took it
    ("NOANSWER", True, v.OUTCOME_MISSED),
    ("NOANSWER", False, v.OUTCOME_MISSED),
    # a call closed as lost (no Dial status): a stage still ringing means the caller gave up
    ("", True, v.OUTCOME_ABANDONED),
    ("", False, v.OUTCOME_MISSED),
])
def test_unanswered_call_outcome(dial_status, stage_ringing, expected):
    assert call_outcome(winner_stage=None, decision=v.DECISION_RING, dial_status=dial_status,
                        stage_ringing=stage_ringing) == expected
