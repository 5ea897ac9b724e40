import datetime as dt

import pytest

from paivystys.appliance.asterisk import apply as asterisk_apply
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import AuditEntry, IncomingSms, OutboxMessage, Person
from paivystys.appliance.directory import Directory
from paivystys.appliance.sms import kinds
from paivystys.appliance.sms.duty import (
    ACTION_HELP,
    ACTION_OFF,
    ACTION_ON,
    ACTION_REPEATED,
    ACTION_UNKNOWN_SENDER,
    command_word,
    handle_incoming,
)

SENT = dt.datetime(2026, 11, 25, 21, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def people(tmp_path):
    database = open_database(tmp_path / "duty.db")
    directory = Directory()
    directory.add_group("Huolto")
    directory.add_person("Maija Virtanen", "040 100 0001")
    directory.add_member("Maija Virtanen", "Huolto")
    yield
    database.close()


def maija() -> Person:
    return Person.get(Person.phone == "+358401000001")


def replies() -> list[tuple[str, str]]:
    rows = OutboxMessage.select().order_by(OutboxMessage.id)
    return [(row.recipient, row.reason) for row in rows]


@pytest.mark.parametrize("text", ["OFF", "off", " Pois ", "POIS.", "pois!"])
def test_off_takes_the_sender_off_duty_and_confirms(text: str) -> None:
    assert handle_incoming("+358401000001", text, SENT) == ACTION_OFF
    assert maija().on_duty is False
    assert replies() == [("+358401000001", kinds.DUTY_OFF)]


@pytest.mark.parametrize("text", ["ON", "on", "PÄÄLLE", "päälle", "Pa\u0308a\u0308lle", "paalle"])
def test_on_puts_the_sender_on_duty(text: str) -> None:
    Directory().change_person("Maija Virtanen", on_duty=False)
    assert handle_incoming("+358401000001", text, SENT) == ACTION_ON
    assert maija().on_duty is True
    assert replies() == [("+358401000001", kinds.DUTY_ON)]


def test_a_duty_change_asterisk_cannot_take_is_kept_confirmed_and_audited(monkeypatch) -> None:
    def asterisk_down() -> None:
        raise RuntimeError("Asterisk does not answer")

    monkeypatch.setattr(asterisk_apply, "apply_configuration", asterisk_down)
    assert handle_incoming("+358401000001", "off", SENT) == ACTION_OFF
    assert maija().on_duty is False  # what the AGI reads for every call
    assert replies() == [("+358401000001", kinds.DUTY_OFF)]
    assert IncomingSms.get().action == ACTION_OFF
    audit = [(row.actor, row.action) for row in AuditEntry.select().order_by(AuditEntry.id)]
    assert audit[-2:] == [("sms:+358401000001", "duty.off"),
                          ("sms:+358401000001", "apply.failed")]


def test_the_sender_is_recognised_in_national_form_too() -> None:
    assert handle_incoming("0401000001", "off", SENT) == ACTION_OFF
    assert maija().on_duty is False


def test_anything_else_from_a_person_gets_the_help_text() -> None:
    assert handle_incoming("+358401000001", "Kuka päivystää?", SENT) == ACTION_HELP
    assert maija().on_duty is True
    assert replies() == [("+358401000001", kinds.HELP)]
    assert "POIS" in OutboxMessage.get().text


def test_an_unknown_number_gets_nothing_but_is_kept() -> None:
    assert handle_incoming("+358409999999", "OFF", SENT) == ACTION_UNKNOWN_SENDER
    assert replies() == []
    row = IncomingSms.get()
    assert (row.sender, row.text, row.action, row.person_id) == (
        "+358409999999", "OFF", ACTION_UNKNOWN_SENDER, None)


def test_the_same_message_read_twice_acts_once() -> None:
    assert handle_incoming("+358401000001", "OFF", SENT) == ACTION_OFF
    Directory().change_person("Maija Virtanen", on_duty=True)
    assert handle_incoming("+358401000001", "OFF", SENT) == ACTION_REPEATED
    assert maija().on_duty is True
    assert len(replies()) == 1
    # the same words sent again later are a new message
    assert handle_incoming("+358401000001", "OFF", SENT + dt.timedelta(minutes=1)) == ACTION_OFF


def test_command_word_normalises_what_phones_send() -> None:
    assert command_word("  Pa\u0308a\u0308lle.\n") == "PÄÄLLE"
