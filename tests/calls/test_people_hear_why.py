"""A person who answered but does not get the call hears why before the line drops: somebody
else took it, the caller hung up, or the ring time ran out.  Their leg says whether they had
pressed 1 (too_late) or not (not_confirmed).

What a handset heard shows in when the appliance hung it up: at least most of the message's
length after the moment that ended its chance (the winner's 1, the caller's hang-up, the end
of the ring time).  Without the message, the line drops within a few hundred milliseconds.
"""

from __future__ import annotations

import datetime as dt

from paivystys.appliance.calllog.records import call_to_dict
from paivystys.appliance.db.models import Call, OutboxMessage
from paivystys.appliance.lab.carrier import EVENT_HANDSET_HANGUP, EVENT_HANDSET_PRESSED
from paivystys.appliance.ringing.rule import CallOutcome, LegResult
from paivystys.appliance.sms import kinds

from conftest import sound_seconds

# The share of a message's length that must have passed before the line dropped.
HEARD_SHARE = 0.8


def _time(event: dict[str, str]) -> float:
    return float(event["Timestamp"])


def _dropped_by_network(handset_events, phone: str) -> dict[str, str]:
    hangup = handset_events.wait_for(phone, EVENT_HANDSET_HANGUP, timeout=30)
    assert hangup["By"] == "network", hangup
    return hangup


def _legs_after_the_farewells(row: dict) -> dict[str, str]:
    """The legs' results once the farewells are over: a farewell told after the caller left
    reports its leg's result after the call's end."""
    logged = call_to_dict(Call.get_by_id(row["id"]))
    return {leg["person"]: leg["result"] for leg in logged["legs"]}


def test_two_who_press_1_at_once_the_loser_hears_already_taken(lab, scenario, handsets,
                                                               handset_events, call):
    scenario.group("Yhtäaikaa", "Samaan Aikaan A", "Samaan Aikaan B")
    for name, identity in (("Samaan Aikaan A", "1111"), ("Samaan Aikaan B", "2222")):
        handsets.set(scenario.people[name], "human", answer_after=1, confirm_after=1.5, talk=3,
                     identity=identity)

    row = call(scenario.number)

    assert row["outcome"] == CallOutcome.ANSWERED
    winner = row["answered_by"]
    loser = ({"Samaan Aikaan A", "Samaan Aikaan B"} - {winner}).pop()
    won_at = _time(handset_events.wait_for(scenario.people[winner], EVENT_HANDSET_PRESSED))
    dropped = _dropped_by_network(handset_events, scenario.people[loser])
    assert _time(dropped) - won_at >= HEARD_SHARE * sound_seconds(lab, "pv-already-taken")
    legs = _legs_after_the_farewells(row)
    assert legs[winner] == LegResult.CONFIRMED
    # Its 1 lost the claim (too late), or came while it was being let go (not confirmed).
    assert legs[loser] in (LegResult.TOO_LATE, LegResult.NOT_CONFIRMED), legs


def test_a_voicemail_let_go_when_someone_else_won_is_not_confirmed_not_too_late(
        lab, scenario, handsets, handset_events, call):
    scenario.group("Vastaajat", "Postilaatikko", "Ripeä")
    handsets.set(scenario.people["Postilaatikko"], "voicemail", answer_after=0.5)
    handsets.set(scenario.people["Ripeä"], "human", answer_after=1, confirm_after=1, talk=2)

    row = call(scenario.number)

    won_at = _time(handset_events.wait_for(scenario.people["Ripeä"], EVENT_HANDSET_PRESSED))
    dropped = _dropped_by_network(handset_events, scenario.people["Postilaatikko"])
    assert _time(dropped) - won_at >= HEARD_SHARE * sound_seconds(lab, "pv-already-taken")
    assert _legs_after_the_farewells(row) == {"Ripeä": LegResult.CONFIRMED,
                                              "Postilaatikko": LegResult.NOT_CONFIRMED}


def test_the_caller_hanging_up_is_told_to_whoever_listens_to_the_prompt(
        lab, scenario, handsets, handset_events, call):
    scenario.group("Kesken", "Kuuntelija")
    handsets.set(scenario.people["Kuuntelija"], "voicemail", answer_after=0.5)

    row = call(scenario.number, hangup_after=3)

    assert row["outcome"] == CallOutcome.ABANDONED
    caller_left = dt.datetime.fromisoformat(row["ended_at"]).timestamp()
    dropped = _dropped_by_network(handset_events, scenario.people["Kuuntelija"])
    assert _time(dropped) - caller_left >= HEARD_SHARE * sound_seconds(lab, "pv-caller-hung-up")
    assert _legs_after_the_farewells(row) == {"Kuuntelija": LegResult.NOT_CONFIRMED}


def test_the_end_of_the_ring_time_is_told_to_whoever_listens_to_the_prompt(
        lab, scenario, handsets, handset_events, call, ring_time):
    ring_time(5)
    scenario.group("Myöhäinen", "Hidas Vastaaja")
    # picks up at 3.5 s and listens; the stage (the only one) ends at 5 s
    handsets.set(scenario.people["Hidas Vastaaja"], "voicemail", answer_after=3.5)

    row = call(scenario.number)

    assert row["outcome"] == CallOutcome.MISSED
    stage_over = dt.datetime.fromisoformat(row["arrived_at"]).timestamp() + 5
    dropped = _dropped_by_network(handset_events, scenario.people["Hidas Vastaaja"])
    assert _time(dropped) - stage_over >= HEARD_SHARE * sound_seconds(lab, "pv-ring-time-over")
    assert _legs_after_the_farewells(row) == {"Hidas Vastaaja": LegResult.NOT_CONFIRMED}


def test_an_on_call_person_calling_the_line_is_not_rung_nor_texted(lab, scenario, handsets,
                                                                  handset_events, call):
    scenario.group("Omat", "Soittava Päivystäjä", "Ottaja", "Sivusta")
    handsets.set(scenario.people["Ottaja"], "human", answer_after=1, confirm_after=1, talk=2)
    handsets.set(scenario.people["Sivusta"], "no-answer")
    calling = scenario.people["Soittava Päivystäjä"]
    # the network sends the caller in national form; the person's phone is stored in E.164
    handsets.set(calling, "no-answer")

    row = call(scenario.number, caller="0" + calling[4:])

    assert row["caller"] == calling
    assert row["answered_by"] == "Ottaja"
    assert sorted(leg["person"] for leg in row["legs"]) == ["Ottaja", "Sivusta"]
    assert handset_events.of(calling) == [], "the caller's own phone rang"
    taken = {message.recipient for message in OutboxMessage.select().where(
        OutboxMessage.call == row["id"], OutboxMessage.reason == kinds.TAKEN)}
    assert taken == {scenario.people["Sivusta"]}
