"""Table models for the call log: the calls as the API lists them, and one call's legs.

The models only hold and format rows; the view asks the appliance for them in the
background.  Every sort happens on the server (so paging by cursor stays correct), which is
why a column names the API's `sort=` field instead of the model implementing `sort()`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale

from paivystys.gui.formatting import (
    format_caller,
    format_datetime,
    format_duration,
    format_phone,
    format_time,
)
from paivystys.gui.widgets.table import NUMBER_ALIGNMENT, Column, ColumnsModel


def outcome_names() -> dict[str, str]:
    """The API's outcomes in the UI language, in the order the outcome filter offers them.

    Written out as `translate` calls so that pyside6-lupdate finds them."""
    return {
        "answered": QCoreApplication.translate("CallLog", "answered"),
        "answered_by_backup": QCoreApplication.translate("CallLog", "answered by backup"),
        "missed": QCoreApplication.translate("CallLog", "missed"),
        "abandoned": QCoreApplication.translate("CallLog", "caller hung up"),
        "unknown_number": QCoreApplication.translate("CallLog", "unknown number"),
    }


def leg_result_names() -> dict[str, str]:
    return {
        "no_answer": QCoreApplication.translate("CallLog", "no answer"),
        "busy": QCoreApplication.translate("CallLog", "busy"),
        "declined": QCoreApplication.translate("CallLog", "declined"),
        "voicemail_suspected": QCoreApplication.translate("CallLog", "voicemail?"),
        "confirmed": QCoreApplication.translate("CallLog", "took the call"),
        "too_late": QCoreApplication.translate("CallLog", "too late"),
        "not_confirmed": QCoreApplication.translate("CallLog", "answered, did not press 1"),
        "failed": QCoreApplication.translate("CallLog", "could not ring"),
    }


def stage_name(stage: str | None) -> str:
    if stage == "main":
        return QCoreApplication.translate("CallLog", "main")
    if stage == "backup":
        return QCoreApplication.translate("CallLog", "backup")
    return stage or ""


def api_time(stamp: str) -> dt.datetime:
    """An API timestamp (ISO 8601, UTC) as an aware datetime; naive would mean UTC too."""
    moment = dt.datetime.fromisoformat(stamp)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


Call = dict[str, Any]  # the API's item: a call, or one of its legs


@dataclass(frozen=True)
class CallColumn(Column[Call]):
    sort_field: str | None = None  # the API's `sort=` field, None when the server cannot sort


class CallLogModel(ColumnsModel[Call]):
    """The calls loaded so far, page after page, in the server's order, written the way
    `locale` (the chosen language's) writes times, durations and phone numbers."""

    def __init__(self, locale: QLocale | None = None) -> None:
        super().__init__()
        self.locale = locale = locale if locale is not None else QLocale()
        outcomes = outcome_names()
        in_progress = self.tr("in progress")
        # Each row's texts, made on first display: the view asks for them again and again
        # (sizing the columns to their contents, every paint), and parsing a phone number
        # or converting a time each time made drawing 2,000 rows take seconds.
        self._texts: list[tuple[str, ...] | None] = []

        def duration(key: str) -> Callable[[Call], str]:
            return lambda call: "" if call[key] is None else format_duration(call[key], locale)

        def outcome_text(call: Call) -> str:
            outcome = call["outcome"]
            return in_progress if outcome is None else outcomes.get(outcome, outcome)

        self.columns: list[CallColumn] = [
            CallColumn(self.tr("Arrived"), lambda call: format_datetime(
                api_time(call["arrived_at"]), locale), sort_field="arrived_at"),
            CallColumn(self.tr("Number"), lambda call: call["number_name"] or format_phone(
                call["number"], locale),
                tooltip=lambda call: format_phone(call["number"], locale)),
            CallColumn(self.tr("Caller"), lambda call: format_caller(call["caller"], locale)),
            CallColumn(self.tr("Wait"), duration("wait_s"), alignment=NUMBER_ALIGNMENT,
                       sort_field="wait_s"),
            CallColumn(self.tr("Talk"), duration("talk_s"), alignment=NUMBER_ALIGNMENT,
                       sort_field="talk_s"),
            CallColumn(self.tr("Outcome"), outcome_text, sort_field="outcome"),
            CallColumn(self.tr("Answered by"), lambda call: call["answered_by"] or ""),
        ]

    def replace_rows(self, rows: list[Call]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self._texts = [None] * len(self.rows)
        self.endResetModel()

    def append_rows(self, rows: list[Call]) -> None:
        self._texts.extend([None] * len(rows))
        super().append_rows(rows)

    def text(self, row: int, column: int) -> str:
        texts = self._texts[row]
        if texts is None:
            call = self.rows[row]
            texts = self._texts[row] = tuple(column.text(call) for column in self.columns)
        return texts[column]


class LegsModel(ColumnsModel[Call]):
    """Whom one call rang, in ring order, and how each leg ended."""

    def __init__(self, locale: QLocale | None = None) -> None:
        super().__init__()
        self.locale = locale = locale if locale is not None else QLocale()
        results = leg_result_names()
        ringing = self.tr("ringing")

        def result_text(leg: Call) -> str:
            result = leg["result"]
            return ringing if result is None else results.get(result, result)

        def time_text(key: str) -> Callable[[Call], str]:
            return lambda leg: "" if leg[key] is None else format_time(api_time(leg[key]), locale)

        self.columns = [
            Column(self.tr("Person"), lambda leg: leg["person"] or ""),
            Column(self.tr("Group"), lambda leg: leg["group"] or ""),
            Column(self.tr("Stage"), lambda leg: stage_name(leg["stage"])),
            Column(self.tr("Result"), result_text),
            Column(self.tr("Rung"), time_text("rung_at")),
            Column(self.tr("Answered"), time_text("answered_at")),
            Column(self.tr("Phone"), lambda leg: format_phone(leg["phone"], locale)),
        ]
