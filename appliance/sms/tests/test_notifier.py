from __future__ import annotations

import datetime as dt
import logging

import pytest
from playhouse.shortcuts import model_to_dict

from paivystys.appliance.db.models import (
    Call,
    Group,
    Leg,
    Membership,
    NumberGroup,
    OnCallNumber,
    OutboxMessage,
    Person,
    Setting,
)
from paivystys.appliance.db.settings import set_setting
from paivystys.appliance.monitor.call_monitor import CallMonitor
from paivystys.appliance.ringing import events
from paivystys.appliance.ringing.bus import CallConfirmed, CallEnded, EventBus
from paivystys.appliance.ringing.rule import CallOutcome, Stage, Verdict
from paivystys.appliance.sms import kinds as k
from paivystys.appliance.sms.notifier import SmsNotifier, queue_reply
from paivystys.appliance.sms.templates import set_template
from paivystys.appliance.sms.tests.conftest import ARRIVED, Site


@pytest.fixture
def bus(db: None) -> EventBus:
    bus = EventBus()
    SmsNotifier(clock=soon_after_arrival).subscribe(bus)
    return bus


def soon_after_arrival() -> dt.datetime:
    """The tests' "now": the calls happen at ARRIVED."""
    return ARRIVED + dt.timedelta(seconds=30)


def test_a_confirmation_replayed_long_after_the_call_queues_no_taken_message(
        site: Site) -> None:
    late = SmsNotifier(clock=lambda: ARRIVED + dt.timedelta(hours=2))
    assert late.call_confirmed(confirmed(site.call(), site.people["Maija"])) == []
    assert queued() == []


def confirmed(call: Call, person: Person, stage: str = Stage.MAIN) -> CallConfirmed:
    """What the monitor publishes when ``person`` pressed 1, after it saved the winner."""
    leg = Leg.get((Leg.call == call) & (Leg.person == person) & (Leg.stage == stage))
    at = ARRIVED + dt.timedelta(seconds=9)
    call.answered_at, call.answered_by, call.answered_by_name = at, person, person.name
    call.answered_stage = stage
    call.save()
    return CallConfirmed(call.call_id, at, leg.id, person.id, person.name, stage)


def ended(call: Call, outcome: str) -> CallEnded:
    """What the monitor publishes when the call is over, after it saved the ending."""
    at = ARRIVED + dt.timedelta(seconds=70)
    call.ended_at, call.outcome = at, outcome
    call.wait_s = ((call.answered_at or at) - ARRIVED).total_seconds()
    call.save()
    legs = tuple(model_to_dict(leg, recurse=False) for leg in call.legs)
    return CallEnded(call.call_id, at, outcome, model_to_dict(call, recurse=False), legs)


def queued(reason: str | None = None) -> list[tuple[str, str, str]]:
    query = OutboxMessage.select().order_by(OutboxMessage.id)
    if reason is not None:
        query = query.where(OutboxMessage.reason == reason)
    return [(row.reason, row.recipient, row.text) for row in query]


# --- taken ------------------------------------------------------------------------------------

def test_a_confirmed_call_tells_each_other_person_once(site: Site, bus: EventBus) -> None:
    call = site.call()
    bus.publish(confirmed(call, site.people["Maija"]))
    text = "Maija Virtanen otti puhelun klo 14.05 (Huolto). Soittaja: +358401234567."
    assert queued() == [(k.TAKEN, site.people[name].phone, text)
                        for name in ("Pekka", "Sanna", "Risto")]
    row = OutboxMessage.get(OutboxMessage.recipient == site.people["Pekka"].phone)
    assert row.key == f"{call.call_id}:taken:{site.people['Pekka'].phone}"
    assert (row.call_id, row.person_id, row.state) == (call.id, site.people["Pekka"].id,
                                                       "queued")


def test_an_on_call_person_who_made_the_call_is_not_told_of_it(site: Site,
                                                                bus: EventBus) -> None:
    call = site.call(caller=site.people["Sanna"].phone)
    bus.publish(confirmed(call, site.people["Maija"]))
    assert [phone for _, phone, _ in queued()] == [site.people[name].phone
                                                   for name in ("Pekka", "Risto")]


def test_the_same_event_twice_queues_nothing_more(site: Site, bus: EventBus) -> None:
    call = site.call()
    event = confirmed(call, site.people["Maija"])
    bus.publish(event)
    bus.publish(event)
    end = ended(call, CallOutcome.ANSWERED)
    bus.publish(end)
    bus.publish(end)
    assert [reason for reason, _to, _text in queued()] == [k.TAKEN] * 3 + [k.CALLER_CONTACT]


def test_taken_switched_off_for_the_number_sends_nothing(site: Site, bus: EventBus) -> None:
    site.number.sms_on_taken = False
    site.number.save()
    bus.publish(confirmed(site.call(), site.people["Maija"]))
    assert queued() == []


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "Maija Virtanen took the call from a withheld number at 14:05 (Huolto)."),
    ("sv", "Maija Virtanen tog samtalet från ett dolt nummer kl. 14.05 (Huolto)."),
])
def test_language_and_time_zone_come_from_the_settings(site: Site, bus: EventBus, lang: str,
                                                       text: str) -> None:
    set_setting("sms_language", lang)
    bus.publish(confirmed(site.call(caller=""), site.people["Maija"]))
    assert queued()[0][2] == text
    OutboxMessage.delete().execute()
    set_setting("time_zone", "America/New_York")
    bus.publish(confirmed(site.call(call_id="2.2", caller=""), site.people["Maija"]))
    assert queued()[0][2] == text.replace("14", "07")


