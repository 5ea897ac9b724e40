"""The logged-in person's recordings as the API lists them, newest first, as a table."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from paivystys.gui.calllog.model import api_time
from paivystys.gui.formatting import format_caller, format_datetime, format_duration

Index = QModelIndex | QPersistentModelIndex
RECORDING_ROLE = Qt.ItemDataRole.UserRole  # the API's item (a dict) behind a row
COLUMNS = ("arrived_at", "caller", "talk_s", "number_name")


class RecordingsModel(QAbstractTableModel):
    def __init__(self, locale: QLocale | None = None) -> None:
        super().__init__()
        self.locale = locale if locale is not None else QLocale()
        self.recordings: list[dict[str, Any]] = []

    def replace(self, recordings: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.recordings = list(recordings)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.recordings)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (self.tr("Time"), self.tr("Caller"), self.tr("Duration"),
                self.tr("On-call number"))[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        recording = self.recordings[index.row()]
        if role == RECORDING_ROLE:
            return recording
        if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[index.column()] == "talk_s":
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        key = COLUMNS[index.column()]
        if key == "arrived_at":
            return format_datetime(api_time(recording["arrived_at"]), self.locale)
        if key == "caller":
            return format_caller(recording["caller"], self.locale)
        if key == "talk_s":
            talk = recording["talk_s"]
            return "" if talk is None else format_duration(talk, self.locale)
        return recording[key] or ""
