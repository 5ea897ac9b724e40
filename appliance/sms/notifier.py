"""Queues the call messages as the call monitor publishes calls.

The bus calls us on the monitor's event thread, between two Asterisk events, so each event
costs a few small queries and one short write transaction, and nothing here talks to the
modem: the outbox's sender does that on its own thread.  A row's idempotency key is
``<call id>:<kind>:<recipient>``, so an event seen again (a replayed journal, a restarted
monitor) queues nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Callable
from typing import Any

from peewee import JOIN

from paivystys.appliance.calllog.records import as_utc
from paivystys.appliance.db.models import (
    Call,
    OnCallNumber,
    OutboxMessage,
    Person,
    utcnow,
)
from paivystys.appliance.db.settings import get_setting
from paivystys.appliance.ringing.bus import CallConfirmed, CallEnded, EventBus
from paivystys.appliance.ringing.rule import CallOutcome
from paivystys.appliance.sms.kinds import ABANDONED, CALLER_CONTACT, MISSED, TAKEN
from paivystys.appliance.sms.outbox.store import QueuedMessage, enqueue, enqueue_many
from paivystys.appliance.sms.recipients import (
    caller_sms_number,
    contact_number,
    rung_recipients,
    taken_recipients,
)
from paivystys.appliance.sms.templates import caller_display, clock_time, render

log = logging.getLogger(__name__)

ANSWERED_OUTCOMES = (CallOutcome.ANSWERED, CallOutcome.ANSWERED_BY_BACKUP)
UNANSWERED_KINDS = {CallOutcome.MISSED: MISSED, CallOutcome.ABANDONED: ABANDONED}
TAKEN_MAX_AGE = dt.timedelta(minutes=10)
UNKNOWN_WAIT = "?"  # {wait} of a call closed after a monitor outage: nobody knows it


class SmsNotifier:
    def __init__(self, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self._clock = clock

    def subscribe(self, bus: EventBus) -> Callable[[], None]:
        """Start queueing messages for the calls published on ``bus``; returns a function
        that stops it."""
        stops = [bus.subscribe(_logging_failures(self.call_confirmed), CallConfirmed),
                 bus.subscribe(_logging_failures(self.call_ended), CallEnded)]

        def unsubscribe() -> None:
            for stop in stops:
                stop()

        return unsubscribe

    def call_confirmed(self, event: CallConfirmed) -> list[int]:
        """TAKEN to the others who were rung; returns the ids of the rows queued now."""
        age = self._clock() - event.at
        if age > TAKEN_MAX_AGE:
            # A monitor back from an outage replays old calls: "X took the call" an hour
            # later only disturbs; the call log has it.
            log.info("call %s was taken %s ago; no messages about it now", event.call_id, age)
            return []
        call = _call_with_number(event.call_id)
        if call is None or call.number is None or not call.number.sms_on_taken:
            return []
        lang = get_setting("sms_language")
        text = render(TAKEN, lang, name=event.person_name,
                      caller=caller_display(call.caller, lang), time=_arrival(call, lang),
                      number_name=call.number.name,
                      wait=_whole_seconds((event.at - as_utc(call.arrived_at)).total_seconds()))
        people = taken_recipients(call, event.person_id)
        return _queue(call, TAKEN, text, [(person.phone, person) for person in people])

    def call_ended(self, event: CallEnded) -> list[int]:
        """CALLER_CONTACT after an answered call, MISSED or ABANDONED after an unanswered one;
        returns the ids of the rows queued now."""
        call = _call_with_number(event.call_id)
        if call is None or call.number is None:
            return []  # unknown number: nobody to tell
        if event.outcome in ANSWERED_OUTCOMES:
            return self._caller_contact(call, call.number) if call.number.sms_to_caller else []
        kind = UNANSWERED_KINDS.get(event.outcome)
        if kind is None or not call.number.sms_on_missed:
            return []
        # A call closed while the monitor was away is ended again when its real end event
        # turns up, possibly with the other outcome; the people hear of it once.
        if (OutboxMessage.select()
                .where((OutboxMessage.call == call) & OutboxMessage.reason.in_((MISSED, ABANDONED)))
                .exists()):
            return []
        lang = get_setting("sms_language")
        text = render(kind, lang, caller=caller_display(call.caller, lang),
                      time=_arrival(call, lang), number_name=call.number.name,
                      wait=UNKNOWN_WAIT if call.wait_s is None else _whole_seconds(call.wait_s))
        people = rung_recipients(call)
        return _queue(call, kind, text, [(person.phone, person) for person in people])

    def _caller_contact(self, call: Call, number: OnCallNumber) -> list[int]:
        recipient = caller_sms_number(call.caller)
        if recipient is None:
            return []  # withheld, a landline, a short number: no text can reach them
        answerer = (Person.get_or_none(Person.id == call.answered_by_id)
                    if call.answered_by_id is not None else None)
        name = call.answered_by_name or (answerer.name if answerer is not None else "")
        lang = get_setting("sms_language")
        text = render(CALLER_CONTACT, lang, name=name,
                      contact=contact_number(answerer, number, recipient),
                      number_name=number.name, time=_arrival(call, lang))
        return _queue(call, CALLER_CONTACT, text, [(recipient, None)])


def queue_reply(kind: str, recipient: str, person: Person | None, key: str,
                language: str | None = None, **values: Any) -> OutboxMessage | None:
    """Queue a reply to a text (the duty commands' ON, OFF and help), in ``language`` or else
    the box's SMS language; ``key`` makes it once-only, as for :func:`enqueue`.  ``{name}``
    defaults to the person's name."""
    if person is not None:
        values.setdefault("name", person.name)
    text = render(kind, language or get_setting("sms_language"), **values)
    return enqueue(key=key, recipient=recipient, text=text, reason=kind, person=person)


def _queue(call: Call, kind: str, text: str,
           recipients: list[tuple[str, Person | None]]) -> list[int]:
    """All rows of one event in one INSERT, after every read: in WAL mode a transaction that
    reads and then writes fails at once (SQLITE_BUSY_SNAPSHOT) when another process wrote in
    between, where one that starts by writing waits its turn (busy_timeout)."""
    ids = enqueue_many([QueuedMessage(key=f"{call.call_id}:{kind}:{recipient}",
                                      recipient=recipient, text=text, reason=kind,
                                      call_id=call.id, person_id=person.id if person else None)
                        for recipient, person in recipients])
    return ids


def _call_with_number(call_id: str) -> Call | None:
    call = (Call.select(Call, OnCallNumber)
            .join(OnCallNumber, JOIN.LEFT_OUTER)
            .where(Call.call_id == call_id)
            .get_or_none())
    if call is None:
        log.warning("no call %r in the call log; its messages are not queued", call_id)
    return call


def _arrival(call: Call, lang: str) -> str:
    zone = zoneinfo.ZoneInfo(get_setting("time_zone"))
    return clock_time(as_utc(call.arrived_at).astimezone(zone), lang)


def _whole_seconds(seconds: float) -> str:
    return str(round(seconds))


def _logging_failures(handler: Callable[[Any], list[int]]) -> Callable[[Any], None]:
    """The call log goes on whatever a message's data holds: a failure is logged with what was
    lost, never raised into the bus."""
    def run(event: Any) -> None:
        try:
            handler(event)
        except Exception:
            log.exception("messages for call %s (%s) not queued", event.call_id,
                          type(event).__name__)
    return run
