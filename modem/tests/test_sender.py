"""The sender's promises, at every point where the process or the modem can stop: nothing
lost, nothing sent twice.  The modem here is an in-memory 27.005 storage
(``fake_storage_modem``); the same paths against the simulated modem on a pseudo-terminal and
a killed service process are in tests/sms/."""

from __future__ import annotations

import datetime as dt

import pytest

from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import OutboxMessage, OutboxPart
from paivystys.appliance.sms.outbox import states
from paivystys.appliance.sms.outbox.store import enqueue
from paivystys.modem.sender import ModemGone, OutboxSender, RetryPolicy
from paivystys.modem.tests.fake_storage_modem import FakeStorageModem, Killed

T0 = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
FINNISH_200 = ("Päivystäjä Äijälä otti puhelun asiakkaalta, joka soitti lämpökeskuksen häiriöstä. "
               "Hän hoitaa asian ja ilmoittaa, jos tarvitsee apua. Älkää soittako hänelle nyt, "
               "hän on työmaalla Öljymäellä; palaa pian")


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def db(tmp_path):
    database = open_database(tmp_path / "outbox.db")
    yield database
    database.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def modem() -> FakeStorageModem:
    return FakeStorageModem()


def sender(modem: FakeStorageModem, clock: Clock) -> OutboxSender:
    """A freshly started service: nothing in memory, only the database and the modem."""
    return OutboxSender(modem, clock=clock, policy=RetryPolicy(first_delay_s=10))


def queue(text: str = "Maija otti puhelun", key: str = "k1") -> OutboxMessage:
    row = enqueue(key=key, recipient="+358401234567", text=text, reason="taken")
    OutboxMessage.update(created_at=T0, next_attempt_at=T0).where(
        OutboxMessage.id == row.id).execute()
    return row


def reload(message: OutboxMessage) -> OutboxMessage:
    return OutboxMessage.get_by_id(message.id)


def test_a_message_goes_once_and_leaves_no_slot_behind(modem, clock) -> None:
    message = queue()
    assert sender(modem, clock).send_due() == 1
    assert len(modem.network) == 1
    assert modem.slots == {}
    row = reload(message)
    assert (row.state, row.parts, row.encoding) == (states.SENT, 1, "gsm7")
    part = OutboxPart.get(OutboxPart.message == row)
    assert (part.state, part.reference, part.storage_index) == (states.PART_SENT, 0, None)


def test_the_same_key_twice_is_one_message() -> None:
    assert queue(key="call-1:taken:+358401234567") is not None
    assert enqueue(key="call-1:taken:+358401234567", recipient="+358401234567", text="x",
                   reason="taken") is None
    assert OutboxMessage.select().count() == 1


def test_a_long_finnish_text_goes_as_two_parts_each_with_its_own_reference(modem, clock) -> None:
    assert len(FINNISH_200) == 200
    message = queue(FINNISH_200)
    sender(modem, clock).send_due()
    parts = list(OutboxPart.select().where(OutboxPart.message == message)
                 .order_by(OutboxPart.seq))
    assert [part.reference for part in parts] == [0, 1]
    assert len(modem.network) == 2
    assert reload(message).encoding == "gsm7"


def test_killed_after_the_modem_stored_a_part_but_before_the_index_was_recorded(
        modem, clock) -> None:
    message = queue()
    modem.kill_after_store = True
    with pytest.raises(Killed):
        sender(modem, clock).send_due()
    assert len(modem.slots) == 1 and modem.network == []
    restarted = sender(modem, clock)
    assert restarted.recover().adopted == 1
    restarted.send_due()
    assert len(modem.network) == 1
    assert reload(message).state == states.SENT
    assert modem.slots == {}


def test_killed_after_the_modem_sent_but_before_the_reference_was_recorded(modem, clock) -> None:
    message = queue()
    modem.kill_after_send = True
    with pytest.raises(Killed):
        sender(modem, clock).send_due()
    assert len(modem.network) == 1
    restarted = sender(modem, clock)
    assert restarted.recover().found_sent == 1
    restarted.send_due()
    assert len(modem.network) == 1  # not again
    assert reload(message).state == states.SENT
    assert modem.slots == {}


