from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from paivystys.appliance.asterisk import variables as v
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import Call, Group, Leg, Membership, OnCallNumber, Person
from paivystys.appliance.monitor.call_monitor import CallMonitor
from paivystys.appliance.monitor.journal import journal_events, replay_journal
from paivystys.appliance.ringing import events
from paivystys.appliance.ringing.bus import CallEnded, EventBus
from paivystys.appliance.ringing.rule import CallOutcome, LegResult, call_key

T0 = 1764100000.0


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[CallMonitor, list[object], Person, OnCallNumber]]:
    database = open_database(tmp_path / "paivystys.db")
    group = Group.create(name="Huolto")
    number = OnCallNumber.create(number="+358201234567", name="Huolto")
    person = Person.create(name="Liisa", phone="+358401000002")
    Membership.create(person=person, group=group)
    published: list[object] = []
    bus = EventBus()
    bus.subscribe(published.append)
    yield CallMonitor(bus), published, person, number
    database.close()


def _answered_journal(person: Person, number: OnCallNumber) -> dict[str, str]:
    return {
        v.JOURNAL_START: f"{T0:.3f}/{number.id}/appliance-{T0:.0f}.7",
        v.JOURNAL_CALLER: "MDQ1MTIzNDU2Nw==/10/allowed_not_screened",
        v.JOURNAL_DIALLED: "+358201234567",
        v.JOURNAL_DECISION: "ring/agi",
        v.JOURNAL_CONFIRMED: f"{person.id}/1/main/{T0 + 4.25:.3f}/{person.phone}",
        v.JOURNAL_ENDED: f"ANSWER/{T0 + 30:.3f}",
    }


class FakeJournalAmi:
    """AMI's DBGetTree/DBDelTree over an in-memory AstDB."""

    def __init__(self, entries: dict[str, dict[str, str]]) -> None:
        self.entries = entries
        self.deleted: list[str] = []

    def action_list(self, name: str, **headers: str) -> list[dict[str, str]]:
        assert (name, headers) == ("DBGetTree", {"Family": v.JOURNAL_FAMILY})
        return [{"Event": "DBGetTreeResponse", "Key": f"/{v.JOURNAL_FAMILY}/{key}/{field}",
                 "Val": value}
                for key, fields in self.entries.items() for field, value in fields.items()]

    def action(self, name: str, check: bool = True, **headers: str) -> dict[str, str]:
        assert name == "DBDelTree"
        self.deleted.append(headers["Key"])
        self.entries.pop(headers["Key"], None)
        return {"Response": "Success"}


def test_a_call_the_monitor_missed_is_logged_from_the_journal(setup):
    monitor, published, person, number = setup
    journal = _answered_journal(person, number)
    ami = FakeJournalAmi({call_key(f"appliance-{T0:.0f}.7"): journal})

    replayed = replay_journal(ami, monitor)

    call = Call.get(Call.call_id == f"appliance-{T0:.0f}.7")
    assert replayed == [call.call_id]
    assert call.outcome == CallOutcome.ANSWERED
    assert call.answered_by_name == "Liisa"
    assert call.caller == "+358451234567"
    assert call.wait_s == pytest.approx(4.25)
    assert call.talk_s == pytest.approx(25.75)
    assert [leg.result for leg in Leg.select()] == [LegResult.CONFIRMED]
    assert any(isinstance(event, CallEnded) for event in published)
    assert ami.entries == {}  # an ended call is forgotten


def test_a_complete_call_is_not_logged_twice(setup):
    monitor, _, person, number = setup
    journal = _answered_journal(person, number)
    for timestamp, event in journal_events(journal):
        monitor.handle_event(events.ami_headers(event, timestamp))
    ami = FakeJournalAmi({"1": journal})

    assert replay_journal(ami, monitor) == []
    assert Call.select().count() == 1
    assert ami.deleted == ["1"]


def test_a_complete_call_still_journalled_is_announced_again_for_what_follows_its_end(setup):
    """The monitor logged the end and stopped before the SMS rows and the forget: on coming
    back the call is complete in the log, and its confirmation and end are published again
    (the outbox keys make that safe) before the entry is forgotten."""
    monitor, published, person, number = setup
    journal = _answered_journal(person, number)
    for timestamp, event in journal_events(journal):
        monitor.handle_event(events.ami_headers(event, timestamp))
    published.clear()
    ami = FakeJournalAmi({"1": journal})

    assert replay_journal(ami, monitor) == []

    assert [type(event).__name__ for event in published] == ["CallConfirmed", "CallEnded"]
    confirmed, ended = published
    assert (confirmed.person_name, ended.outcome) == ("Liisa", CallOutcome.ANSWERED)
    assert Call.select().count() == 1
    assert ami.deleted == ["1"]


def test_a_call_still_in_progress_stays_in_the_journal(setup):
    monitor, _, person, number = setup
    journal = _answered_journal(person, number)
    del journal[v.JOURNAL_ENDED]
    ami = FakeJournalAmi({"1": journal})

    replay_journal(ami, monitor)

    assert Call.get().ended_at is None
    assert ami.deleted == []


@pytest.mark.parametrize(("dial_status", "outcome"), [("CANCEL", CallOutcome.ABANDONED),
                                                      ("NOANSWER", CallOutcome.MISSED)])
def test_unanswered_calls_from_the_journal(setup, dial_status, outcome):
    monitor, _, person, number = setup
    journal = _answered_journal(person, number)
    del journal[v.JOURNAL_CONFIRMED]
    journal[v.JOURNAL_ENDED] = f"{dial_status}/{T0 + 12:.3f}"

    replay_journal(FakeJournalAmi({"1": journal}), monitor)

    call = Call.get()
    assert call.outcome == outcome
    assert call.answered_by is None
    assert call.wait_s == pytest.approx(12)


def test_a_broken_entry_is_dropped(setup):
    monitor, _, _, _ = setup
    ami = FakeJournalAmi({"9": {v.JOURNAL_CALLER: "MDQ1MTIzNDU2Nw==/10/allowed_not_screened"}})
    assert replay_journal(ami, monitor) == []
    assert ami.deleted == ["9"]
    assert Call.select().count() == 0
