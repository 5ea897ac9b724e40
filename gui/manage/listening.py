"""Listening numbers: the numbers people call to hear their own recordings by phone.  A
number is an on-call number or a listening number, never both (the appliance refuses it,
at the number field)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from paivystys.gui.manage.forms import EditDialog
from paivystys.gui.manage.page import ManagePage
from paivystys.gui.manage.tables import (
    Column,
    Row,
    RowsFilter,
    RowsModel,
    national_phone,
    rows_table,
    select_id,
    selected_row,
    shown_phone,
)
from paivystys.gui.net.client import ApplianceClient
from paivystys.gui.net.worker import BackgroundCalls
from paivystys.gui.widgets.fields import hint_label

PATH = "/api/listening-numbers"


class ListeningNumberDialog(EditDialog):
    """Add a listening number (`number` None) or change one; only changed values are sent."""

    def __init__(self, client: ApplianceClient, calls: BackgroundCalls, number: Row | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(self.tr("New listening number") if number is None
                         else self.tr("Edit {number}").format(number=number["number"]),
                         calls, parent)
        self.client = client
        self.number = number
        self.number_field = QLineEdit(number["number"] if number else "")
        self.number_field.setPlaceholderText(self.tr("e.g. 020 123 4568"))
        self.name_field = QLineEdit(number["name"] if number else "")
        self.name_field.setMaxLength(100)
        self.name_field.setPlaceholderText(self.tr("e.g. Listen to recordings"))
        self.form.add_row(self.tr("Number:"), self.number_field, "number",
                          hint=self.tr("The number people call to hear their recordings; "
                                       "not one of the on-call numbers."))
        self.form.add_row(self.tr("Name:"), self.name_field, "name")
        self.number_field.setFocus()

    def values(self) -> dict[str, Any]:
        return {"number": self.number_field.text().strip(),
                "name": self.name_field.text().strip()}

    def request(self) -> Callable[[], Any] | None:
        values = self.values()
        client = self.client
        if self.number is None:
            return lambda: client.post(PATH, values)
        changes = {key: value for key, value in values.items() if value != self.number[key]}
        if not changes:
            self.reject()
            return None
        path = f"{PATH}/{self.number['id']}"
        return lambda: client.patch(path, changes)


class ListeningNumbersPage(ManagePage):
    def __init__(self, client: ApplianceClient, calls: BackgroundCalls,
                 parent: QWidget | None = None) -> None:
        super().__init__(client, calls, parent)
        self.model = RowsModel(self, [
            Column(self.tr("Number"), lambda n: shown_phone(n["number"])),
            Column(self.tr("Name"), lambda n: n["name"]),
        ], search_text=lambda n: " ".join([n["number"], national_phone(n["number"]),
                                           n["name"]]))
        self.proxy = RowsFilter(self.model)
        self.table = rows_table(self.proxy)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.add_button = QPushButton(self.tr("New listening number…"))
        self.add_button.clicked.connect(self.add)
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button = QPushButton(self.tr("Delete…"))
        self.delete_button.clicked.connect(self.delete_selected)
        QShortcut(QKeySequence.StandardKey.Delete, self.table, self.delete_selected)
        self.count_label = QLabel()
        self.count_label.setObjectName("count")

        top = QHBoxLayout()
        top.addWidget(hint_label(self.tr(
            "People call a listening number to hear the recordings of the calls they "
            "answered. They key their PIN (from another phone, their personal number first); "
            "each sets the PIN in their own account, or an admin sets it under People.")), 1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(self.message_row(self.add_button, self.edit_button,
                                          self.delete_button))
        self._selection_changed()

    def reload(self) -> None:
        self.ask(lambda: self.client.get(PATH), self._show)

    def _show(self, numbers: list[Row]) -> None:
        chosen = selected_row(self.table)
        self.model.replace_rows(numbers)
        select_id(self.table, chosen["id"] if chosen else None)
        self.count_label.setText(self.tr("Listening numbers: {total}").format(
            total=len(numbers)))
        self._selection_changed()

    def _selection_changed(self) -> None:
        chosen = selected_row(self.table) is not None
        self.edit_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)

    def add(self) -> None:
        self.open_dialog(ListeningNumberDialog(self.client, self.calls, None, self),
                         self.tr("Listening number added."))

    def edit_selected(self) -> None:
        number = selected_row(self.table)
        if number is not None:
            self.open_dialog(ListeningNumberDialog(self.client, self.calls, number, self),
                             self.tr("Changes saved."))

    def delete_selected(self) -> None:
        number = selected_row(self.table)
        if number is None:
            return
        path = f"{PATH}/{number['id']}"
        label = f"{shown_phone(number['number'])} ({number['name']})"
        self.confirm(self.tr("Delete listening number"),
                     self.tr("Delete the listening number {number}?").format(number=label),
                     [self.tr("Calls to it no longer reach the listening line."),
                      self.tr("The recordings and the PINs stay; the call log keeps its "
                              "past calls.")],
                     self.tr("Delete number"),
                     lambda: self.change(lambda: self.client.delete(path),
                                         self.tr("{number} deleted.").format(number=label)))
