"""What every Manage screen shares: asking the appliance in the background, one way of
showing failures, confirming a removal, and opening an edit dialog."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSpacerItem,
    QWidget,
)

from paivystys.gui.manage.forms import EditDialog
from paivystys.gui.net.client import ApiFailure, ApplianceClient, FailureKind
from paivystys.gui.net.worker import BackgroundCalls
from paivystys.gui.widgets.failures import describe, error_label
from paivystys.gui.widgets.fields import hint_label, reason

CONFIRM_WIDTH = 440


class ManagePage(QWidget):
    """Emits `session_ended(ApiFailure)` when the login has ended, `forbidden(ApiFailure)`
    when the logged-in user may not manage (the appliance answers 403)."""

    session_ended = Signal(object)
    forbidden = Signal(object)

    def __init__(self, client: ApplianceClient, calls: BackgroundCalls,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.calls = calls
        self.dialog: EditDialog | None = None
        self.confirmation: QMessageBox | None = None
        self.error = error_label()
        self.error.setObjectName("pageError")
        self.status = hint_label("")
        self.status.setObjectName("pageStatus")

    def reload(self) -> None:
        """Ask the appliance for what the page shows."""
        raise NotImplementedError

    def ask(self, call: Callable[[], Any], on_success: Callable[[Any], None]) -> None:
        self.calls.run(call, on_success, self.failed)

    def change(self, call: Callable[[], Any], done: str) -> None:
        """Make a change, say `done` when it is made, and show the appliance's state after
        it (failed or not: a refused change may still have met a change made elsewhere)."""
        def made(_result: Any) -> None:
            self.say(done)
            self.reload()

        def refused(failure: ApiFailure) -> None:
            self.failed(failure)
            if failure.kind is not FailureKind.UNAUTHORIZED:
                self.reload()

        self.calls.run(call, made, refused)

    def failed(self, failure: ApiFailure) -> None:
        if failure.kind is FailureKind.UNAUTHORIZED:
            self.session_ended.emit(failure)
            return
        if failure.kind is FailureKind.FORBIDDEN:
            self.forbidden.emit(failure)
        self.status.setVisible(False)
        self.error.setText(self.tr("Not done: {reason}").format(reason=reason(failure))
                           if failure.kind is FailureKind.INVALID else describe(failure))
        self.error.setVisible(True)

    def say(self, text: str) -> None:
        self.error.setVisible(False)
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def message_row(self, *buttons: QPushButton) -> QHBoxLayout:
        """The line under a table: what happened last, then the page's buttons."""
        row = QHBoxLayout()
        row.addWidget(self.error, 1)
        row.addWidget(self.status, 1)
        for button in buttons:
            row.addWidget(button)
        return row

    def open_dialog(self, dialog: EditDialog, done: str,
                    on_saved: Callable[[Any], None] | None = None) -> None:
        """Show `dialog`; once it has saved, say `done`, pass on what the appliance answered
        and reload."""
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def saved(result: Any) -> None:
            self.say(done)
            if on_saved is not None:
                on_saved(result)
            self.reload()

        dialog.saved.connect(saved)
        dialog.session_ended.connect(self.session_ended.emit)
        dialog.finished.connect(lambda _code: self._dialog_closed(dialog))
        dialog.open()

    def _dialog_closed(self, dialog: EditDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def confirm(self, title: str, question: str, consequences: list[str], action: str,
                on_yes: Callable[[], None]) -> QMessageBox:
        """Ask before a removal, listing what else it changes; Cancel is the default, so a
        hurried Enter removes nothing."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, question,
                          QMessageBox.StandardButton.NoButton, self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        if consequences:
            box.setInformativeText("\n".join(f"• {line}" for line in consequences))
        yes = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
        no = box.addButton(self.tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(no)
        box.setEscapeButton(no)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # QMessageBox sizes itself to its text; a list of consequences wants room to read.
        grid = box.layout()
        grid.addItem(QSpacerItem(CONFIRM_WIDTH, 0, QSizePolicy.Policy.Minimum,
                                 QSizePolicy.Policy.Expanding),
                     grid.rowCount(), 0, 1, grid.columnCount())

        def answered() -> None:
            if self.confirmation is box:
                self.confirmation = None
            if box.clickedButton() is yes:
                on_yes()

        box.finished.connect(answered)
        self.confirmation = box
        box.open()
        return box


def heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.1)
    label.setFont(font)
    return label
