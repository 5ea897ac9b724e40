"""SMS texts: the appliance's messages in each language, with the values each may show."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from paivystys.gui.manage.page import ManagePage, heading
from paivystys.gui.net.client import ApiFailure, ApplianceClient, FailureKind
from paivystys.gui.net.worker import BackgroundCalls
from paivystys.gui.widgets.fields import FieldForm, hint_label

Template = dict[str, object]
KIND_ROLE = Qt.ItemDataRole.UserRole


class TemplatesPage(ManagePage):
    def __init__(self, client: ApplianceClient, calls: BackgroundCalls,
                 parent: QWidget | None = None) -> None:
        super().__init__(client, calls, parent)
        self.templates: dict[tuple[str, str], Template] = {}
        self.kinds = QListWidget()
        self.kinds.setFixedWidth(300)
        self.kinds.currentItemChanged.connect(lambda _now, _before: self._show_template())
        self.language_box = QComboBox()
        for code, label in self._language_names().items():
            self.language_box.addItem(label, code)
        self.language_box.currentIndexChanged.connect(lambda _index: self._show_template())
        self.title = heading("")
        self.editor = QPlainTextEdit()
        self.editor.setTabChangesFocus(True)
        self.editor.setMinimumHeight(90)
        self.editor.setMaximumHeight(180)
        self.editor.textChanged.connect(self._count)
        self.form = FieldForm()
        self.form.add_row(self.tr("Text:"), self.editor, "text")
        self.placeholders = hint_label("")
        self.placeholders.setTextFormat(Qt.TextFormat.PlainText)
        self.state = hint_label("")
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.clicked.connect(self.save)
        self.reset_button = QPushButton(self.tr("Restore the built-in text…"))
        self.reset_button.clicked.connect(self.reset)

        editor_panel = QWidget()
        editor_layout = QVBoxLayout(editor_panel)
        editor_layout.setContentsMargins(12, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.language_box)
        editor_layout.addLayout(top)
        editor_layout.addWidget(self.form)
        editor_layout.addWidget(self.placeholders)
        editor_layout.addWidget(self.state)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.save_button)
        editor_layout.addLayout(buttons)
        editor_layout.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.kinds)
        body.addWidget(editor_panel, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addLayout(self.message_row())

    def _language_names(self) -> dict[str, str]:
        return {"fi": self.tr("Finnish"), "en": self.tr("English"), "sv": self.tr("Swedish")}

    def _kind_names(self) -> dict[str, str]:
        return {"taken": self.tr("Someone took the call (to the others rung)"),
                "caller_contact": self.tr("Who answered (to the caller, afterwards)"),
                "missed": self.tr("Nobody answered (to the people rung)"),
                "abandoned": self.tr("The caller hung up (to the people rung)"),
                "duty_on": self.tr("Reply to an ON text"),
                "duty_off": self.tr("Reply to an OFF text"),
                "help": self.tr("Reply to any other text")}

    def _placeholder_names(self) -> dict[str, str]:
        return {"name": self.tr("the person who answered or texted"),
                "caller": self.tr("the caller's number"),
                "time": self.tr("when the call came"),
                "number_name": self.tr("the on-call number's name"),
                "contact": self.tr("the number to reach the answerer at"),
                "wait": self.tr("seconds the caller waited"),
                "groups": self.tr("the person's groups")}

    def current(self) -> tuple[str, str] | None:
        item = self.kinds.currentItem()
        if item is None:
            return None
        return item.data(KIND_ROLE), self.language_box.currentData()

    def reload(self) -> None:
        self.ask(lambda: self.client.get("/api/sms/templates"), self._show)

    def _show(self, templates: list[Template]) -> None:
        self.templates = {(str(t["kind"]), str(t["language"])): t for t in templates}
        kind = self.current()[0] if self.current() else None
        names = self._kind_names()
        self.kinds.blockSignals(True)
        self.kinds.clear()
        for code in dict.fromkeys(str(t["kind"]) for t in templates):
            item = QListWidgetItem(names.get(code, code))
            item.setData(KIND_ROLE, code)
            self.kinds.addItem(item)
            if code == kind or self.kinds.currentRow() < 0:
                self.kinds.setCurrentItem(item)
        self.kinds.blockSignals(False)
        self._show_template()

    def _show_template(self) -> None:
        key = self.current()
        template = self.templates.get(key) if key else None
        for widget in (self.editor, self.save_button, self.reset_button):
            widget.setEnabled(template is not None)
        self.form.clear_errors()
        if template is None:
            return
        self.title.setText(self.kinds.currentItem().text())
        self.editor.setPlainText(str(template["text"]))
        placeholders = self._placeholder_names()
        self.placeholders.setText(self.tr("You can use: {list}").format(list="; ".join(
            f"{{{name}}} {placeholders.get(name, '')}".rstrip()
            for name in template["placeholders"])))
        self.reset_button.setEnabled(bool(template["custom"]))
        self._count()

    def _count(self) -> None:
        key = self.current()
        template = self.templates.get(key) if key else None
        if template is None:
            return
        origin = (self.tr("Your own text.") if template["custom"]
                  else self.tr("The built-in text."))
        self.state.setText(self.tr("{origin} {count} characters.").format(
            origin=origin, count=len(self.editor.toPlainText())))

    def save(self) -> None:
        key = self.current()
        if key is None:
            return
        path, body = f"/api/sms/templates/{key[0]}/{key[1]}", {
            "text": self.editor.toPlainText().strip()}
        self.form.clear_errors()
        self.calls.run(lambda: self.client.put(path, body), self._saved, self._refused)

    def _saved(self, template: Template) -> None:
        self.say(self.tr("Text saved."))
        self.reload()

    def _refused(self, failure: ApiFailure) -> None:
        # The appliance names a template's text "sms_template.<kind>.<language>".
        if failure.kind is FailureKind.INVALID and failure.field and (
                failure.field == "text" or failure.field.startswith("sms_template.")):
            self.say("")
            self.form.show_failure(ApiFailure(failure.kind, failure.message.removeprefix(
                f"{failure.field}: "), field="text"))
        else:
            self.failed(failure)

    def reset(self) -> None:
        key = self.current()
        if key is None:
            return
        path = f"/api/sms/templates/{key[0]}/{key[1]}"
        self.confirm(self.tr("Restore the built-in text"),
                     self.tr("Replace your own text with the built-in one?"),
                     [self.tr("Your text is not kept.")], self.tr("Restore"),
                     lambda: self.change(lambda: self.client.delete(path),
                                         self.tr("The built-in text is used again.")))