# --- the caller -------------------------------------------------------------------------------

def test_an_answered_call_texts_the_mobile_caller_the_contact(site: Site, bus: EventBus) -> None:
    maija = site.people["Maija"]
    maija.public_phone = "+358501112233"
    maija.save()
    call = site.call(caller="+358401234567")
    bus.publish(confirmed(call, maija))
    bus.publish(ended(call, CallOutcome.ANSWERED))
    assert queued(k.CALLER_CONTACT) == [(
        k.CALLER_CONTACT, "+358401234567",
        "Kiitos soitostasi. Puheluusi vastasi Maija Virtanen (Huolto), puh. 050 1112233.")]
    row = OutboxMessage.get(OutboxMessage.reason == k.CALLER_CONTACT)
    assert (row.key, row.call_id, row.person_id) == (
        f"{call.call_id}:caller_contact:+358401234567", call.id, None)


def test_answered_by_backup_texts_the_caller_the_on_call_number(site: Site,
                                                                bus: EventBus) -> None:
    call = site.call(caller="+46701234567", main=("Pekka",), backup=("Ville",))
    bus.publish(confirmed(call, site.people["Ville"], Stage.BACKUP))
    bus.publish(ended(call, CallOutcome.ANSWERED_BY_BACKUP))
    assert queued(k.CALLER_CONTACT) == [(
        k.CALLER_CONTACT, "+46701234567",
        "Kiitos soitostasi. Puheluusi vastasi Ville Virtanen (Huolto), puh. +358 20 1234567.")]


@pytest.mark.parametrize("caller", ["+35891234567", "anonymous", "", "16400"])
def test_no_text_to_a_caller_without_a_mobile(site: Site, bus: EventBus, caller: str) -> None:
    call = site.call(caller=caller)
    bus.publish(confirmed(call, site.people["Maija"]))
    bus.publish(ended(call, CallOutcome.ANSWERED))
    assert queued(k.CALLER_CONTACT) == []


def test_caller_text_switched_off_for_the_number(site: Site, bus: EventBus) -> None:
    site.number.sms_to_caller = False
    site.number.save()
    call = site.call()
    bus.publish(confirmed(call, site.people["Maija"]))
    bus.publish(ended(call, CallOutcome.ANSWERED))
    assert queued(k.CALLER_CONTACT) == []


# --- missed and abandoned ---------------------------------------------------------------------

def test_a_missed_call_tells_everyone_who_was_rung(site: Site, bus: EventBus) -> None:
    call = site.call(main=("Maija", "Pekka", "Liisa", "Tuula"), backup=("Ville", "Pekka"))
    bus.publish(ended(call, CallOutcome.MISSED))
    text = ("Vastaamaton puhelu klo 14.05 (Huolto): kukaan ei ehtinyt vastata. "
            "Soittaja: +358401234567.")
    assert queued() == [(k.MISSED, site.people[name].phone, text)
                        for name in ("Maija", "Pekka", "Ville")]


def test_an_abandoned_call_says_the_caller_hung_up(site: Site, bus: EventBus) -> None:
    call = site.call(main=("Maija", "Risto"))
    bus.publish(ended(call, CallOutcome.ABANDONED))
    text = ("Keskeytynyt puhelu klo 14.05 (Huolto): soittaja lopetti ennen vastausta. "
            "Soittaja: +358401234567.")
    assert queued() == [(k.ABANDONED, site.people[name].phone, text)
                        for name in ("Maija", "Risto")]


def test_a_call_ended_again_with_another_outcome_is_told_once(site: Site,
                                                              bus: EventBus) -> None:
    """The monitor closes a call lost while it was away, and ends it again if the real end
    event turns up; the outcome may change from missed to abandoned."""
    call = site.call(main=("Maija", "Risto"))
    bus.publish(ended(call, CallOutcome.MISSED))
    bus.publish(ended(call, CallOutcome.ABANDONED))
    assert [reason for reason, _to, _text in queued()] == [k.MISSED, k.MISSED]


@pytest.mark.parametrize("outcome", [CallOutcome.MISSED, CallOutcome.ABANDONED])
def test_missed_switched_off_for_the_number(site: Site, bus: EventBus, outcome: str) -> None:
    site.number.sms_on_missed = False
    site.number.save()
    bus.publish(ended(site.call(), outcome))
    assert queued() == []


def test_a_call_to_an_unknown_number_sends_nothing(site: Site, bus: EventBus) -> None:
    call = Call.create(call_id="3.3", number=None, dialled="+358209999999",
                       caller="+358401234567", arrived_at=ARRIVED)
    bus.publish(ended(call, CallOutcome.UNKNOWN_NUMBER))
    assert queued() == []


