"""The tables of the Manage screens: rows as the API lists them (dicts), columns that say
how to show and sort them, a filter, and selection kept by row id across reloads."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QLocale,
    QObject,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QHeaderView, QLineEdit, QTableView

from paivystys.gui.formatting import format_phone
from paivystys.gui.widgets import table as widgets_table
from paivystys.gui.widgets.table import ITEM_ROLE, ColumnsModel, Index, table_view

Row = dict[str, Any]  # the API's item
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 2
ROW_PADDING = 10  # pixels above the font's height: rows as dense as a file manager's
COLUMN_PADDING = 18  # pixels beyond the widest text: columns that do not touch
_NOT_DIGITS = re.compile(r"[\s\-()/]")


@dataclass(frozen=True)
class Column(widgets_table.Column[Row]):
    """A column of a Manage table: how it sorts, and whether it is a check box."""

    sort_key: Callable[[Row], Any] | None = None  # default: the text, case-insensitively
    check_key: str | None = None  # a true/false value of the row, shown as a check box
    checkable: bool = False  # the user may tick it: `RowsModel.toggled` asks for the change


class RowsModel(ColumnsModel[Row]):
    """Rows in the API's order; a ticked check box is shown at once and reported by
    `toggled(row, column, checked)` for the page to save (and to reload on failure)."""

    toggled = Signal(object, int, bool)

    def __init__(self, owner: QObject, columns: list[Column],
                 search_text: Callable[[Row], str] | None = None,
                 muted: Callable[[Row], bool] | None = None) -> None:
        # Owned by the page, so that Qt deletes it with the page: the columns refer back to the
        # page, and Python's collector must never be the one to delete a model in that cycle.
        super().__init__(owner)
        self.columns: list[Column] = columns
        self._search_text = search_text
        self._muted = muted  # rows shown greyed, e.g. people who are off duty
        self._muted_brush = QGuiApplication.palette().brush(
            QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)

    def role_data(self, item: Row, column_number: int, role: int) -> Any:
        column = self.columns[column_number]
        if role == Qt.ItemDataRole.CheckStateRole and column.check_key is not None:
            return (Qt.CheckState.Checked if item[column.check_key]
                    else Qt.CheckState.Unchecked)
        if role == Qt.ItemDataRole.ForegroundRole and self._muted and self._muted(item):
            return self._muted_brush
        if role == SORT_ROLE:
            if column.sort_key is not None:
                return column.sort_key(item)
            return column.text(item).casefold()
        if role == SEARCH_ROLE:
            return self._search_text(item) if self._search_text else None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and self.columns[index.column()].checkable:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def setData(self, index: Index, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        column = self.columns[index.column()]
        if role != Qt.ItemDataRole.CheckStateRole or not column.checkable:
            return False
        checked = Qt.CheckState(value) == Qt.CheckState.Checked
        row = self.rows[index.row()] = {**self.rows[index.row()], column.check_key: checked}
        self.dataChanged.emit(index, index, [role])
        self.toggled.emit(row, index.column(), checked)
        return True


class RowsFilter(QSortFilterProxyModel):
    """Sorts by each column's sort key; filters on the words typed, all of which must appear
    in the row (a phone number is found however its digits are spaced)."""

    def __init__(self, model: RowsModel) -> None:
        super().__init__(model)
        self.setSourceModel(model)
        self.setSortRole(SORT_ROLE)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._words: list[str] = []

    def set_query(self, text: str) -> None:
        self.beginFilterChange()
        self._words = [word.casefold() for word in text.split()]
        if self._words and all(_NOT_DIGITS.sub("", word).lstrip("+").isdigit()
                               for word in self._words):
            self._words = [_NOT_DIGITS.sub("", text)]  # "040 555" is one number, not two words
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._words:
            return True
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)
        haystack = model.data(index, SEARCH_ROLE) or " ".join(
            model.data(model.index(source_row, column, source_parent)) or ""
            for column in range(model.columnCount()))
        text = haystack.casefold()
        squeezed = _NOT_DIGITS.sub("", text)
        return all(word in text or word in squeezed for word in self._words)


def search_field(placeholder: str, rows: RowsFilter) -> QLineEdit:
    """The field whose words filter `rows` as they are typed."""
    field = QLineEdit()
    field.setPlaceholderText(placeholder)
    field.setClearButtonEnabled(True)
    field.setMinimumWidth(280)
    field.textChanged.connect(rows.set_query)
    return field


def shown_phone(phone: str) -> str:
    """A number as the chosen language writes it: Finnish "040 555 0111"."""
    return format_phone(phone, QLocale()) if phone else ""


def national_phone(phone: str) -> str:
    """+358401234567 as 0401234567, so that a number typed the Finnish way is found."""
    return "0" + phone[4:] if phone.startswith("+358") else phone


def rows_table(model: QAbstractItemModel, sortable: bool = True) -> QTableView:
    """A table of whole rows, as dense as a file manager's, whose columns fit their contents
    after every reload and can then be widened by hand."""
    table = table_view(model)
    table.setWordWrap(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + ROW_PADDING)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setHighlightSections(False)

    def fit_columns() -> None:
        table.resizeColumnsToContents()
        for column in range(model.columnCount() - 1):
            table.setColumnWidth(column, table.columnWidth(column) + COLUMN_PADDING)

    model.modelReset.connect(fit_columns)
    model.layoutChanged.connect(fit_columns)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    if sortable:
        table.setSortingEnabled(True)
        table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    return table


def selected_row(table: QTableView) -> Row | None:
    indexes = table.selectionModel().selectedRows()
    return indexes[0].data(ITEM_ROLE) if indexes else None


def select_id(table: QTableView, row_id: int | None) -> None:
    """Select the row with id `row_id` again after a reload (or the first row)."""
    model = table.model()
    if model.rowCount() == 0:
        return
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if row_id is not None and index.data(ITEM_ROLE)["id"] == row_id:
            table.selectRow(row)
            table.scrollTo(index)
            return
    table.selectRow(0)
