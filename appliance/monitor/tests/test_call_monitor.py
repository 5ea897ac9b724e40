from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from paivystys.appliance.ami.client import AmiClient
from paivystys.appliance.ami.tests.fake_ami import FakeAmi
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import Call, Group, Leg, Membership, OnCallNumber, Person
from paivystys.appliance.monitor.call_monitor import CallMonitor
from paivystys.appliance.ringing import bus as b
from paivystys.appliance.ringing import events
from paivystys.appliance.ringing.rule import CallOutcome, LegResult, Stage, Verdict

T0 = 1764100000.0
MAIN, BACKUP = Stage.MAIN, Stage.BACKUP


@pytest.fixture
def db(tmp_path: Path) -> Iterator[None]:
    database = open_database(tmp_path / "paivystys.db")
    yield
    database.close()


@pytest.fixture
def people(db: None) -> dict[str, Person]:
    doctors = Group.create(name="Doctors")
    backup = Group.create(name="Backup")
    OnCallNumber.create(number="+358900000001", name="Ward 1", backup_group=backup)
    found = {}
    for index, name in enumerate(("Alice", "Bob", "Carol", "Dave", "Erin", "Frank")):
        person = Person.create(name=name, phone=f"+35840000000{index}")
        Membership.create(person=person, group=backup if name == "Carol" else doctors)
        found[name] = person
    return found


@pytest.fixture
def published() -> list[object]:
    return []


@pytest.fixture
def monitor(published: list[object]) -> CallMonitor:
    bus = b.EventBus()
    bus.subscribe(published.append)
    return CallMonitor(bus)


