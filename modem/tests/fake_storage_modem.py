"""A modem's message storage as 27.005 describes it, in memory, for the sender's unit tests:
every place where a real modem (or our process) can stop is a switch here."""

from __future__ import annotations

from dataclasses import dataclass, field

from paivystys.modem.gsm.adapter import (
    STAT_STORED_SENT,
    STAT_STORED_UNSENT,
    CmsError,
    StoredPdu,
    TimeoutException,
)


class Killed(Exception):
    """Our process died here (the test's stand-in for kill -9)."""


@dataclass
class FakeStorageModem:
    slots: dict[int, StoredPdu] = field(default_factory=dict)
    network: list[str] = field(default_factory=list)  # PDUs that reached the network, in order
    next_reference: int = 0
    # Switches: the next call of that command misbehaves once.
    kill_after_store: bool = False  # stored, then we die before hearing the index
    kill_after_send: bool = False  # sent, then we die before hearing the reference
    timeout_on_send: bool = False  # sent, but the answer never comes
    refuse_sends: list[int] = field(default_factory=list)  # +CMS ERROR codes, one per send

    def store_pdu(self, pdu: str, tpdu_length: int) -> int:
        index = next(i for i in range(1, 100) if i not in self.slots)
        self.slots[index] = StoredPdu(index, STAT_STORED_UNSENT, pdu.upper())
        if self.kill_after_store:
            self.kill_after_store = False
            raise Killed
        return index

    def send_stored(self, index: int) -> int:
        if self.refuse_sends:
            raise CmsError(f"AT+CMSS={index}", self.refuse_sends.pop(0))
        slot = self.slots.get(index)
        if slot is None:
            raise CmsError(f"AT+CMSS={index}", 321)
        self.network.append(slot.pdu)
        self.slots[index] = StoredPdu(index, STAT_STORED_SENT, slot.pdu)
        reference, self.next_reference = self.next_reference, (self.next_reference + 1) % 256
        if self.kill_after_send:
            self.kill_after_send = False
            raise Killed
        if self.timeout_on_send:
            self.timeout_on_send = False
            raise TimeoutException()
        return reference

    def read_stored(self, index: int) -> StoredPdu | None:
        return self.slots.get(index)

    def list_stored(self, stat: int) -> list[StoredPdu]:
        return [slot for slot in self.slots.values() if slot.stat == stat]

    def delete_stored(self, index: int) -> None:
        self.slots.pop(index, None)