# --- bad data never reaches the bus ---------------------------------------------------------

def test_an_event_for_a_call_not_in_the_log_is_logged(site: Site, bus: EventBus,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    bus.publish(CallConfirmed("9.9", ARRIVED, 1, 1, "Maija", Stage.MAIN))
    assert queued() == []
    assert "no call '9.9' in the call log" in caplog.text


def test_a_failure_is_logged_as_this_calls_lost_messages(site: Site,
                                                         caplog: pytest.LogCaptureFixture
                                                         ) -> None:
    Setting.create(key="time_zone", value="Mars/Olympus")  # written behind set_setting
    notifier = SmsNotifier(clock=soon_after_arrival)
    bus = EventBus()
    notifier.subscribe(bus)
    call = site.call()
    with caplog.at_level(logging.ERROR):
        bus.publish(confirmed(call, site.people["Maija"]))
    assert queued() == []
    assert f"messages for call {call.call_id} (CallConfirmed) not queued" in caplog.text
    assert "bus subscriber" not in caplog.text  # nothing was raised into the bus


def test_unsubscribing_stops_the_messages(site: Site) -> None:
    bus = EventBus()
    unsubscribe = SmsNotifier(clock=soon_after_arrival).subscribe(bus)
    unsubscribe()
    bus.publish(confirmed(site.call(), site.people["Maija"]))
    assert queued() == []


# --- duty replies -----------------------------------------------------------------------------

def test_a_reply_is_queued_once_in_the_sms_language(site: Site) -> None:
    maija = site.people["Maija"]
    row = queue_reply(k.DUTY_ON, maija.phone, maija, key="in:42")
    assert row is not None
    assert (row.reason, row.recipient, row.person_id, row.text) == (
        k.DUTY_ON, maija.phone, maija.id,
        "Olet nyt päivystysvuorossa. Vuoron lopetat lähettämällä POIS.")
    assert queue_reply(k.DUTY_ON, maija.phone, maija, key="in:42") is None
    set_setting("sms_language", "en")
    help_row = queue_reply(k.HELP, maija.phone, maija, key="in:43")
    assert help_row is not None and help_row.text.startswith("On-call switchboard commands")
    set_template(k.DUTY_OFF, "sv", "{name}: ingen jour i {groups}.")
    off_row = queue_reply(k.DUTY_OFF, maija.phone, maija, key="in:44", language="sv",
                          groups="Asentajat")
    assert off_row is not None and off_row.text == "Maija Virtanen: ingen jour i Asentajat."


# --- timing -----------------------------------------------------------------------------------

def test_a_50_person_group_through_the_call_monitor(db: None) -> None:
    """The whole path on the monitor's thread: events in, 49 TAKEN rows and the caller's
    text out; a replayed confirmation adds nothing.  (Its time is bench/sms_queue.py's.)"""
    group = Group.create(name="Iso ryhmä")
    number = OnCallNumber.create(number="+358201234567", name="Huolto")
    NumberGroup.create(number=number, group=group)
    people = []
    for index in range(50):
        person = Person.create(name=f"Henkilö {index}", phone=f"+3584010{index:05d}")
        Membership.create(person=person, group=group)
        people.append(person)

    monitor = CallMonitor(bus := EventBus())
    SmsNotifier(clock=soon_after_arrival).subscribe(bus)
    start = ARRIVED.timestamp()

    def user(name: str, seconds: float, **headers: str) -> None:
        monitor.handle_event({"Event": "UserEvent", "UserEvent": name, "CallId": "5.5",
                              "Timestamp": f"{start + seconds:.6f}", **headers})

    user(events.PvCallStart.NAME, 0, NumberId=str(number.id), Dialled=number.number,
         Caller64="KzM1ODQwMTIzNDU2Nw==", CallerLength="13", Presentation="allowed_not_screened")
    user(events.PvDecision.NAME, 0, Decision=Verdict.RING, Routing="agi", Recording="")
    user(events.PvStageStart.NAME, 0, Stage=Stage.MAIN)
    for person in people:
        user(events.PvLegRing.NAME, 1, Person=str(person.id), Group=str(group.id),
             Phone=person.phone, Stage=Stage.MAIN)
    winner = str(people[0].id)
    user(events.PvLegAnswer.NAME, 5, Person=winner, Stage=Stage.MAIN, Channel="PJSIP/x")

    user(events.PvConfirmed.NAME, 9, Person=winner, Stage=Stage.MAIN)
    assert len(queued(k.TAKEN)) == 49

    notifier_only = SmsNotifier(clock=soon_after_arrival)
    event = CallConfirmed("5.5", ARRIVED + dt.timedelta(seconds=9), 0, people[0].id,
                          people[0].name, Stage.MAIN)
    OutboxMessage.delete().execute()
    assert len(notifier_only.call_confirmed(event)) == 49
    assert notifier_only.call_confirmed(event) == []

    user(events.PvCallEnd.NAME, 60, DialStatus="ANSWER")
    assert [to for _kind, to, _text in queued(k.CALLER_CONTACT)] == ["+358401234567"]
