"""Settings: ring time, confirm time, languages, the time zone of the SMS texts, how many
nightly backups the switchboard keeps and whether people may delete their own recordings."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimeZone
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from paivystys.gui.manage.page import ManagePage
from paivystys.gui.net.client import ApiFailure, ApplianceClient, FailureKind
from paivystys.gui.net.worker import BackgroundCalls
from paivystys.gui.widgets.fields import FieldForm

FORM_WIDTH = 620
YES, NO = "yes", "no"  # how the appliance stores a setting that is on or off


class SettingsPage(ManagePage):
    """Shows what is stored; Save sends only what was changed, one setting at a time, and
    a refused one stays as typed, at its field, for correcting."""

    def __init__(self, client: ApplianceClient, calls: BackgroundCalls,
                 parent: QWidget | None = None) -> None:
        super().__init__(client, calls, parent)
        self.stored: dict[str, str] = {}
        self.defaults: dict[str, str] = {}
        self.form = FieldForm()
        self.form.setMaximumWidth(FORM_WIDTH)
        self.fields: dict[str, QWidget] = {}
        self.ring_time = self._seconds(5, 300)
        self.confirm_timeout = self._seconds(3, 60)
        self.language_names = {"fi": self.tr("Finnish"), "en": self.tr("English"),
                               "sv": self.tr("Swedish")}
        # The languages offered are the ones the appliance lists for the setting (see
        # `_show`); until it has answered, or when it lists none, every one the console knows.
        self.prompt_language = self._choices(self.language_names)
        self.sms_language = self._choices(self.language_names)
        self.time_zone = QComboBox()
        self.time_zone.setEditable(True)
        self.time_zone.setMinimumWidth(260)
        self.time_zone.addItems([bytes(zone).decode() for zone in
                                 QTimeZone.availableTimeZoneIds()])
        self.time_zone.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.time_zone.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.backups_kept = QSpinBox()
        self.backups_kept.setRange(1, 365)
        self.backups_kept.setMinimumWidth(100)
        self.own_recordings_deletable = QCheckBox(
            self.tr("People may delete their own recordings"))
        for key, label, widget, hint in (
                ("ring_time", self.tr("Ring time:"), self.ring_time,
                 self.tr("How long a number's groups ring before its backup group is rung.")),
                ("confirm_timeout", self.tr("Time to press 1:"), self.confirm_timeout,
                 self.tr("How long a person who answers has to press 1 to take the call.")),
                ("prompt_language", self.tr("Voice prompts:"), self.prompt_language,
                 self.tr("The language callers and the people rung hear.")),
                ("sms_language", self.tr("SMS language:"), self.sms_language,
                 self.tr("The language of the SMS messages.")),
                ("time_zone", self.tr("Time zone:"), self.time_zone,
                 self.tr("Times in SMS messages are given in this time zone.")),
                ("backups_kept", self.tr("Backups kept:"), self.backups_kept,
                 self.tr("The switchboard backs its configuration up every night and keeps "
                         "this many of the newest backups (Manage, Backups).")),
                ("own_recordings_deletable", self.tr("Recordings:"),
                 self.own_recordings_deletable,
                 self.tr("On the listening line a person may then delete a recording of "
                         "their own (key 7, confirmed with 1)."))):
            self.fields[key] = widget
            self.form.add_row(label, widget, key, hint=hint)

        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.defaults_button = QPushButton(self.tr("Fill in the defaults"))
        self.defaults_button.setToolTip(self.tr("Nothing changes until you save."))
        self.defaults_button.clicked.connect(self.fill_defaults)
        buttons = QHBoxLayout()
        buttons.addWidget(self.defaults_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        self.form.layout().addLayout(buttons)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(12, 12, 12, 12)
        holder_layout.addWidget(self.form)
        holder_layout.addStretch(1)
        scroll.setWidget(holder)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(self.message_row())

    def _seconds(self, low: int, high: int) -> QSpinBox:
        box = QSpinBox()
        box.setRange(low, high)
        box.setSuffix(self.tr(" s"))
        box.setMinimumWidth(100)
        return box

    def _choices(self, choices: dict[str, str]) -> QComboBox:
        box = QComboBox()
        box.setMinimumWidth(160)
        for value, label in choices.items():
            box.addItem(label, value)
        return box

    def _offer(self, box: QComboBox, choices: list[str]) -> None:
        """Offer exactly the values the appliance accepts, by name when the console knows
        the language (a new one shows as its code)."""
        if [box.itemData(index) for index in range(box.count())] == choices:
            return
        box.clear()
        for value in choices:
            box.addItem(self.language_names.get(value, value), value)

    def value(self, key: str) -> str:
        widget = self.fields[key]
        if isinstance(widget, QSpinBox):
            return str(widget.value())
        if isinstance(widget, QCheckBox):
            return YES if widget.isChecked() else NO
        if isinstance(widget, QComboBox) and not widget.isEditable():
            return widget.currentData()
        if isinstance(widget, QComboBox):
            return widget.currentText().strip()
        assert isinstance(widget, QLineEdit)
        return widget.text().strip()

    def set_value(self, key: str, value: str) -> None:
        widget = self.fields.get(key)
        if widget is None:  # a setting this console does not know yet: shown as text
            widget = self.fields[key] = QLineEdit()
            self.form.add_row(f"{key}:", widget, key)
        if isinstance(widget, QSpinBox):
            widget.setValue(int(value))
        elif isinstance(widget, QCheckBox):
            widget.setChecked(value == YES)
        elif isinstance(widget, QComboBox) and not widget.isEditable():
            widget.setCurrentIndex(max(widget.findData(value), 0))
        elif isinstance(widget, QComboBox):
            widget.setCurrentText(value)
        else:
            widget.setText(value)

    def reload(self) -> None:
        self.ask(lambda: self.client.get("/api/settings"), self._show)

    def _show(self, settings: list[dict[str, str]]) -> None:
        self.stored = {row["key"]: row["value"] for row in settings}
        self.defaults = {row["key"]: row["default"] for row in settings}
        self.form.clear_errors()
        for row in settings:
            widget = self.fields.get(row["key"])
            # A switchboard older than this console lists no choices.
            if row.get("choices") and widget in (self.prompt_language, self.sms_language):
                self._offer(widget, row["choices"])
        for key, value in self.stored.items():
            self.set_value(key, value)
        for key, widget in self.fields.items():
            if key in self.defaults:
                widget.setToolTip(self.tr("Default: {value}").format(value=self.defaults[key]))

    def fill_defaults(self) -> None:
        for key, value in self.defaults.items():
            self.set_value(key, value)

    def save(self) -> None:
        changes = {key: self.value(key) for key in self.stored
                   if self.value(key) != self.stored[key]}
        if not changes:
            self.say(self.tr("Nothing to save: the settings are as stored."))
            return
        self.form.clear_errors()
        client, saved = self.client, {}

        def put_each() -> dict[str, str]:
            for key, value in changes.items():
                client.put(f"/api/settings/{key}", {"value": value})
                saved[key] = value
            return saved

        self.save_button.setEnabled(False)
        self.calls.run(put_each, self._saved, lambda failure: self._refused(failure, saved))

    def _saved(self, _saved: dict[str, str]) -> None:
        self.save_button.setEnabled(True)
        self.say(self.tr("Settings saved."))
        self.reload()

    def _refused(self, failure: ApiFailure, saved: dict[str, str]) -> None:
        self.save_button.setEnabled(True)
        self.stored.update(saved)
        if failure.kind is FailureKind.INVALID and failure.field in self.fields:
            self.say("")
            self.form.show_failure(failure)
        else:
            self.failed(failure)
