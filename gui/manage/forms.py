"""The Manage pages' edit dialogs: a form (gui/widgets/fields.py) with Save and Cancel that
stays open until the appliance accepts the change, its refusals under their fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from paivystys.gui.net.client import ApiFailure, FailureKind
from paivystys.gui.net.worker import BackgroundCalls
from paivystys.gui.widgets.fields import FieldForm, hint_label


class EditDialog(QDialog):
    """A form with Save and Cancel that stays open until the appliance accepts the change.

    Subclasses build `self.form` and implement `request()`: the blocking call (or calls) that
    save what the form holds.  Opened with `open()` (window-modal, no nested event loop).
    Emits `saved(result)` after success, `session_ended(failure)` when the login has ended.
    """

    saved = Signal(object)
    session_ended = Signal(object)

    def __init__(self, title: str, calls: BackgroundCalls, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.calls = calls
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        self.form = FieldForm()
        self.buttons = QDialogButtonBox()
        self.save_button: QPushButton = self.buttons.addButton(
            self.tr("Save"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button: QPushButton = self.buttons.addButton(
            self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.busy = hint_label("")
        self.busy.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(14)
        layout.addWidget(self.form)
        layout.addStretch(1)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)

    def request(self) -> Callable[[], Any] | None:
        """The call that saves the form, or None after showing why the form cannot be saved
        as it is (checked here, before asking the appliance)."""
        raise NotImplementedError

    def save(self) -> None:
        self.form.clear_errors()
        call = self.request()
        if call is None:
            return
        self._set_busy(True)
        self.calls.run(call, self._saved, self._failed)

    def _saved(self, result: Any) -> None:
        self._set_busy(False)
        self.saved.emit(result)
        self.accept()

    def _failed(self, failure: ApiFailure) -> None:
        self._set_busy(False)
        if failure.kind is FailureKind.UNAUTHORIZED:
            self.reject()
            self.session_ended.emit(failure)
            return
        self.failed(failure)

    def failed(self, failure: ApiFailure) -> None:
        """Show a refusal; subclasses that save in several steps learn here what was kept."""
        self.form.show_failure(failure)
        self.fit_height()

    def fit_height(self) -> None:
        """Grow to show a new error line whole: wrapped labels need the height for this
        width, which a dialog that is already open does not ask for by itself."""
        layout = self.layout()
        layout.activate()
        needed = (layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth()
                  else layout.sizeHint().height())
        if needed > self.height():
            self.resize(self.width(), needed)

    def _set_busy(self, busy: bool) -> None:
        self.save_button.setEnabled(not busy)
        self.busy.setText(self.tr("Saving…") if busy else "")
        self.busy.setVisible(busy)
