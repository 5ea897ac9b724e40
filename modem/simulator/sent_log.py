"""What the simulated modem handed to the network: the ground truth a test checks against.

Each accepted part is appended to a JSON-lines file and forced to disk before the modem
answers ``+CMGS``/``+CMSS``, so a test that kills the client (or the whole box) in the window
between "sent" and "told it was sent" still finds the part in the log: exactly the ambiguity
an outbox has to survive.  Reading the log reassembles linked parts into messages, keeping
duplicates and gaps visible rather than smoothing them over.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

__all__ = ["SentLog", "SentMessage", "SentPart", "assemble_messages", "read_sent_messages"]


@dataclass(frozen=True)
class SentPart:
    """One SMS-SUBMIT the modem accepted, with the reference (TP-MR) it answered with."""

    at: datetime  # UTC, when the modem accepted it
    recipient: str
    reference: int
    concat: tuple[int, int, int] | None  # (concatenation reference, total parts, sequence)
    encoding: str  # "gsm7" | "ucs2" | "8bit"
    text: str
    pdu: str  # hex, as the client wrote it (SMSC field included)

    def to_dict(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "recipient": self.recipient,
                "reference": self.reference,
                "concat": list(self.concat) if self.concat is not None else None,
                "encoding": self.encoding, "text": self.text, "pdu": self.pdu}

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> SentPart:
        concat = record["concat"]
        return cls(at=datetime.fromisoformat(record["at"]), recipient=record["recipient"],
                   reference=int(record["reference"]),
                   concat=(int(concat[0]), int(concat[1]), int(concat[2]))
                   if concat is not None else None,
                   encoding=record["encoding"], text=record["text"], pdu=record["pdu"])


@dataclass(frozen=True)
class SentMessage:
    """A message as its recipient's phone would show it: the parts it got, in sequence."""

    recipient: str
    text: str
    parts: tuple[SentPart, ...]  # in sequence order
    at: datetime  # when the first part was accepted
    references: tuple[int, ...]  # TP-MR of each part, in sequence order

    @property
    def complete(self) -> bool:
        """False for a multi-part message some of whose parts never went out."""
        first = self.parts[0]
        if first.concat is None:
            return True
        sequences = sorted(part.concat[2] for part in self.parts if part.concat is not None)
        return sequences == list(range(1, first.concat[1] + 1))

    @classmethod
    def from_parts(cls, parts: Iterable[SentPart]) -> SentMessage:
        ordered = tuple(sorted(parts, key=lambda part: part.concat[2] if part.concat else 0))
        return cls(recipient=ordered[0].recipient, text="".join(part.text for part in ordered),
                   parts=ordered, at=min(part.at for part in ordered),
                   references=tuple(part.reference for part in ordered))

    def to_dict(self) -> dict[str, Any]:
        return {"recipient": self.recipient, "text": self.text, "at": self.at.isoformat(),
                "references": list(self.references), "complete": self.complete,
                "parts": [part.to_dict() for part in self.parts]}

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> SentMessage:
        return cls.from_parts(SentPart.from_dict(part) for part in record["parts"])


def assemble_messages(parts: Iterable[SentPart]) -> list[SentMessage]:
    """Group parts into messages, in the order each message's first part went out.

    Parts belong together when recipient, concatenation reference and total agree and the
    sequence number is still missing from the group; a part whose sequence number the open
    group already has starts a new message, so a re-sent message shows up twice.
    """
    groups: list[list[SentPart]] = []
    open_groups: dict[tuple[str, int, int], list[SentPart]] = {}
    for part in parts:
        if part.concat is None:
            groups.append([part])
            continue
        key = (part.recipient, part.concat[0], part.concat[1])
        group = open_groups.get(key)
        if group is None or any(member.concat == part.concat for member in group):
            group = []
            groups.append(group)
            open_groups[key] = group
        group.append(part)
        if len(group) == part.concat[1]:
            del open_groups[key]
    return [SentMessage.from_parts(group) for group in groups]


def read_sent_messages(path: str | os.PathLike[str]) -> list[SentMessage]:
    """The messages in a sent log (written by a simulator in this or another process)."""
    log = Path(path)
    if not log.exists():
        return []
    with log.open(encoding="utf-8") as lines:
        return assemble_messages(SentPart.from_dict(json.loads(line)) for line in lines
                                 if line.strip())


class SentLog:
    """Appends accepted parts to the log file, each one on disk before the modem answers."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def append(self, part: SentPart) -> None:
        line = json.dumps(part.to_dict(), ensure_ascii=False) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as log:
            log.write(line)
            log.flush()
            os.fsync(log.fileno())
