"""Voicemail, no answer and a human who presses 1: the human is bridged, the voicemail never."""

from paivystys.appliance.ringing.rule import CallOutcome, LegResult

from conftest import READ_AFTER_PROMPT_S, new_mobile, prompt_seconds


def test_human_is_bridged_and_voicemail_is_not(lab, scenario, handsets, call, ring_time):
    scenario.group("Huolto", "Vastaaja", "Hiljainen", "Ihminen")
    phones = scenario.people
    caller = new_mobile()
    # The voicemail answers first and listens to whole prompt rounds; once the confirm
    # timeout has passed it is judged a voicemail at the end of its first round.  The human
    # confirms after that, so the voicemail's verdict is in before the call is taken, and
    # before the end of its own first round, which would judge the human a voicemail too.
    # Measured: a round ends some 0.6 s after this sum (the prompt starts a moment after the
    # answer).  The human answers 3 s after the voicemail and presses midway between the ends
    # of the two first rounds: 1.5 s either way for a busy machine.
    voicemail_answers = 0.5
    verdict = voicemail_answers + prompt_seconds(lab, caller) + READ_AFTER_PROMPT_S
    human_answers = voicemail_answers + 3.0
    human_confirms = round(verdict + 0.6 + 1.5 - human_answers, 1)
    ring_time(int(human_answers + human_confirms + 4))
    handsets.set(phones["Vastaaja"], "voicemail", answer_after=voicemail_answers)
    handsets.set(phones["Hiljainen"], "no-answer")
    handsets.set(phones["Ihminen"], "human", answer_after=human_answers,
                 confirm_after=human_confirms, talk=3, identity="4711")

    row = call(scenario.number, caller=caller)

    assert row["outcome"] == CallOutcome.ANSWERED
    assert row["answered_by"] == "Ihminen"
    assert "4711" in row["caller_heard"]
    legs = {leg["person"]: leg for leg in row["legs"]}
    assert set(legs) == {"Vastaaja", "Hiljainen", "Ihminen"}
    assert legs["Ihminen"]["result"] == LegResult.CONFIRMED
    assert legs["Vastaaja"]["result"] == LegResult.VOICEMAIL_SUSPECTED
    assert legs["Hiljainen"]["result"] == LegResult.NO_ANSWER
    assert abs(row["wait_s"] - (human_answers + human_confirms)) <= 0.5, row
    assert 2.5 <= row["talk_s"] <= 4.5, row


def test_person_in_two_groups_is_rung_once(scenario, handsets, call):
    scenario.group("Sähkö", "Kaksois", "Toinen")
    scenario.group("Vesi", "Kaksois", "Kolmas")
    for name in ("Kaksois", "Toinen"):
        handsets.set(scenario.people[name], "no-answer")
    handsets.set(scenario.people["Kolmas"], "human", answer_after=1, confirm_after=1, talk=1)

    row = call(scenario.number)

    rung = [leg["person"] for leg in row["legs"]]
    assert sorted(rung) == ["Kaksois", "Kolmas", "Toinen"]
    assert row["answered_by"] == "Kolmas"


def test_late_confirmer_is_not_bridged(scenario, handsets, call):
    scenario.group("Kiire", "Nopea", "Hidas")
    handsets.set(scenario.people["Nopea"], "human", answer_after=1, confirm_after=1.5, talk=3,
                 identity="1111")
    handsets.set(scenario.people["Hidas"], "human", answer_after=1, confirm_after=3.5, talk=3,
                 identity="2222")

    row = call(scenario.number)

    assert row["answered_by"] == "Nopea"
    assert "1111" in row["caller_heard"]
    assert "2222" not in row["caller_heard"]
    legs = {leg["person"]: leg["result"] for leg in row["legs"]}
    # Hidas was still listening to the prompt when Nopea won: let go, had not pressed 1
    assert legs == {"Nopea": LegResult.CONFIRMED, "Hidas": LegResult.NOT_CONFIRMED}
    assert abs(row["wait_s"] - 2.5) <= 0.5, row


def test_a_person_hanging_up_in_the_prompt_does_not_end_the_call(scenario, handsets, call):
    scenario.group("Kiireinen", "Lopettaja", "Jaksaja")
    handsets.set(scenario.people["Lopettaja"], "hangs-up", answer_after=0.5, confirm_after=1)
    handsets.set(scenario.people["Jaksaja"], "human", answer_after=1, confirm_after=3, talk=3,
                 identity="3131")

    row = call(scenario.number)

    assert row["outcome"] == CallOutcome.ANSWERED
    assert row["answered_by"] == "Jaksaja"
    assert "3131" in row["caller_heard"]
    assert abs(row["wait_s"] - 4) <= 0.5, row
    legs = {leg["person"]: leg["result"] for leg in row["legs"]}
    assert legs["Jaksaja"] == LegResult.CONFIRMED
    assert legs["Lopettaja"] == LegResult.DECLINED


def test_everyone_busy_moves_to_the_backup_group_at_once(scenario, handsets, call):
    scenario.group("Varattu", "Puhelimessa", "Torjuja")
    scenario.group("Tausta", "Taustalla", backup=True)
    handsets.set(scenario.people["Puhelimessa"], "busy")
    handsets.set(scenario.people["Torjuja"], "decline")
    handsets.set(scenario.people["Taustalla"], "human", answer_after=1, confirm_after=1, talk=3)

    row = call(scenario.number)

    assert row["outcome"] == CallOutcome.ANSWERED_BY_BACKUP
    # nobody left ringing in the first stage: no need to wait out its ring time
    assert row["wait_s"] < 3.5, row
