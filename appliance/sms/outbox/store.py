"""Writing to and reading the outbox.  The call path only ever calls :func:`enqueue`: one
INSERT, no modem, no waiting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee

from paivystys.appliance.db.models import Call, OutboxMessage, Person, database_proxy, utcnow
from paivystys.appliance.sms.outbox import states


@dataclass(frozen=True)
class QueuedMessage:
    key: str
    recipient: str
    text: str
    reason: str
    call_id: int | None = None  # Call row id
    person_id: int | None = None


def enqueue(*, key: str, recipient: str, text: str, reason: str,
            call: Call | int | None = None,
            person: Person | int | None = None) -> OutboxMessage | None:
    """Queue one message.  Returns the new row, or None when a message with this ``key`` was
    queued before (the same event seen twice sends one message)."""
    try:
        with database_proxy.atomic():
            return OutboxMessage.create(key=key, recipient=recipient, text=text, reason=reason,
                                        call=call, person=person)
    except peewee.IntegrityError:
        if OutboxMessage.get_or_none(OutboxMessage.key == key) is not None:
            return None
        raise


# Written as SQL: peewee takes ~15 ms to build a 50-row INSERT, SQLite ~1 ms to run it, and
# this is on the call monitor's thread (issue budget: confirm -> outbox row within 50 ms).
_INSERT_MANY = ("INSERT INTO outbox_message (key, recipient, text, reason, call_id, person_id, "
                "state, attempts, created_at, next_attempt_at) VALUES {values} "
                "ON CONFLICT (key) DO NOTHING RETURNING id")


def enqueue_many(rows: list[QueuedMessage]) -> list[int]:
    """Queue several messages in one statement; returns the ids of the new rows (those whose
    key was queued before are left out)."""
    if not rows:
        return []
    now = utcnow().isoformat(" ")  # as peewee writes DateTimeFields to SQLite
    values: list[object] = []
    for row in rows:
        values += [row.key, row.recipient, row.text, row.reason, row.call_id, row.person_id,
                   states.QUEUED, 0, now, now]
    placeholders = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(rows))
    cursor = database_proxy.execute_sql(_INSERT_MANY.format(values=placeholders), values)
    return [row_id for (row_id,) in cursor.fetchall()]


def due_messages(now: dt.datetime, limit: int = 20) -> list[OutboxMessage]:
    """Open messages whose next attempt is due, oldest first; a message already in the modem
    (``sending``) goes before new ones so a half-sent message is finished first."""
    in_modem_first = peewee.Case(None, [(OutboxMessage.state == states.SENDING, 0)], 1)
    return list(OutboxMessage.select()
                .where(OutboxMessage.state.in_(states.OPEN_STATES),
                       OutboxMessage.next_attempt_at <= now)
                .order_by(in_modem_first, OutboxMessage.created_at, OutboxMessage.id)
                .limit(limit))


def listing(limit: int = 100, state: str | None = None) -> list[OutboxMessage]:
    """The newest messages first, for ``paivystys sms`` and the console."""
    query = OutboxMessage.select().order_by(OutboxMessage.created_at.desc(),
                                            OutboxMessage.id.desc())
    if state is not None:
        query = query.where(OutboxMessage.state == state)
    return list(query.limit(limit))
