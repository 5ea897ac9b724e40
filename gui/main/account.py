"""An on-call person's own account: what they need to hear their recordings by phone (their
personal number, for calling from a phone other than their own), whether their PIN is set,
and setting it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from paivystys.gui.formatting import format_datetime
from paivystys.gui.manage.people import pin_locked_until
from paivystys.gui.manage.pin import PinDialog
from paivystys.gui.net.client import ApiFailure, ApplianceClient, FailureKind
from paivystys.gui.net.worker import BackgroundCalls
from paivystys.gui.widgets.failures import describe, error_label
from paivystys.gui.widgets.fields import hint_label

FORM_WIDTH = 620


class AccountView(QWidget):
    """Emits `session_ended(ApiFailure)` when the appliance no longer accepts the login."""

    session_ended = Signal(object)

    def __init__(self, client: ApplianceClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.calls = BackgroundCalls(self)
        self.dialog: PinDialog | None = None
        self.name_label = QLabel()
        self.personal_number_label = QLabel()
        self.personal_number_label.setObjectName("personalNumber")
        self.personal_number_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.personal_number_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.personal_number_label.setFont(font)
        self.pin_label = QLabel()
        self.pin_button = QPushButton(self.tr("Set PIN…"))
        self.pin_button.clicked.connect(self.set_pin)
        self.error = error_label()
        self.status = hint_label("")
        self.status.setVisible(False)

        rows = QFormLayout()
        rows.setVerticalSpacing(10)
        rows.setHorizontalSpacing(14)
        rows.addRow(self.tr("Name:"), self.name_label)
        rows.addRow(self.tr("Personal number:"), self.personal_number_label)
        rows.addRow(self.tr("PIN:"), self.pin_label)
        button_row = QHBoxLayout()
        button_row.addWidget(self.pin_button)
        button_row.addStretch(1)
        rows.addRow("", button_row)
        holder = QWidget()
        holder.setMaximumWidth(FORM_WIDTH)
        column = QVBoxLayout(holder)
        column.addWidget(QLabel(self.tr("<h3>Hearing your recordings by phone</h3>")))
        column.addWidget(hint_label(self.tr(
            "Call the listening number and key your PIN, then #. From a phone other than "
            "your own, key your personal number and # first.")))
        column.addLayout(rows)
        column.addWidget(self.error)
        column.addWidget(self.status)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(holder)
        layout.addStretch(1)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.reload()

    def reload(self) -> None:
        self.calls.run(lambda: self.client.get("/api/me"), self._show, self._failed)

    def _show(self, me: dict[str, Any]) -> None:
        self.error.setVisible(False)
        locale = QLocale()
        self.name_label.setText(me["person_name"] or "")
        self.personal_number_label.setText(me["personal_number"] or "")
        until = pin_locked_until(me)
        if until is not None:
            self.pin_label.setText(self.tr(
                "set; locked after wrong PINs until {time}").format(
                    time=format_datetime(until, locale)))
        else:
            self.pin_label.setText(self.tr("set") if me["has_pin"] else self.tr(
                "not set: set one to hear your recordings by phone"))

    def set_pin(self) -> None:
        dialog = self.dialog = PinDialog(self.client, self.calls, "/api/me/pin",
                                         self.tr("Your PIN"), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda _result: self._pin_set())
        dialog.session_ended.connect(self.session_ended.emit)
        dialog.finished.connect(lambda _code: self._dialog_closed(dialog))
        dialog.open()

    def _dialog_closed(self, dialog: PinDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _pin_set(self) -> None:
        self.status.setText(self.tr("PIN set."))
        self.status.setVisible(True)
        self.reload()

    def _failed(self, failure: ApiFailure) -> None:
        if failure.kind is FailureKind.UNAUTHORIZED:
            self.session_ended.emit(failure)
            return
        self.error.setText(describe(failure))
        self.error.setVisible(True)
