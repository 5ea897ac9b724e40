"""The console's tables: a model whose columns are declared as data, and one way to set up the
read-only table view that shows it.

Each screen says what its columns are (title, the text of an item, alignment, tooltip); the
model answers Qt's questions about them, so no screen repeats Qt's row/column/header
plumbing.  A screen that needs more (check boxes, colours, sort keys) answers those roles in
`ColumnsModel.role_data`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

Index = QModelIndex | QPersistentModelIndex
ITEM_ROLE = Qt.ItemDataRole.UserRole  # the item behind a row: the API's dict, a live call
NUMBER_ALIGNMENT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

Item = TypeVar("Item")


@dataclass(frozen=True)
class Column(Generic[Item]):
    title: str  # already in the UI language
    text: Callable[[Item], str]
    _: KW_ONLY
    key: str = ""  # names the column for code that refers to it, e.g. to redraw it
    alignment: Qt.AlignmentFlag | None = None  # None: the view's default
    tooltip: Callable[[Item], str | None] | None = None


class ColumnsModel(QAbstractTableModel, Generic[Item]):
    """`rows` of items in the order given, one column for each of `columns`.

    A subclass sets `columns` in its constructor, after calling this one, so that their titles
    can be written with `self.tr()` in the subclass's own translation context.  A column's
    functions must not refer to a model that has no Qt parent: the cycle would leave the model
    for Python's collector to delete, on whichever thread it happens to run.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns: list[Column[Item]] = []
        self.rows: list[Item] = []

    def replace_rows(self, rows: list[Item]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def append_rows(self, rows: list[Item]) -> None:
        if not rows:
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self.rows.extend(rows)
        self.endInsertRows()

    def column_index(self, key: str) -> int:
        return next(number for number, column in enumerate(self.columns) if column.key == key)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(index.row(), index.column())
        if role == ITEM_ROLE:
            return item
        if role == Qt.ItemDataRole.TextAlignmentRole and column.alignment is not None:
            return column.alignment
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(item)
        return self.role_data(item, index.column(), role)

    def text(self, row: int, column: int) -> str:
        """What a cell shows; a subclass may keep texts that are slow to make."""
        return self.columns[column].text(self.rows[row])

    def role_data(self, item: Item, column: int, role: int) -> Any:
        """A subclass's answer for the roles this class does not answer itself."""
        return None


def table_view(model: QAbstractItemModel, selectable: bool = True) -> QTableView:
    """A read-only table of `model` whose columns fit their contents, the last one taking
    the rest of the width; `selectable` tables select one whole row at a time (and
    alternate their rows' colours to guide the eye along it), the others select nothing."""
    table = QTableView()
    table.setModel(model)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    if selectable:
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
    else:
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table
