"""On-call numbers: what callers dial, which groups it rings, its backup group, recording
and which SMS it sends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from paivystys.gui.manage.forms import EditDialog
from paivystys.gui.manage.page import ManagePage
from paivystys.gui.manage.tables import (
    Column,
    Row,
    RowsFilter,
    RowsModel,
    national_phone,
    rows_table,
    search_field,
    select_id,
    selected_row,
    shown_phone,
)
from paivystys.gui.net.client import ApiFailure, ApplianceClient
from paivystys.gui.net.worker import BackgroundCalls

CREATE_FIELDS = ("number", "name", "recording", "retention_days")
NEW_NUMBER = {"groups": [], "backup_group": None, "sms_on_taken": True, "sms_to_caller": True,
              "sms_on_missed": True}  # what the appliance gives a number it creates
MAX_RETENTION_DAYS = 3650
LIST_ROWS = 6  # groups shown without scrolling


def routing_steps(before: Row, groups: list[int], backup: int | None) -> list[str]:
    """In which order to set the rung groups and the backup group ("groups", "backup",
    "no_backup"), so that no step makes a group both, which the appliance refuses.

    Swapping a rung group and the backup group needs the backup cleared first."""
    old_groups = [ref["id"] for ref in before["groups"]]
    old_backup = (before["backup_group"] or {}).get("id")
    change_groups = groups != old_groups
    change_backup = backup != old_backup
    if not change_backup:
        return ["groups"] if change_groups else []
    if not change_groups:
        return ["backup"]
    if backup not in old_groups:
        return ["backup", "groups"]
    if old_backup not in groups:
        return ["groups", "backup"]
    return ["no_backup", "groups", "backup"]


class NumberDialog(EditDialog):
    """Add a number (`number` None) or change one.  Saving takes up to four requests; when
    one is refused, the dialog goes on from what was saved before it."""

    def __init__(self, client: ApplianceClient, calls: BackgroundCalls, number: Row | None,
                 groups: list[Row], parent: QWidget | None = None) -> None:
        super().__init__(self.tr("New on-call number") if number is None
                         else self.tr("Edit {number}").format(number=number["number"]),
                         calls, parent)
        self.setMinimumWidth(560)
        self.client = client
        self.number = number
        self._progress: dict[str, Row] = {}
        shown = number or NEW_NUMBER
        self.number_field = QLineEdit(number["number"] if number else "")
        self.number_field.setPlaceholderText(self.tr("e.g. 020 123 4567"))
        self.name_field = QLineEdit(number["name"] if number else "")
        self.name_field.setMaxLength(100)
        self.name_field.setPlaceholderText(self.tr("e.g. Maintenance on call"))
        rung = {ref["id"] for ref in shown["groups"]}
        self.groups_list = QListWidget()
        row_height = self.groups_list.fontMetrics().height() + 6
        self.groups_list.setFixedHeight(row_height * min(max(len(groups), 2), LIST_ROWS)
                                        + 2 * self.groups_list.frameWidth() + 2)
        for group in groups:
            item = QListWidgetItem(group["name"])
            item.setData(Qt.ItemDataRole.UserRole, group["id"])
            item.setCheckState(Qt.CheckState.Checked if group["id"] in rung
                               else Qt.CheckState.Unchecked)
            self.groups_list.addItem(item)
        self.backup_box = QComboBox()
        self.backup_box.setMinimumWidth(260)
        self.backup_box.addItem(self.tr("No backup group"), None)
        for group in groups:
            self.backup_box.addItem(group["name"], group["id"])
        self.backup_box.setCurrentIndex(
            self.backup_box.findData((shown["backup_group"] or {}).get("id")))
        self.recording_box = QCheckBox(self.tr("Record calls"))
        self.recording_box.setChecked(bool(number and number["recording"]))
        self.retention_box = QSpinBox()
        self.retention_box.setRange(1, MAX_RETENTION_DAYS)
        self.retention_box.setSuffix(self.tr(" days"))
        self.retention_box.setValue(number["retention_days"] if number else 90)
        self.retention_box.setEnabled(self.recording_box.isChecked())
        self.recording_box.toggled.connect(self.retention_box.setEnabled)
        self.taken_box = QCheckBox(self.tr("Tell the others when someone takes a call"))
        self.taken_box.setChecked(shown["sms_on_taken"])
        self.caller_box = QCheckBox(self.tr("Send the caller the answerer's contact details"))
        self.caller_box.setChecked(shown["sms_to_caller"])
        self.missed_box = QCheckBox(self.tr("Tell the people rung about a missed call"))
        self.missed_box.setChecked(shown["sms_on_missed"])

        form = self.form
        form.add_row(self.tr("Number:"), self.number_field, "number",
                     hint=self.tr("The number callers dial."))
        form.add_row(self.tr("Name:"), self.name_field, "name")
        form.add_row(self.tr("Rings the groups:"), self.groups_list, "groups",
                     hint=self.tr("Everyone on duty in these groups rings at once."))
        form.add_row(self.tr("Backup group:"), self.backup_box, "backup_group",
                     hint=self.tr("Rung when nobody in the groups above takes the call."))
        form.add_row(self.tr("Recording:"), self.recording_box, "recording")
        form.add_row(self.tr("Keep recordings:"), self.retention_box, "retention_days")
        form.add_row(self.tr("SMS:"), self.taken_box, "sms_on_taken")
        form.add_row("", self.caller_box, "sms_to_caller")
        form.add_row("", self.missed_box, "sms_on_missed")
        self.number_field.setFocus()

    def checked_groups(self) -> list[int]:
        return [self.groups_list.item(row).data(Qt.ItemDataRole.UserRole)
                for row in range(self.groups_list.count())
                if self.groups_list.item(row).checkState() == Qt.CheckState.Checked]

    def settings(self) -> dict[str, Any]:
        return {"number": self.number_field.text().strip(),
                "name": self.name_field.text().strip(),
                "recording": self.recording_box.isChecked(),
                "retention_days": self.retention_box.value(),
                "sms_on_taken": self.taken_box.isChecked(),
                "sms_to_caller": self.caller_box.isChecked(),
                "sms_on_missed": self.missed_box.isChecked()}

    def request(self) -> Callable[[], Any] | None:
        groups = self.checked_groups()
        backup = self.backup_box.currentData()
        if backup is not None and backup in groups:
            self.form.show_field_error("backup_group", self.tr(
                "The backup group cannot also be one of the groups the number rings."))
            self.fit_height()
            return None
        settings = self.settings()
        client, progress, before = self.client, self._progress, self.number
        progress.clear()

        def save() -> Row:
            current, rest = before, settings
            if current is None:
                current = client.post("/api/numbers", {key: settings[key]
                                                       for key in CREATE_FIELDS})
                progress["saved"] = current
                # The appliance writes the number its own way (+358…): not a change to make.
                rest = {key: value for key, value in settings.items()
                        if key not in CREATE_FIELDS}
            changes = {key: value for key, value in rest.items() if value != current[key]}
            if changes:
                current = progress["saved"] = client.patch(f"/api/numbers/{current['id']}",
                                                           changes)
            path = f"/api/numbers/{current['id']}"
            for step in routing_steps(current, groups, backup):
                if step == "groups":
                    current = client.put(f"{path}/groups", {"groups": groups})
                else:
                    current = client.put(f"{path}/backup", {
                        "backup_group": backup if step == "backup" else None})
                progress["saved"] = current
            return current

        return save

    def failed(self, failure: ApiFailure) -> None:
        super().failed(failure)
        saved = self._progress.get("saved")
        if saved is not None:
            # Saving again must not create the number twice or undo what was kept.
            self.number = saved
            self.setWindowTitle(self.tr("Edit {number}").format(number=saved["number"]))
            self.busy.setText(self.tr("The other changes were saved; correct this one and "
                                      "save again."))
            self.busy.setVisible(True)


class NumbersPage(ManagePage):
    def __init__(self, client: ApplianceClient, calls: BackgroundCalls,
                 parent: QWidget | None = None) -> None:
        super().__init__(client, calls, parent)
        self.groups: list[Row] = []
        self.model = RowsModel(self, [
            Column(self.tr("Number"), lambda n: shown_phone(n["number"])),
            Column(self.tr("Name"), lambda n: n["name"]),
            Column(self.tr("Rings"), lambda n: ", ".join(ref["name"] for ref in n["groups"])
                   or self.tr("nobody")),
            Column(self.tr("Backup group"), lambda n: (n["backup_group"] or {}).get("name", "")),
            Column(self.tr("Recording"), self._recording_text,
                   sort_key=lambda n: n["retention_days"] if n["recording"] else 0),
            Column(self.tr("SMS"), self._sms_text),
        ], search_text=lambda n: " ".join([n["number"], national_phone(n["number"]),
                                           n["name"]]))
        self.proxy = RowsFilter(self.model)
        self.table = rows_table(self.proxy)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.add_button = QPushButton(self.tr("New number…"))
        self.add_button.clicked.connect(self.add)
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button = QPushButton(self.tr("Delete…"))
        self.delete_button.clicked.connect(self.delete_selected)
        QShortcut(QKeySequence.StandardKey.Delete, self.table, self.delete_selected)
        self.filter_field = search_field(self.tr("Find by number or name"), self.proxy)
        QShortcut(QKeySequence.StandardKey.Find, self, self.filter_field.setFocus)

        top = QHBoxLayout()
        top.addWidget(self.filter_field)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(self.message_row(self.add_button, self.edit_button,
                                          self.delete_button))
        self._selection_changed()

    def _recording_text(self, number: Row) -> str:
        if not number["recording"]:
            return self.tr("off")
        return self.tr("kept {days} days").format(days=number["retention_days"])

    def _sms_text(self, number: Row) -> str:
        sent = [label for key, label in (("sms_on_taken", self.tr("taken")),
                                         ("sms_to_caller", self.tr("to caller")),
                                         ("sms_on_missed", self.tr("missed")))
                if number[key]]
        return ", ".join(sent) if sent else self.tr("none")

    def reload(self) -> None:
        client = self.client
        self.ask(lambda: {"numbers": client.get("/api/numbers"),
                          "groups": client.get("/api/groups")}, self._show)

    def _show(self, answer: dict[str, list[Row]]) -> None:
        chosen = selected_row(self.table)
        self.groups = answer["groups"]
        self.model.replace_rows(answer["numbers"])
        select_id(self.table, chosen["id"] if chosen else None)
        self._selection_changed()

    def _selection_changed(self) -> None:
        chosen = selected_row(self.table) is not None
        self.edit_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)

    def add(self) -> None:
        self.open_dialog(NumberDialog(self.client, self.calls, None, self.groups, self),
                         self.tr("Number added."))

    def edit_selected(self) -> None:
        number = selected_row(self.table)
        if number is not None:
            self.open_dialog(NumberDialog(self.client, self.calls, number, self.groups, self),
                             self.tr("Changes saved."))

    def delete_selected(self) -> None:
        number = selected_row(self.table)
        if number is None:
            return
        path = f"/api/numbers/{number['id']}"
        label = f"{number['number']} ({number['name']})"
        self.confirm(self.tr("Delete on-call number"),
                     self.tr("Delete the on-call number {number}?").format(number=label),
                     [self.tr("Calls to it are no longer put through to anyone."),
                      self.tr("Its groups and their people stay."),
                      self.tr("The call log keeps its past calls.")],
                     self.tr("Delete number"),
                     lambda: self.change(lambda: self.client.delete(path),
                                         self.tr("{number} deleted.").format(number=label)))