def at(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(T0 + seconds, dt.UTC)


class Script:
    """Builds the AMI events of one call the way Asterisk sends them."""

    def __init__(self, monitor: CallMonitor, people: dict[str, Person],
                 call_id: str = "1764100000.11") -> None:
        self.monitor = monitor
        self.people = people
        self.call_id = call_id
        self.sent: list[dict[str, str]] = []

    def send(self, event: dict[str, str]) -> None:
        self.sent.append(event)
        self.monitor.handle_event(event)

    def user(self, name: str, seconds: float, **headers: str) -> None:
        self.send({"Event": "UserEvent", "Privilege": "user,all", "UserEvent": name,
                   "CallId": self.call_id, "Timestamp": f"{T0 + seconds:.6f}", **headers})

    def caller(self, name: str, seconds: float, **headers: str) -> None:
        self.send({"Event": name, "Uniqueid": self.call_id, "Linkedid": self.call_id,
                   "Channel": "PJSIP/trunk-00000001", "Timestamp": f"{T0 + seconds:.6f}",
                   **headers})

    def start(self, decision: str = Verdict.RING) -> None:
        number = OnCallNumber.get()
        self.user(events.PvCallStart.NAME, 0, NumberId=str(number.id), Dialled="+358900000001",
                  Caller64="KzM1ODUwMTExMjIyMg==", CallerLength="13",
                  Presentation="allowed_not_screened")
        self.user(events.PvDecision.NAME, 0.1, Decision=decision, Routing="agi", Recording="",
                  MainLegs="2", BackupLegs="1")

    def person(self, name: str) -> str:
        return str(self.people[name].id)

    def stage(self, stage: str, seconds: float, *names: str) -> None:
        self.user(events.PvStageStart.NAME, seconds, Stage=stage)
        for name in names:
            group = Group.get(name="Backup" if stage == BACKUP else "Doctors")
            self.user(events.PvLegRing.NAME, seconds + 0.01, Person=self.person(name),
                      Group=str(group.id), Phone=self.people[name].phone, Stage=stage)

    def stage_end(self, stage: str, seconds: float, status: str = "NOANSWER") -> None:
        self.user(events.PvStageEnd.NAME, seconds, Stage=stage, DialStatus=status)

    def answer(self, name: str, stage: str, seconds: float) -> None:
        self.user(events.PvLegAnswer.NAME, seconds, Person=self.person(name), Stage=stage,
                  Channel="PJSIP/trunk-00000009")

    def result(self, name: str, stage: str, seconds: float, result: str) -> None:
        self.user(events.PvLegResult.NAME, seconds, Person=self.person(name), Stage=stage,
                  Result=result)

    def confirm(self, name: str, stage: str, seconds: float) -> None:
        self.result(name, stage, seconds, LegResult.CONFIRMED)
        self.user(events.PvConfirmed.NAME, seconds, Person=self.person(name), Stage=stage)

    def leg_end(self, name: str, stage: str, seconds: float, status: str,
                cause: str = "16") -> None:
        self.user(events.PvLegEnd.NAME, seconds, Person=self.person(name), Stage=stage,
                  DialStatus=status, HangupCause=cause)

    def end(self, seconds: float, status: str) -> None:
        self.user(events.PvCallEnd.NAME, seconds, DialStatus=status)

    def call(self) -> Call:
        return Call.get(Call.call_id == self.call_id)

    def legs(self) -> dict[tuple[str, str], Leg]:
        return {(leg.person_name, leg.stage): leg
                for leg in Leg.select().join(Call).where(Call.call_id == self.call_id)}


def answered_in_main(script: Script) -> None:
    script.start()
    script.stage(MAIN, 0.3, "Alice", "Bob")
    script.answer("Alice", MAIN, 5.0)
    script.confirm("Alice", MAIN, 7.0)
    script.leg_end("Bob", MAIN, 7.02, "CANCEL")
    script.caller("BridgeEnter", 7.05, BridgeUniqueid="b-1")
    script.leg_end("Alice", MAIN, 60.0, "ANSWER")
    script.end(60.01, "ANSWER")


def test_answered_call(monitor: CallMonitor, people: dict[str, Person],
                       published: list[object]) -> None:
    script = Script(monitor, people)
    answered_in_main(script)
    call = script.call()
    assert call.outcome == CallOutcome.ANSWERED
    assert call.number.name == "Ward 1"
    assert (call.dialled, call.caller, call.routing) == ("+358900000001", "+358501112222", "agi")
    assert call.arrived_at == at(0)
    assert call.answered_at == at(7.05)  # the bridge, not the confirmation
    assert call.ended_at == at(60.01)
    assert call.wait_s == pytest.approx(7.05)
    assert call.talk_s == pytest.approx(52.96)
    assert (call.answered_by.name, call.answered_by_name, call.answered_stage) == (
        "Alice", "Alice", MAIN)
    legs = script.legs()
    alice, bob = legs[("Alice", MAIN)], legs[("Bob", MAIN)]
    assert (alice.result, alice.rung_at, alice.answered_at, alice.ended_at) == (
        LegResult.CONFIRMED, at(0.31), at(5.0), at(60.0))
    assert (bob.result, bob.answered_at, bob.ended_at) == (LegResult.NO_ANSWER, None, at(7.02))
    assert (alice.group_name, alice.phone) == ("Doctors", people["Alice"].phone)
    assert [type(e).__name__ for e in published] == [
        "CallStarted", "LegRinging", "LegRinging", "LegAnswered", "CallConfirmed", "LegEnded",
        "CallBridged", "LegEnded", "CallEnded"]
    ended = published[-1]
    assert isinstance(ended, b.CallEnded)
    assert ended.outcome == CallOutcome.ANSWERED
    assert ended.call["answered_by"] == people["Alice"].id
    assert {leg["person_name"] for leg in ended.legs} == {"Alice", "Bob"}


def test_confirmation_time_is_kept_without_a_bridge_event(
        monitor: CallMonitor, people: dict[str, Person]) -> None:
    script = Script(monitor, people)
    script.start()
    script.stage(MAIN, 0.3, "Alice")
    script.answer("Alice", MAIN, 3.0)
    script.confirm("Alice", MAIN, 4.0)
    script.end(10.0, "ANSWER")
    call = script.call()
    assert (call.answered_at, call.wait_s, call.talk_s) == (at(4.0), 4.0, 6.0)


def test_a_confirmation_for_a_leg_rung_while_the_monitor_was_away_still_answers_the_call(
        monitor: CallMonitor, people: dict[str, Person]) -> None:
    script = Script(monitor, people)
    script.start()
    # the stage started and Alice's phone rang while the monitor was reconnecting
    doctors = Group.get(name="Doctors")
    script.result("Alice", MAIN, 4.0, LegResult.CONFIRMED)
    script.user(events.PvConfirmed.NAME, 4.0, Person=script.person("Alice"), Stage=MAIN,
                Group=str(doctors.id), Phone="+358401110009")
    script.end(10.0, "ANSWER")
    call = script.call()
    assert (call.outcome, call.answered_by_name, call.answered_at) == (
        CallOutcome.ANSWERED, "Alice", at(4.0))
    [(key, leg)] = script.legs().items()
    assert key == ("Alice", MAIN) and leg.result == LegResult.CONFIRMED
    # the group decides who is told that the call was taken
    assert (leg.group_id, leg.group_name, leg.phone) == (doctors.id, "Doctors", "+358401110009")


def test_a_call_nobody_took_is_missed_though_the_monitor_missed_its_stage_ending(
        monitor: CallMonitor, people: dict[str, Person]) -> None:
    script = Script(monitor, people)
    script.start()
    script.stage(MAIN, 0.3, "Alice")
    # the monitor was away from here on: no leg end, no stage end, only the call's end
    script.end(30.0, "NOANSWER")
    assert script.call().outcome == CallOutcome.MISSED


def test_answered_by_backup(monitor: CallMonitor, people: dict[str, Person]) -> None:
    script = Script(monitor, people)
    script.start()
    script.stage(MAIN, 0.3, "Alice", "Bob")
    script.leg_end("Alice", MAIN, 30.3, "NOANSWER")
    script.leg_end("Bob", MAIN, 30.3, "NOANSWER")
    script.stage_end(MAIN, 30.31)
    script.stage(BACKUP, 30.4, "Carol")
    script.answer("Carol", BACKUP, 34.0)
    script.confirm("Carol", BACKUP, 36.0)
    script.caller("BridgeEnter", 36.02)
    script.end(90.0, "ANSWER")
    call = script.call()
    assert call.outcome == CallOutcome.ANSWERED_BY_BACKUP
    assert (call.answered_by_name, call.answered_stage) == ("Carol", BACKUP)
    assert call.wait_s == pytest.approx(36.02)
    assert script.legs()[("Carol", BACKUP)].group_name == "Backup"


def test_missed_call(monitor: CallMonitor, people: dict[str, Person]) -> None:
    script = Script(monitor, people)
    script.start()
    script.stage(MAIN, 0.3, "Alice")
    script.leg_end("Alice", MAIN, 30.3, "NOANSWER")
    script.stage_end(MAIN, 30.31)
    script.stage(BACKUP, 30.4, "Carol")
    script.leg_end("Carol", BACKUP, 60.4, "NOANSWER")
    script.stage_end(BACKUP, 60.41)
    script.end(66.0, "NOANSWER")  # after the closing message
    call = script.call()
    assert call.outcome == CallOutcome.MISSED
    assert (call.answered_at, call.answered_by, call.talk_s) == (None, None, None)
    assert call.wait_s == pytest.approx(66.0)
    assert {leg.result for leg in script.legs().values()} == {LegResult.NO_ANSWER}


def test_nobody_on_duty_is_missed(monitor: CallMonitor, people: dict[str, Person]) -> None:
    script = Script(monitor, people)
    script.start(decision=Verdict.NOBODY)
    script.end(8.0, "")
    assert script.call().outcome == CallOutcome.MISSED


def test_unknown_number(monitor: CallMonitor, people: dict[str, Person]) -> None:
    script = Script(monitor, people)
    script.start(decision=Verdict.UNKNOWN)
    script.end(4.0, "")
    assert script.call().outcome == CallOutcome.UNKNOWN_NUMBER


def test_abandoned_with_leg_ends_arriving_after_the_call_end(
        monitor: CallMonitor, people: dict[str, Person], published: list[object]) -> None:
    script = Script(monitor, people)
    script.start()
    script.stage(MAIN, 0.3, "Alice", "Bob")
    script.answer("Bob", MAIN, 6.0)  # Bob listens to the prompt when the caller gives up
    script.end(10.0, "CANCEL")
    call = script.call()
    assert call.outcome == CallOutcome.ABANDONED
    assert call.wait_s == pytest.approx(10.0)
    assert all(leg.ended_at == at(10.0) for leg in script.legs().values())  # provisional
    script.leg_end("Alice", MAIN, 10.05, "CANCEL")
    # the appliance dropped Bob's leg: no cause of its own (measured: 0)
    script.leg_end("Bob", MAIN, 10.06, "", cause="0")
    legs = script.legs()
    assert (legs[("Alice", MAIN)].result, legs[("Alice", MAIN)].ended_at) == (
        LegResult.NO_ANSWER, at(10.05))
    assert (legs[("Bob", MAIN)].result, legs[("Bob", MAIN)].ended_at) == (
        LegResult.NO_ANSWER, at(10.06))
    assert sum(isinstance(e, b.CallEnded) for e in published) == 1


def test_a_hangup_event_does_not_end_a_call(monitor: CallMonitor,
                                            people: dict[str, Person]) -> None:
    """A Hangup event may carry network text (a caller ID not yet cleaned): the end of a call
    is its hangup handler's PvCallEnd only."""
    script = Script(monitor, people)
    script.start()
    script.stage(MAIN, 0.3, "Alice")
    script.caller("Hangup", 12.0, Cause="16")
    assert script.call().ended_at is None
    script.end(12.5, "CANCEL")
    call = script.call()
    assert (call.outcome, call.ended_at) == (CallOutcome.ABANDONED, at(12.5))


def test_leg_results(monitor: CallMonitor, people: dict[str, Person]) -> None:
    script = Script(monitor, people)
    script.start()
    script.stage(MAIN, 0.3, "Alice", "Bob", "Dave", "Erin", "Frank")
    script.stage(BACKUP, 0.3, "Carol")  # same call, to keep the cast small
    script.leg_end("Alice", MAIN, 1.0, "BUSY", "17")
    script.leg_end("Bob", MAIN, 2.0, "CONGESTION", "21")
    script.leg_end("Dave", MAIN, 2.5, "CHANUNAVAIL", "0")
    script.answer("Carol", BACKUP, 3.0)
    script.result("Carol", BACKUP, 8.0, LegResult.VOICEMAIL_SUSPECTED)
    script.leg_end("Carol", BACKUP, 8.1, "ANSWER")
    script.answer("Frank", MAIN, 4.0)
    script.answer("Erin", MAIN, 4.5)
    script.confirm("Erin", MAIN, 6.0)
    # let go by the winner while in the prompt, before its farewell's own result came
    script.leg_end("Frank", MAIN, 6.02, "")
    script.end(30.0, "ANSWER")
    results = {name: leg.result for (name, _), leg in script.legs().items()}
    assert results == {
        "Alice": LegResult.BUSY, "Bob": LegResult.DECLINED, "Dave": LegResult.FAILED,
        "Carol": LegResult.VOICEMAIL_SUSPECTED, "Erin": LegResult.CONFIRMED,
        "Frank": LegResult.NOT_CONFIRMED}


def test_explicit_too_late_and_declined_results_are_kept(
        monitor: CallMonitor, people: dict[str, Person]) -> None:
    script = Script(monitor, people)
    script.start()
    script.stage(MAIN, 0.3, "Alice", "Bob", "Dave")
    script.answer("Dave", MAIN, 2.0)
    script.result("Dave", MAIN, 3.0, LegResult.DECLINED)
    script.leg_end("Dave", MAIN, 3.1, "ANSWER")
    script.answer("Alice", MAIN, 2.0)
    script.answer("Bob", MAIN, 2.1)
    script.confirm("Alice", MAIN, 4.0)
    script.result("Bob", MAIN, 4.2, LegResult.TOO_LATE)
    script.leg_end("Bob", MAIN, 4.3, "ANSWER")
    results = {name: leg.result for (name, _), leg in script.legs().items()}
    assert results == {"Alice": LegResult.CONFIRMED, "Bob": LegResult.TOO_LATE,
                       "Dave": LegResult.DECLINED}


def test_a_person_in_two_stages_has_two_legs(monitor: CallMonitor,
                                             people: dict[str, Person]) -> None:
    script = Script(monitor, people)
    script.start()
    script.stage(MAIN, 0.3, "Alice")
    script.leg_end("Alice", MAIN, 30.3, "NOANSWER")
    script.stage_end(MAIN, 30.31)
    script.stage(BACKUP, 30.4, "Alice")
    script.answer("Alice", BACKUP, 33.0)
    script.confirm("Alice", BACKUP, 35.0)
    script.caller("BridgeEnter", 35.01)
    script.leg_end("Alice", BACKUP, 50.0, "ANSWER")
    script.end(50.01, "ANSWER")
    legs = script.legs()
    assert legs[("Alice", MAIN)].result == LegResult.NO_ANSWER
    assert legs[("Alice", BACKUP)].result == LegResult.CONFIRMED
    assert script.call().outcome == CallOutcome.ANSWERED_BY_BACKUP


def test_two_interleaved_calls(monitor: CallMonitor, people: dict[str, Person]) -> None:
    first = Script(monitor, people, "1764100000.11")
    second = Script(monitor, people, "1764100001.42")
    first.start()
    second.start()
    first.stage(MAIN, 0.3, "Alice", "Bob")
    second.stage(MAIN, 0.3, "Alice", "Bob")
    second.answer("Bob", MAIN, 2.0)
    first.answer("Alice", MAIN, 2.5)
    second.confirm("Bob", MAIN, 3.0)
    first.leg_end("Bob", MAIN, 3.5, "BUSY")  # Bob is now busy with the second call
    second.leg_end("Alice", MAIN, 3.02, "CANCEL")
    first.confirm("Alice", MAIN, 4.0)
    second.end(20.0, "ANSWER")
    first.end(25.0, "ANSWER")
    assert (first.call().answered_by_name, first.call().outcome) == ("Alice", CallOutcome.ANSWERED)
    assert (second.call().answered_by_name, second.call().talk_s) == ("Bob", 17.0)
    assert first.legs()[("Bob", MAIN)].result == LegResult.BUSY
    assert second.legs()[("Alice", MAIN)].result == LegResult.NO_ANSWER


def test_events_of_unknown_calls_are_ignored(monitor: CallMonitor, people: dict[str, Person],
                                             published: list[object]) -> None:
    stray = Script(monitor, people, "1764099999.1")
    stray.stage(MAIN, 0.3, "Alice")
    stray.confirm("Alice", MAIN, 1.0)
    stray.caller("BridgeEnter", 1.1)
    stray.end(5.0, "ANSWER")
    monitor.handle_event({"Event": "Newchannel", "Uniqueid": "x", "Timestamp": "1.0"})
    monitor.handle_event({"Event": "UserEvent", "UserEvent": "SomethingElse", "CallId": "x"})
    assert Call.select().count() == 0
    assert Leg.select().count() == 0
    assert published == []


def test_every_event_twice_changes_nothing(monitor: CallMonitor, people: dict[str, Person],
                                           published: list[object]) -> None:
    script = Script(monitor, people)
    answered_in_main(script)
    single = ([type(e).__name__ for e in published], dict(script.call().__data__))
    Call.delete().execute()
    published.clear()
    twice_bus = b.EventBus()
    twice_bus_events: list[object] = []
    twice_bus.subscribe(twice_bus_events.append)
    twice = CallMonitor(twice_bus)
    for event in script.sent:
        twice.handle_event(event)
        twice.handle_event(event)
    again = dict(script.call().__data__)
    assert [type(e).__name__ for e in twice_bus_events] == single[0]
    single[1].pop("id")
    again.pop("id")
    assert again == single[1]
    assert Leg.select().count() == 2


def test_names_survive_deleted_people_and_unknown_ids(
        monitor: CallMonitor, people: dict[str, Person]) -> None:
    script = Script(monitor, people)
    script.start()
    script.stage(MAIN, 0.3, "Alice")
    script.user(events.PvLegRing.NAME, 0.31, Person="999", Group="999", Phone="+358401", Stage=MAIN)
    people["Alice"].delete_instance()
    script.user(events.PvLegAnswer.NAME, 3.0, Person=script.person("Alice"), Stage=MAIN)
    script.user(events.PvLegResult.NAME, 4.0, Person=script.person("Alice"), Stage=MAIN,
                Result=LegResult.CONFIRMED)
    script.user(events.PvConfirmed.NAME, 4.0, Person=script.person("Alice"), Stage=MAIN)
    script.end(9.0, "ANSWER")
    legs = script.legs()
    alice = legs[("Alice", MAIN)]
    assert (alice.person, alice.answered_at, alice.result) == (None, at(3.0), LegResult.CONFIRMED)
    assert legs[("#999", MAIN)].phone == "+358401"
    call = script.call()
    assert (call.answered_by, call.answered_by_name) == (None, "Alice")


def test_a_restarted_monitor_continues_open_calls(people: dict[str, Person]) -> None:
    script = Script(CallMonitor(b.EventBus()), people)
    script.start()
    script.stage(MAIN, 0.3, "Alice", "Bob")
    script.answer("Alice", MAIN, 3.0)
    script.monitor = CallMonitor(b.EventBus())  # the old one was killed
    script.confirm("Alice", MAIN, 4.0)
    script.caller("BridgeEnter", 4.01)
    script.leg_end("Bob", MAIN, 4.02, "CANCEL")
    script.end(20.0, "ANSWER")
    call = script.call()
    assert (call.outcome, call.answered_by_name, call.answered_at) == (
        CallOutcome.ANSWERED, "Alice", at(4.01))


def test_failsafe_routing_and_recording(monitor: CallMonitor, people: dict[str, Person]) -> None:
    script = Script(monitor, people)
    script.user(events.PvCallStart.NAME, 0, NumberId="", Dialled="0900000001", Caller64="",
                CallerLength="0", Presentation="allowed_not_screened")
    script.user(events.PvDecision.NAME, 0.1, Decision="", Recording="")
    script.user(events.PvRecording.NAME, 0.2, File="2025/11/1764100000.11.wav")
    call = script.call()
    assert (call.number, call.routing, call.recording) == (
        None, "failsafe", "2025/11/1764100000.11.wav")


def test_recording_is_kept_only_for_ringing_calls(monitor: CallMonitor,
                                                  people: dict[str, Person]) -> None:
    ringing = Script(monitor, people, "1764100000.11")
    nobody = Script(monitor, people, "1764100000.12")
    for script, decision in ((ringing, Verdict.RING), (nobody, Verdict.NOBODY)):
        script.user(events.PvCallStart.NAME, 0, NumberId="", Dialled="0900000001", Caller64="",
                CallerLength="0", Presentation="allowed_not_screened")
        script.user(events.PvDecision.NAME, 0.1, Decision=decision, Routing="agi",
                    Recording=f"2025/11/{script.call_id}.wav")
    assert ringing.call().recording == "2025/11/1764100000.11.wav"
    assert nobody.call().recording is None


def test_a_failing_subscriber_does_not_stop_the_log(people: dict[str, Person]) -> None:
    bus = b.EventBus()
    bus.subscribe(lambda event: 1 / 0)
    script = Script(CallMonitor(bus), people)
    answered_in_main(script)
    assert script.call().outcome == CallOutcome.ANSWERED


def test_reconcile_closes_calls_whose_channel_is_gone(
        monitor: CallMonitor, people: dict[str, Person], published: list[object],
        caplog: pytest.LogCaptureFixture) -> None:
    lost = Script(monitor, people, "1764100000.11")
    alive = Script(monitor, people, "1764100000.12")
    for script in (lost, alive):
        script.start()
        script.stage(MAIN, 0.3, "Alice")
    lost.answer("Alice", MAIN, 3.0)
    fake = FakeAmi()
    fake.channels = [alive.call_id, "1764100000.13"]
    ami = AmiClient("127.0.0.1", fake.port, "monitor", "s3cret")
    try:
        ami.connect(timeout=2.0)
        with caplog.at_level(logging.WARNING):
            assert monitor.reconcile(ami) == [lost.call_id]
    finally:
        ami.close()
        fake.close()
    assert "no channel in Asterisk" in caplog.text
    call = lost.call()
    assert (call.ended_at, call.outcome, call.wait_s, call.talk_s) == (
        at(3.0), CallOutcome.ABANDONED, None, None)
    assert alive.call().ended_at is None
    # The real end was only late, not lost: it wins.
    lost.end(9.0, "NOANSWER")
    call = lost.call()
    assert (call.ended_at, call.wait_s) == (at(9.0), 9.0)


def test_an_event_that_meets_a_locked_database_is_applied_again(
        monitor: CallMonitor, people: dict[str, Person], published: list[object],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import peewee

    script = Script(monitor, people)
    script.start()
    real_apply = monitor._apply
    failures = iter([peewee.OperationalError("database is locked")])

    def locked_once(event: dict[str, str]) -> None:
        real_apply(event)  # half done, then the database refuses: rolled back
        error = next(failures, None)
        if error is not None:
            raise error

    monkeypatch.setattr(monitor, "_apply", locked_once)
    script.stage(MAIN, 0.3, "Alice")
    assert list(script.legs()) == [("Alice", MAIN)]
    assert [type(e).__name__ for e in published].count("LegRinging") == 1
