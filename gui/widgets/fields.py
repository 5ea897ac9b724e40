"""Forms that show the appliance's refusal of a value next to the field it is about.

The appliance names the refused field (`ApiFailure.field`, the API's own body field name);
a form registers its widgets under those names, so the error lands under the right widget,
which is outlined in red and focused.  Failures about no field of the form go to the form's
message line.  Editing a field clears its error: the old message no longer describes it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from paivystys.gui.net.client import ApiFailure, FailureKind
from paivystys.gui.widgets.failures import describe, error_label

ERROR_COLOUR = "#b3261e"
# Only invalid widgets get a style sheet: styling every field would replace the platform's
# look of the valid ones too.
INVALID_STYLE = {
    QAbstractButton: f"color: {ERROR_COLOUR};",
    QWidget: f"border: 1px solid {ERROR_COLOUR}; border-radius: 3px; padding: 2px;",
}
HINT_STYLE = "QLabel { color: palette(dark); }"
FULL_WIDTH = (QLineEdit, QPlainTextEdit, QListWidget)


def reason(failure: ApiFailure) -> str:
    """The appliance's explanation without the "field: " it starts with (the field is shown
    by place)."""
    prefix = f"{failure.field}: "
    text = failure.message.removeprefix(prefix) if failure.field else failure.message
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def hint_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(HINT_STYLE)
    return label


def _on_edit(widget: QWidget, clear: Callable[[], None]) -> None:
    if isinstance(widget, QLineEdit):
        widget.textEdited.connect(clear)
    elif isinstance(widget, QPlainTextEdit):
        widget.textChanged.connect(clear)
    elif isinstance(widget, QAbstractButton):
        widget.toggled.connect(clear)
    elif isinstance(widget, QComboBox):
        widget.currentIndexChanged.connect(clear)
        if widget.isEditable():
            widget.editTextChanged.connect(clear)
    elif isinstance(widget, QAbstractSpinBox):
        widget.editingFinished.connect(clear)
    elif isinstance(widget, QListWidget):
        widget.itemChanged.connect(clear)


class _Field:
    def __init__(self, widget: QWidget, error: QLabel) -> None:
        self.widget = widget
        self.error = error

    def show(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(True)
        style = next(s for kind, s in INVALID_STYLE.items() if isinstance(self.widget, kind))
        self.widget.setStyleSheet(style)

    def clear(self) -> None:
        self.error.setVisible(False)
        self.widget.setStyleSheet("")


class FieldForm(QWidget):
    """A QFormLayout whose rows each have room for an error under the widget."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows = QFormLayout()
        self.rows.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.rows.setVerticalSpacing(10)
        self.rows.setHorizontalSpacing(14)
        self.message = error_label()
        self.message.setObjectName("formMessage")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.rows)
        layout.addWidget(self.message)
        self._fields: dict[str, _Field] = {}

    def add_row(self, label: str, widget: QWidget, *fields: str,
                hint: str | None = None) -> QWidget:
        """Put `widget` on a row; refusals of any of `fields` are shown under it."""
        cell = QWidget()
        cell.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        column = QVBoxLayout(cell)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        if isinstance(widget, FULL_WIDTH):
            column.addWidget(widget)
        else:  # a spin box or a check box as wide as the row would look broken
            column.addWidget(widget, 0, Qt.AlignmentFlag.AlignLeft)
        error = error_label()
        error.setObjectName("fieldError")
        column.addWidget(error)
        if hint:
            column.addWidget(hint_label(hint))
        field = _Field(widget, error)
        _on_edit(widget, field.clear)
        for name in fields:
            self._fields[name] = field
        self.rows.addRow(label, cell)
        return cell

    def error_text(self, name: str) -> str | None:
        """The error shown at field `name`, if one is (for tests and accessibility)."""
        field = self._fields[name]
        return field.error.text() if field.error.isVisibleTo(self) else None

    def show_field_error(self, name: str, text: str) -> None:
        field = self._fields[name]
        field.show(text)
        field.widget.setFocus()

    def show_failure(self, failure: ApiFailure) -> None:
        """At its field when the form has it, otherwise on the message line."""
        self.clear_errors()
        if (failure.kind in (FailureKind.INVALID, FailureKind.NOT_FOUND)
                and failure.field in self._fields):
            self.show_field_error(failure.field, reason(failure))
        else:
            self.message.setText(describe(failure))
            self.message.setVisible(True)

    def clear_errors(self) -> None:
        for field in self._fields.values():
            field.clear()
        self.message.setVisible(False)

