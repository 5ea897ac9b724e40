"""Sending the outbox through the modem: at least once, and never twice because of a restart.

The hard case is the moment a send is in the modem: the network may have the message while
our database does not yet say so (the service is killed, the modem goes silent before it
answers).  Sending with ``AT+CMGS`` leaves no trace to ask about afterwards, so a restart
could only guess: resend (a duplicate) or not (maybe lost).  We therefore send every part in
two steps that each leave a trace in the modem (3GPP TS 27.005):

1. ``AT+CMGW`` writes the part into the modem's storage ("stored unsent") and gives its
   index; the index is committed to the part's row.
2. ``AT+CMSS=<index>`` sends the stored part; the modem marks it "stored sent" and answers
   with the message reference, which is committed to the row; the slot is then freed.

After a restart (or the modem coming back), :meth:`OutboxSender.recover` asks the modem
before sending anything: a part whose slot says "stored sent" was sent and is marked so; one
whose slot still says "unsent" is sent from that slot; a part killed before its index was
committed is found by its bytes among the unsent slots.  A timeout never counts as "not sent";
only an explicit error from the modem does, and then the part is retried from its slot.

The one case that can still repeat a part: the modem itself loses its storage (reset, SIM
swapped) between the send and our commit; the part is then sent again (at least once wins).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

import serial

from paivystys.appliance.db.models import OutboxMessage, OutboxPart, database_proxy, utcnow
from paivystys.appliance.sms.encoding import encode
from paivystys.appliance.sms.outbox import states
from paivystys.appliance.sms.outbox.store import due_messages
from paivystys.modem.gsm.adapter import (
    STAT_STORED_SENT,
    STAT_STORED_UNSENT,
    CmeError,
    CmsError,
    CommandError,
    StoredPdu,
    TimeoutException,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

# Errors that will not go away by trying again (27.005 / 24.011 causes): the number is wrong or
# the network refuses this message for good.
PERMANENT_CMS_ERRORS = frozenset({1, 8, 10, 21, 28, 29, 30, 96, 97, 98, 99, 111, 302, 303, 304,
                                  305})


class ModemPort(Protocol):
    def store_pdu(self, pdu: str, tpdu_length: int) -> int: ...
    def send_stored(self, index: int) -> int: ...
    def read_stored(self, index: int) -> StoredPdu | None: ...
    def list_stored(self, stat: int) -> list[StoredPdu]: ...
    def delete_stored(self, index: int) -> None: ...


class ModemGone(Exception):
    """The modem stopped answering (or its port vanished) mid-conversation: whether the last
    command took effect is unknown, so nothing is concluded; reconnect and :meth:`recover`."""


def modem_call(command: Callable[..., T], *args: object) -> T:
    """Run one modem command; an explicit refusal (+CMS ERROR, +CME ERROR) stays what it is,
    anything that leaves its effect unknown becomes :class:`ModemGone`."""
    try:
        return command(*args)
    except (CmsError, CmeError):
        raise
    except TimeoutException as error:
        raise ModemGone(f"{command.__name__}: the modem did not answer") from error
    except (serial.SerialException, OSError) as error:
        raise ModemGone(f"{command.__name__}: {error}") from error
    except CommandError as error:
        raise ModemGone(f"{command.__name__}: unexpected answer: {error}") from error


@dataclass(frozen=True)
class RetryPolicy:
    first_delay_s: float = 10.0
    max_delay_s: float = 900.0
    max_attempts: int = 10
    permanent_attempts: int = 3  # a "permanent" error may be a network's bad moment; not 1
    max_age: dt.timedelta = dt.timedelta(hours=24)  # an on-call notice later than this is noise

    def delay(self, attempts: int) -> float:
        return min(self.first_delay_s * 2 ** max(attempts - 1, 0), self.max_delay_s)


@dataclass(frozen=True)
class Recovery:
    resumed: int = 0  # parts left in storage, to be sent from there
    found_sent: int = 0  # parts the modem had sent before we could record it
    adopted: int = 0  # parts written to storage before we could record where
    lost: int = 0  # parts whose slot the modem no longer holds: will be written again
    freed: int = 0  # slots deleted (sent, or orphaned)


def comparable(pdu: str) -> str:
    """A stored PDU as the modem may give it back: without the SMSC field (a modem may fill in
    its default centre) and with TP-MR zeroed (a modem may write the reference it used)."""
    text = pdu.strip().upper()
    smsc_octets = int(text[:2], 16)
    tpdu = text[2 + 2 * smsc_octets:]
    return tpdu[:2] + "00" + tpdu[4:]


class OutboxSender:
    def __init__(self, modem: ModemPort, *, policy: RetryPolicy | None = None,
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        self._modem = modem
        self._policy = policy or RetryPolicy()
        self._clock = clock

    # -- after every (re)connect ----------------------------------------------------------------

    def recover(self) -> Recovery:
        counts = {"resumed": 0, "found_sent": 0, "adopted": 0, "lost": 0, "freed": 0}
        in_modem = [part for part in self._open_parts() if part.state == states.PART_STORED]
        claimed: set[int] = set()
        for part in in_modem:
            slot = modem_call(self._modem.read_stored, part.storage_index)
            if slot is None or comparable(slot.pdu) != comparable(part.pdu):
                log.warning("message %s part %s: the modem no longer holds slot %s; it will be "
                            "written again", part.message_id, part.seq, part.storage_index)
                self._update_part(part, state=states.PART_PENDING, storage_index=None)
                counts["lost"] += 1
            elif slot.stat == STAT_STORED_SENT:
                self._update_part(part, state=states.PART_SENT, sent_at=self._clock())
                counts["found_sent"] += 1
            else:
                claimed.add(slot.index)
                counts["resumed"] += 1
        unsent = modem_call(self._modem.list_stored, STAT_STORED_UNSENT)
        free_slots = {slot.index: comparable(slot.pdu) for slot in unsent
                      if slot.index not in claimed}
        for part in self._open_parts():
            if part.state != states.PART_PENDING:
                continue
            wanted = comparable(part.pdu)
            index = next((i for i, pdu in free_slots.items() if pdu == wanted), None)
            if index is not None:
                del free_slots[index]
                claimed.add(index)
                self._update_part(part, state=states.PART_STORED, storage_index=index)
                counts["adopted"] += 1
        leftovers = [*free_slots, *(slot.index for slot in
                                    modem_call(self._modem.list_stored, STAT_STORED_SENT))]
        for index in leftovers:
            if index not in claimed:
                modem_call(self._modem.delete_stored, index)
                counts["freed"] += 1
        OutboxPart.update(storage_index=None).where(
            OutboxPart.state.in_((states.PART_SENT, states.PART_DELIVERED)),
            OutboxPart.storage_index.is_null(False)).execute()
        for message in (OutboxMessage.select()
                        .where(OutboxMessage.state == states.SENDING)):
            self._finish_if_sent(message)
        recovery = Recovery(**counts)
        if recovery != Recovery():
            log.info("outbox recovery: %s", recovery)
        return recovery

    # -- sending ----------------------------------------------------------------------------------

    def send_due(self, limit: int = 20) -> int:
        """Send what is due; returns how many messages went out.  Raises :class:`ModemGone`."""
        sent = 0
        for message in due_messages(self._clock(), limit):
            if self.send(message):
                sent += 1
        return sent

    def send(self, message: OutboxMessage) -> bool:
        now = self._clock()
        if _aware(message.created_at) + self._policy.max_age < now:
            self._fail(message, f"expired: not sent within {self._policy.max_age}")
            return False
        try:
            parts = self._parts(message)
        except ValueError as error:  # no number, no text: no retry can mend it
            self._fail(message, f"cannot be sent: {error}")
            return False
        for part in parts:
            try:
                if part.state == states.PART_PENDING:
                    index = modem_call(self._modem.store_pdu, part.pdu, part.tpdu_length)
                    self._update_part(part, state=states.PART_STORED, storage_index=index)
                if part.state == states.PART_STORED:
                    reference = modem_call(self._modem.send_stored, part.storage_index)
                    index = part.storage_index
                    self._update_part(part, state=states.PART_SENT, reference=reference,
                                      sent_at=self._clock())
                    self._free(index, part)
            except CmsError as error:
                self._retry(message, error)
                return False
        return self._finish_if_sent(message)

    # -- delivery reports -----------------------------------------------------------------------

    def status_report(self, reference: int, status: int) -> OutboxPart | None:
        """Record a status report (TP-ST ``status``) for the part sent with ``reference``:
        0-31 delivered, 32-63 still trying, 64+ given up."""
        since = self._clock() - dt.timedelta(days=3)  # references wrap at 256
        part = (OutboxPart.select()
                .where(OutboxPart.reference == reference,
                       OutboxPart.state.in_((states.PART_SENT, states.PART_DELIVERED)),
                       OutboxPart.sent_at >= since)
                .order_by(OutboxPart.sent_at.desc(), OutboxPart.id.desc()).first())
        if part is None:
            log.info("status report for unknown reference %s (status %s)", reference, status)
            return None
        now = self._clock()
        with database_proxy.atomic():
            if status < 32:
                self._update_part(part, state=states.PART_DELIVERED, delivered_at=now,
                                  report_status=status)
                message = OutboxMessage.get_by_id(part.message_id)
                undelivered = (OutboxPart.select()
                               .where(OutboxPart.message == message,
                                      OutboxPart.state != states.PART_DELIVERED).count())
                if undelivered == 0 and message.state == states.SENT:
                    message.state, message.delivered_at = states.DELIVERED, now
                    message.save()
            elif status < 64:
                self._update_part(part, report_status=status)
            else:
                self._update_part(part, state=states.PART_FAILED, report_status=status)
                OutboxMessage.update(
                    state=states.FAILED, failed_at=now,
                    last_error=f"part {part.seq} not delivered (status report {status})",
                ).where(OutboxMessage.id == part.message_id).execute()
        return part

    # -- helpers ----------------------------------------------------------------------------------

    @staticmethod
    def _open_parts() -> list[OutboxPart]:
        return list(OutboxPart.select().join(OutboxMessage)
                    .where(OutboxMessage.state == states.SENDING)
                    .order_by(OutboxPart.message, OutboxPart.seq))

    @staticmethod
    def _parts(message: OutboxMessage) -> list[OutboxPart]:
        """The message's parts, encoded on first use and never again: a resumed message must
        consist of exactly the bytes that may already be in the modem."""
        with database_proxy.atomic():
            parts = list(OutboxPart.select().where(OutboxPart.message == message)
                         .order_by(OutboxPart.seq))
            if parts:
                return parts
            encoded = encode(message.recipient, message.text, reference=message.id)
            parts = [OutboxPart.create(message=message, seq=part.seq, pdu=part.pdu_hex,
                                       tpdu_length=part.tpdu_length)
                     for part in encoded.parts]
            message.state, message.encoding, message.parts = (states.SENDING, encoded.encoding,
                                                              len(parts))
            message.save()
            return parts

    @staticmethod
    def _update_part(part: OutboxPart, **changes: object) -> None:
        for name, value in changes.items():
            setattr(part, name, value)
        part.save()

    def _free(self, index: int, part: OutboxPart) -> None:
        """Delete a sent part's slot; a failure only leaves it to the next recovery."""
        try:
            modem_call(self._modem.delete_stored, index)
        except CmsError as error:
            log.warning("could not free slot %s: %s", index, error)
            return
        self._update_part(part, storage_index=None)

    def _finish_if_sent(self, message: OutboxMessage) -> bool:
        parts = list(OutboxPart.select().where(OutboxPart.message == message))
        if not parts or any(part.state in (states.PART_PENDING, states.PART_STORED)
                            for part in parts):
            return False
        message = OutboxMessage.get_by_id(message.id)
        if message.state == states.SENDING:
            message.state, message.sent_at = states.SENT, self._clock()
            message.save()
        return True

    def _retry(self, message: OutboxMessage, error: CmsError) -> None:
        message = OutboxMessage.get_by_id(message.id)
        message.attempts += 1
        message.last_error = f"modem refused: +CMS ERROR {error.code}"
        limit = (self._policy.permanent_attempts if error.code in PERMANENT_CMS_ERRORS
                 else self._policy.max_attempts)
        if message.attempts >= limit:
            self._fail(message, f"{message.last_error} after {message.attempts} attempts")
            return
        message.next_attempt_at = self._clock() + dt.timedelta(
            seconds=self._policy.delay(message.attempts))
        message.save()
        log.warning("message %s: %s; attempt %s, next at %s", message.id, message.last_error,
                    message.attempts, message.next_attempt_at)

    def _fail(self, message: OutboxMessage, reason: str) -> None:
        """Give up on a message; its parts still in the modem's storage are freed (a failed
        message must not go out later from there)."""
        message = OutboxMessage.get_by_id(message.id)
        for part in OutboxPart.select().where(OutboxPart.message == message,
                                              OutboxPart.state == states.PART_STORED):
            try:
                modem_call(self._modem.delete_stored, part.storage_index)
            except CmsError:
                log.warning("could not free slot %s of failed message %s",
                            part.storage_index, message.id)
            self._update_part(part, state=states.PART_FAILED, storage_index=None)
        message.state, message.failed_at, message.last_error = (states.FAILED, self._clock(),
                                                                reason)
        message.save()
        log.error("message %s to %s failed: %s", message.id, message.recipient, reason)


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives datetimes back naive; ours are all UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
