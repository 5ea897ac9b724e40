"""Table models for the call log: the calls as the API lists them, and one call's legs.

The models only hold and format rows; the view asks the appliance for them in the
background.  Every sort happens on the server (so paging by cursor stays correct), which is
why a column names the API's `sort=` field instead of the model implementing `sort()`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from paivystys.gui.formatting import (
    format_caller,
    format_datetime,
    format_duration,
    format_phone,
    format_time,
)

Index = QModelIndex | QPersistentModelIndex
CALL_ROLE = Qt.ItemDataRole.UserRole  # the API's item (a dict) behind a row
NUMBER_ALIGNMENT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


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


@dataclass(frozen=True)
class Column:
    key: str
    sort_field: str | None  # the API's `sort=` field, None when the server cannot sort by it


CALL_COLUMNS = (
    Column("arrived_at", "arrived_at"),
    Column("number_name", None),
    Column("caller", None),
    Column("wait_s", "wait_s"),
    Column("talk_s", "talk_s"),
    Column("outcome", "outcome"),
    Column("answered_by", None),
)


class CallLogModel(QAbstractTableModel):
    """The calls loaded so far, page after page, in the server's order, written the way
    `locale` (the chosen language's) writes times, durations and phone numbers."""

    def __init__(self, locale: QLocale | None = None) -> None:
        super().__init__()
        self.calls: list[dict[str, Any]] = []
        self.locale = locale if locale is not None else QLocale()
        self._outcomes = outcome_names()
        # Each row's texts, made on first display: the view asks for them again and again
        # (sizing the columns to their contents, every paint), and parsing a phone number
        # or converting a time each time made drawing 2,000 rows take seconds.
        self._texts: list[tuple[str, ...] | None] = []

    def headers(self) -> list[str]:
        return [self.tr("Arrived"), self.tr("Number"), self.tr("Caller"), self.tr("Wait"),
                self.tr("Talk"), self.tr("Outcome"), self.tr("Answered by")]

    def replace_calls(self, calls: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.calls = list(calls)
        self._texts = [None] * len(self.calls)
        self.endResetModel()

    def append_calls(self, calls: list[dict[str, Any]]) -> None:
        if not calls:
            return
        first = len(self.calls)
        self.beginInsertRows(QModelIndex(), first, first + len(calls) - 1)
        self.calls.extend(calls)
        self._texts.extend([None] * len(calls))
        self.endInsertRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.calls)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(CALL_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        call = self.calls[index.row()]
        key = CALL_COLUMNS[index.column()].key
        if role == CALL_ROLE:
            return call
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("wait_s", "talk_s"):
            return NUMBER_ALIGNMENT
        if role == Qt.ItemDataRole.ToolTipRole and key == "number_name":
            return format_phone(call["number"], self.locale)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        texts = self._texts[index.row()]
        if texts is None:
            texts = self._texts[index.row()] = tuple(
                self._text(call, column.key) for column in CALL_COLUMNS)
        return texts[index.column()]

    def _text(self, call: dict[str, Any], key: str) -> str:
        if key == "arrived_at":
            return format_datetime(api_time(call["arrived_at"]), self.locale)
        if key == "number_name":
            return call["number_name"] or format_phone(call["number"], self.locale)
        if key == "caller":
            return format_caller(call["caller"], self.locale)
        if key in ("wait_s", "talk_s"):
            return "" if call[key] is None else format_duration(call[key], self.locale)
        if key == "outcome":
            outcome = call["outcome"]
            return self.tr("in progress") if outcome is None else self._outcomes.get(
                outcome, outcome)
        return call[key] or ""


class LegsModel(QAbstractTableModel):
    """Whom one call rang, in ring order, and how each leg ended."""

    KEYS = ("person", "group", "stage", "result", "rung_at", "answered_at", "phone")

    def __init__(self, locale: QLocale | None = None) -> None:
        super().__init__()
        self.legs: list[dict[str, Any]] = []
        self.locale = locale if locale is not None else QLocale()
        self._results = leg_result_names()

    def show_legs(self, legs: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.legs = list(legs)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.legs)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.KEYS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (self.tr("Person"), self.tr("Group"), self.tr("Stage"), self.tr("Result"),
                    self.tr("Rung"), self.tr("Answered"), self.tr("Phone"))[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        leg = self.legs[index.row()]
        key = self.KEYS[index.column()]
        if key == "stage":
            return stage_name(leg["stage"])
        if key == "result":
            result = leg["result"]
            return self.tr("ringing") if result is None else self._results.get(result, result)
        if key in ("rung_at", "answered_at"):
            stamp = leg[key]
            return "" if stamp is None else format_time(api_time(stamp), self.locale)
        if key == "phone":
            return format_phone(leg["phone"], self.locale)
        return leg[key] or ""
