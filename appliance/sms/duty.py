"""What an incoming text message does.

A known person (recognised by the sender's number) texts ``ON``/``PÄÄLLE`` to go on duty or
``OFF``/``POIS`` to go off duty, in every group they belong to (audited as ``sms:<phone>``'s
change); anything else from them gets a short help reply.  Messages from unknown numbers get
no reply (answering strangers would confirm the number to spammers and cost money) and are
only logged.  Every message is kept in ``IncomingSms``, once: re-reading the same message
from the modem changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import unicodedata

import peewee

from paivystys.appliance.changes import Changes
from paivystys.appliance.db.models import IncomingSms, Person, database_proxy, utcnow
from paivystys.appliance.db.settings import get_setting
from paivystys.appliance.directory import Directory
from paivystys.appliance.errors import ApplyFailed
from paivystys.appliance.phones import normalise_caller
from paivystys.appliance.sms import kinds
from paivystys.appliance.sms.notifier import queue_reply

log = logging.getLogger(__name__)

ACTION_ON = "duty_on"
ACTION_OFF = "duty_off"
ACTION_HELP = "help"
ACTION_UNKNOWN_SENDER = "unknown_sender"
ACTION_REPEATED = "repeated"  # the same message read again from the modem

WORDS_ON = frozenset({"ON", "PÄÄLLE", "PAALLE"})
WORDS_OFF = frozenset({"OFF", "POIS"})


def command_word(text: str) -> str:
    """The message as one comparable word: trimmed, upper case, composed (a phone may send ä
    decomposed), trailing punctuation dropped ("On." is ON)."""
    word = unicodedata.normalize("NFC", text).strip().upper()
    return word.rstrip(".!?")


def handle_incoming(sender: str, text: str, sent_at: dt.datetime | None) -> str:
    """Record and act on one received message; returns the action taken."""
    phone = normalise_caller(sender)
    key = f"{phone}|{sent_at.isoformat() if sent_at else ''}|{text}"
    person = Person.get_or_none(Person.phone == phone)
    try:
        with database_proxy.atomic():
            row = IncomingSms.create(key=key, sender=phone, text=text, sent_at=sent_at,
                                     received_at=utcnow(), person=person)
    except peewee.IntegrityError:
        log.info("message from %s already handled", phone)
        return ACTION_REPEATED
    if person is None:
        log.warning("message from unknown number %s ignored: %r", phone, text[:160])
        return _record(row, ACTION_UNKNOWN_SENDER)
    word = command_word(text)
    if word in WORDS_ON or word in WORDS_OFF:
        on_duty = word in WORDS_ON
        try:
            Directory(Changes(f"sms:{phone}")).set_duty(person.id, on_duty)
        except ApplyFailed as error:
            # The duty is saved and every call the AGI routes reads it from the database at
            # once; only the failsafe legs (used while the AGI is down) wait for the next
            # apply, and the audit log says so.  The person is told what took effect.
            log.warning("%s's duty by SMS is saved but not applied to Asterisk: %s",
                        person.name, error)
        action = ACTION_ON if on_duty else ACTION_OFF
        log.info("%s (%s) is now %s duty by SMS", person.name, phone, "on" if on_duty else "off")
        _reply(person, row, kinds.DUTY_ON if on_duty else kinds.DUTY_OFF)
        return _record(row, action)
    _reply(person, row, kinds.HELP)
    return _record(row, ACTION_HELP)


def _reply(person: Person, row: IncomingSms, kind: str) -> None:
    groups = ", ".join(group.name for group in Directory().person_groups(person.id))
    queue_reply(kind, person.phone, person, key=f"incoming:{row.id}:{kind}",
                language=get_setting("sms_language"), name=person.name, groups=groups)


def _record(row: IncomingSms, action: str) -> str:
    row.action = action
    row.save()
    return action
