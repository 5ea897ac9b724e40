"""Table models for the call log: the calls as the API lists them, and one call's legs.

The models only hold and format rows; the view asks the appliance for them in the
background.  Every sort happens on the server (so paging by cursor stays correct), which is
why a column names the API's `sort=` field instead of the model implementing `sort()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QDateTime,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
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
        "failed": QCoreApplication.translate("CallLog", "could not ring"),
    }


def stage_name(stage: str | None) -> str:
    if stage == "main":
        return QCoreApplication.translate("CallLog", "main")
    if stage == "backup":
        return QCoreApplication.translate("CallLog", "backup")
    return stage or ""


def _local(stamp: str | None) -> QDateTime | None:
    if not stamp:
        return None
    moment = QDateTime.fromString(stamp, Qt.DateFormat.ISODateWithMs)
    return moment.toLocalTime() if moment.isValid() else None


def date_time_text(stamp: str | None) -> str:
    """An API timestamp (UTC) as local time, in the UI language's own way of writing it."""
    moment = _local(stamp)
    # The format is translated so that the Finnish UI writes 25.11.2026 14.05.
    if moment is None:
        return ""
    return moment.toString(QCoreApplication.translate("CallLog", "yyyy-MM-dd HH:mm"))


def time_text(stamp: str | None) -> str:
    moment = _local(stamp)
    if moment is None:
        return ""
    return moment.toString(QCoreApplication.translate("CallLog", "HH:mm:ss"))


def seconds_text(value: float | None) -> str:
    return "" if value is None else str(round(value))


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
    """The calls loaded so far, page after page, in the server's order."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[dict[str, Any]] = []
        self._outcomes = outcome_names()

    def headers(self) -> list[str]:
        return [self.tr("Arrived"), self.tr("Number"), self.tr("Caller"), self.tr("Wait s"),
                self.tr("Talk s"), self.tr("Outcome"), self.tr("Answered by")]

    def replace_calls(self, calls: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.calls = list(calls)
        self.endResetModel()

    def append_calls(self, calls: list[dict[str, Any]]) -> None:
        if not calls:
            return
        first = len(self.calls)
        self.beginInsertRows(QModelIndex(), first, first + len(calls) - 1)
        self.calls.extend(calls)
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
            return call["number"]
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if key == "arrived_at":
            return date_time_text(call["arrived_at"])
        if key == "number_name":
            return call["number_name"] or call["number"]
        if key in ("wait_s", "talk_s"):
            return seconds_text(call[key])
        if key == "outcome":
            outcome = call["outcome"]
            return self.tr("in progress") if outcome is None else self._outcomes.get(
                outcome, outcome)
        return call[key] or ""


class LegsModel(QAbstractTableModel):
    """Whom one call rang, in ring order, and how each leg ended."""

    KEYS = ("person", "group", "stage", "result", "rung_at", "answered_at")

    def __init__(self) -> None:
        super().__init__()
        self.legs: list[dict[str, Any]] = []
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
                    self.tr("Rung"), self.tr("Answered"))[section]
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
            return time_text(leg[key])
        return leg[key] or ""
