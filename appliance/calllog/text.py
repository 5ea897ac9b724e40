"""Plain-text tables for the terminal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from paivystys.appliance.calllog.records import as_utc
from paivystys.appliance.db.models import Call
from paivystys.appliance.phones import WITHHELD
from paivystys.appliance.ringing.rule import Stage


def format_table(headers: Sequence[str], rows: Iterable[Sequence[str]],
                 right: Iterable[int] = ()) -> str:
    """Columns padded to their widest cell; column indexes in ``right`` are right-aligned."""
    body = [list(row) for row in rows]
    widths = [max([len(header)] + [len(row[index]) for row in body])
              for index, header in enumerate(headers)]
    aligned = set(right)

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.rjust(width) if index in aligned else cell.ljust(width)
                         for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
                         ).rstrip()

    return "\n".join([line(headers), line(["-" * width for width in widths])]
                     + [line(row) for row in body])


def _local(value: dt.datetime | str | None, tz: dt.tzinfo | None) -> str:
    stamp = as_utc(value)
    return "" if stamp is None else stamp.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


def _secs(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def caller_text(caller: str) -> str:
    """The caller for a terminal: "withheld", or what the network sent with its control
    characters written out (an escape sequence in a caller ID must not drive the terminal)."""
    if caller == WITHHELD:
        return "withheld"
    return "".join(char if char.isprintable() else f"\\x{ord(char):02x}" for char in caller)


def format_calls(calls: Iterable[Call], tz: dt.tzinfo | None = None) -> str:
    """The call log as a table: local times (``tz``, default the system's), seconds."""
    rows = []
    for call in calls:
        number = call.number.name if call.number_id is not None else call.dialled
        who = call.answered_by_name or ""
        if who and call.answered_stage == Stage.BACKUP:
            who += " (backup)"
        rows.append([_local(call.arrived_at, tz), number, caller_text(call.caller),
                     _secs(call.wait_s),
                     _secs(call.talk_s), call.outcome or "in progress", who])
    if not rows:
        return "No calls."
    return format_table(["Arrived", "Number", "Caller", "Wait s", "Talk s", "Outcome",
                         "Answered by"], rows, right=(3, 4))
