"""The call log as a CSV file that a Finnish Excel opens right with a double click.

The dialect follows what Excel does with a CSV file under the Finnish locale:

- UTF-8 with a byte order mark: without it Excel reads the file as Windows-1252 and
  "Päivystys" becomes "PÃ¤ivystys";
- ``;`` between fields: the Finnish list separator (``,`` is the decimal separator), so Excel
  splits the columns without the import wizard;
- seconds with a decimal comma (``4,57``): ``4.57`` would be text, and ``4.12`` a date;
- times in the appliance's time zone (setting ``time_zone``), ``2025-01-15 12:00:00``, which
  Excel reads as a date and time; the header names the zone.  In the hour that repeats when
  clocks go back, two calls can show the same local time: ``id`` still orders them;
- CRLF line ends, fields quoted only when they hold ``;``, a quote or a line break;
- a text cell that Excel would change gets a leading ``'``: one that starts with ``=``,
  ``+``, ``-``, ``@``, a tab or a carriage return (Excel would run it as a formula, and a
  caller id is whatever the phone network sent), and one of digits only (Excel would make it
  a number: ``0201234567`` loses its 0).  Phone numbers therefore show as ``'+358401234567``
  rather than 3,58402E+11.

Streaming: the rows come from ``query.call_chunks`` (keyset, a chunk per query), one string per
chunk, so memory stays flat over 100,000 calls and the web server sends a piece per chunk
rather than per line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from collections.abc import Iterator
from typing import Any

from paivystys.appliance.calllog.query import DEFAULT_SORT, MAX_LIMIT, CallFilter, call_chunks
from paivystys.appliance.calllog.records import call_to_dict
from paivystys.appliance.db.models import Call
from paivystys.appliance.db.settings import get_setting
from paivystys.appliance.ringing.rule import Stage

BOM = "\ufeff"
DELIMITER = ";"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Keys of call_to_dict, which are also the header (times get their zone appended).
COLUMNS = ("id", "arrived_at", "number", "number_name", "caller", "outcome", "answered_by",
           "answered_stage", "wait_s", "talk_s", "answered_at", "ended_at", "legs", "routing",
           "recording", "call_id", "dialled")
TIME_KEYS = frozenset({"arrived_at", "answered_at", "ended_at"})
SECONDS_KEYS = frozenset({"wait_s", "talk_s"})


def _text(value: str | None) -> str:
    if value is None:
        return ""
    return f"'{value}" if value.startswith(FORMULA_STARTS) or value.isdigit() else value


def _local(value: str | None, tz: zoneinfo.ZoneInfo) -> str:
    if value is None:
        return ""
    return dt.datetime.fromisoformat(value).astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def legs_summary(legs: list[dict[str, Any]]) -> str:
    """The legs in ring order, "Maija: confirmed; Pekka (backup): no_answer"."""
    parts = []
    for leg in legs:
        stage = " (backup)" if leg["stage"] == Stage.BACKUP else ""
        parts.append(f"{leg['person']}{stage}: {leg['result'] or 'ringing'}")
    return "; ".join(parts)


def _cells(call: dict[str, Any], tz: zoneinfo.ZoneInfo) -> list[str]:
    cells = []
    for key in COLUMNS:
        value = call[key]
        if key in TIME_KEYS:
            cells.append(_local(value, tz))
        elif key in SECONDS_KEYS:
            cells.append(_seconds(value))
        elif key == "id":
            cells.append(str(value))
        elif key == "legs":
            cells.append(_text(legs_summary(value)))
        else:
            cells.append(_text(value))
    return cells


def csv_rows(call_filter: CallFilter | None = None, sort: str = DEFAULT_SORT,
             chunk: int = MAX_LIMIT) -> Iterator[str]:
    """The CSV text in pieces: the BOM and header first, then the rows of ``chunk`` calls at
    a time.  Encode as UTF-8 (``text/csv; charset=utf-8``).

    Filter and sort are the listing's (``query.page``), ``visible_to_person`` included, and
    are checked before this returns, so a bad one fails before the download starts."""
    calls = call_chunks(call_filter, sort, chunk)
    zone = get_setting("time_zone")
    return _pieces(calls, zone)


def _pieces(chunks: Iterator[list[Call]], zone: str) -> Iterator[str]:
    tz = zoneinfo.ZoneInfo(zone)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow([f"{key} ({zone})" if key in TIME_KEYS else key for key in COLUMNS])
    yield BOM + buffer.getvalue()
    for calls in chunks:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(_cells(call_to_dict(call), tz) for call in calls)
        yield buffer.getvalue()