def test_a_send_that_times_out_is_not_assumed_lost(modem, clock) -> None:
    message = queue()
    modem.timeout_on_send = True
    with pytest.raises(ModemGone):
        sender(modem, clock).send_due()
    assert reload(message).state == states.SENDING
    restarted = sender(modem, clock)
    restarted.recover()
    restarted.send_due()
    assert len(modem.network) == 1
    assert reload(message).state == states.SENT


def test_killed_between_two_parts_resumes_with_the_second(modem, clock) -> None:
    message = queue(FINNISH_200)
    first = sender(modem, clock)
    modem.kill_after_send = True
    with pytest.raises(Killed):
        first.send_due()
    restarted = sender(modem, clock)
    restarted.recover()
    restarted.send_due()
    assert len(modem.network) == 2
    assert len(set(modem.network)) == 2  # part 1 and part 2, not part 1 twice
    assert reload(message).state == states.SENT


def test_a_refused_send_is_retried_from_its_slot_after_a_back_off(modem, clock) -> None:
    message = queue()
    modem.refuse_sends = [500]
    worker = sender(modem, clock)
    assert worker.send_due() == 0
    row = reload(message)
    assert (row.state, row.attempts, row.last_error) == (
        states.SENDING, 1, "modem refused: +CMS ERROR 500")
    assert len(modem.slots) == 1  # kept for the retry
    clock.advance(5)
    assert worker.send_due() == 0  # not due yet
    clock.advance(6)
    assert worker.send_due() == 1
    assert len(modem.network) == 1 and modem.slots == {}


def test_a_permanent_refusal_fails_the_message_and_frees_its_slot(modem, clock) -> None:
    message = queue()
    modem.refuse_sends = [21, 21, 21]
    worker = sender(modem, clock)
    for _ in range(3):
        worker.send_due()
        clock.advance(3600)
    row = reload(message)
    assert row.state == states.FAILED
    assert "after 3 attempts" in row.last_error
    assert modem.slots == {} and modem.network == []


def test_a_message_older_than_a_day_is_given_up(modem, clock) -> None:
    message = queue()
    clock.advance(25 * 3600)
    sender(modem, clock).send_due()
    row = reload(message)
    assert row.state == states.FAILED and row.last_error.startswith("expired")
    assert modem.network == []


def test_a_modem_that_lost_its_storage_gets_the_part_again(modem, clock) -> None:
    message = queue()
    modem.kill_after_store = True
    with pytest.raises(Killed):
        sender(modem, clock).send_due()
    restarted = sender(modem, clock)
    restarted.recover()  # adopts the slot
    modem.slots.clear()  # the modem was reset
    again = sender(modem, clock)
    assert again.recover().lost == 1
    again.send_due()
    assert len(modem.network) == 1
    assert reload(message).state == states.SENT


def test_recovery_frees_slots_nobody_owns(modem, clock) -> None:
    modem.store_pdu("0011000C915348103254760000AA01C8", 16)
    index = modem.store_pdu("0011000C915348103254760000AA01C9", 16)
    modem.send_stored(index)
    assert sender(modem, clock).recover().freed == 2
    assert modem.slots == {}


def test_status_reports_deliver_a_message_only_when_every_part_is_delivered(
        modem, clock) -> None:
    message = queue(FINNISH_200)
    worker = sender(modem, clock)
    worker.send_due()
    worker.status_report(1, 0)
    assert reload(message).state == states.SENT
    worker.status_report(0, 0)
    row = reload(message)
    assert row.state == states.DELIVERED and row.delivered_at is not None


def test_a_failed_status_report_fails_the_message(modem, clock) -> None:
    message = queue()
    worker = sender(modem, clock)
    worker.send_due()
    assert worker.status_report(0, 33) is not None  # still trying: no change
    assert reload(message).state == states.SENT
    worker.status_report(0, 70)
    row = reload(message)
    assert row.state == states.FAILED and "status report 70" in row.last_error


def test_a_status_report_for_an_unknown_reference_changes_nothing(modem, clock) -> None:
    queue()
    worker = sender(modem, clock)
    worker.send_due()
    assert worker.status_report(99, 0) is None


def test_a_message_that_cannot_be_encoded_fails_at_once(modem, clock) -> None:
    message = queue()
    OutboxMessage.update(recipient="anonymous").where(OutboxMessage.id == message.id).execute()
    sender(modem, clock).send_due()
    row = reload(message)
    assert row.state == states.FAILED and row.last_error.startswith("cannot be sent:")
    assert modem.network == []
