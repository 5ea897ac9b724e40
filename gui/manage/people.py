"""People: everyone the switchboard may ring, who is on duty, who gets SMS; for the listening
line each one's personal number, whether a PIN is set and whether their phone access is
locked (after three wrong PINs), with a PIN to set and the lock to lift."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QLocale
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from paivystys.gui.calllog.model import api_time
from paivystys.gui.formatting import format_datetime
from paivystys.gui.manage.forms import EditDialog
from paivystys.gui.manage.page import ManagePage
from paivystys.gui.manage.pin import PinDialog
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
from paivystys.gui.net.client import ApplianceClient
from paivystys.gui.net.worker import BackgroundCalls

ON_DUTY_COLUMN = 2


def pin_locked_until(person: Row, now: dt.datetime | None = None) -> dt.datetime | None:
    """Until when the person's phone access is locked; None when it is not (a lock that
    has run out is no lock)."""
    until = person.get("pin_locked_until")
    if until is None:
        return None
    moment = api_time(until)
    return moment if moment > (now or dt.datetime.now(dt.UTC)) else None


class PersonDialog(EditDialog):
    """Add a person (`person` None) or change one; only changed values are sent."""

    def __init__(self, client: ApplianceClient, calls: BackgroundCalls, person: Row | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(self.tr("New person") if person is None
                         else self.tr("Edit {name}").format(name=person["name"]), calls, parent)
        self.client = client
        self.person = person
        self.name_field = QLineEdit(person["name"] if person else "")
        self.name_field.setMaxLength(100)
        self.phone_field = QLineEdit(person["phone"] if person else "")
        self.phone_field.setPlaceholderText(self.tr("e.g. 040 123 4567"))
        self.public_phone_field = QLineEdit((person or {}).get("public_phone") or "")
        self.public_phone_field.setPlaceholderText(self.tr("none"))
        self.on_duty_box = QCheckBox(self.tr("On duty: calls ring this person"))
        self.on_duty_box.setChecked(person["on_duty"] if person else True)
        self.sms_box = QCheckBox(self.tr("Gets SMS about calls (not for a landline)"))
        self.sms_box.setChecked(person["wants_sms"] if person else True)
        form = self.form
        form.add_row(self.tr("Name:"), self.name_field, "name")
        form.add_row(self.tr("Phone:"), self.phone_field, "phone",
                     hint=self.tr("The phone the switchboard rings."))
        form.add_row(self.tr("Number for callers:"), self.public_phone_field, "public_phone",
                     hint=self.tr("Sent to callers after the call for following up; "
                                  "leave empty to send the phone above."))
        form.add_row("", self.on_duty_box, "on_duty")
        form.add_row("", self.sms_box, "wants_sms")
        self.name_field.setFocus()

    def values(self) -> dict[str, Any]:
        return {"name": self.name_field.text().strip(),
                "phone": self.phone_field.text().strip(),
                "public_phone": self.public_phone_field.text().strip(),
                "on_duty": self.on_duty_box.isChecked(),
                "wants_sms": self.sms_box.isChecked()}

    def request(self) -> Callable[[], Any] | None:
        values = self.values()
        client = self.client
        if self.person is None:
            return lambda: client.post("/api/people", values)
        before = {**self.person, "public_phone": self.person.get("public_phone") or ""}
        changes = {key: value for key, value in values.items() if value != before[key]}
        if not changes:
            self.reject()
            return None
        path = f"/api/people/{self.person['id']}"
        return lambda: client.patch(path, changes)


class PeoplePage(ManagePage):
    def __init__(self, client: ApplianceClient, calls: BackgroundCalls,
                 parent: QWidget | None = None) -> None:
        super().__init__(client, calls, parent)
        self.model = RowsModel(self, [
            Column(self.tr("Name"), lambda p: p["name"]),
            Column(self.tr("Phone"), lambda p: shown_phone(p["phone"])),
            Column(self.tr("On duty"), lambda p: "", sort_key=lambda p: p["on_duty"],
                   check_key="on_duty", checkable=True),
            Column(self.tr("SMS"), lambda p: self.tr("yes") if p["wants_sms"] else self.tr("no")),
            Column(self.tr("Number for callers"),
                   lambda p: shown_phone(p.get("public_phone") or "")),
            Column(self.tr("Groups"), lambda p: ", ".join(p["groups"])),
            # A switchboard older than this console has no listening line: empty cells.
            Column(self.tr("Personal number"), lambda p: p.get("personal_number") or ""),
            Column(self.tr("PIN"), lambda p: "" if p.get("has_pin") is None
                   else self.tr("set") if p["has_pin"] else self.tr("not set")),
            Column(self.tr("Phone access"), self._lock_text),
        ], search_text=_search_text, muted=lambda p: not p["on_duty"])
        self.model.toggled.connect(self._duty_toggled)
        self.proxy = RowsFilter(self.model)
        self.table = rows_table(self.proxy)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        self.filter_field = search_field(self.tr("Find by name, phone or group"), self.proxy)
        self.filter_field.textChanged.connect(self._count)
        self.count_label = QLabel()
        self.count_label.setObjectName("count")
        self.add_button = QPushButton(self.tr("Add person…"))
        self.add_button.clicked.connect(self.add)
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button = QPushButton(self.tr("Delete…"))
        self.delete_button.clicked.connect(self.delete_selected)
        self.pin_button = QPushButton(self.tr("Set PIN…"))
        self.pin_button.setToolTip(self.tr("The PIN for hearing recordings by phone"))
        self.pin_button.clicked.connect(self.set_pin_of_selected)
        self.unlock_button = QPushButton(self.tr("Lift phone lock"))
        self.unlock_button.setToolTip(self.tr("Let the person try their PIN again now"))
        self.unlock_button.clicked.connect(self.unlock_selected)
        QShortcut(QKeySequence.StandardKey.Find, self, self.filter_field.setFocus)
        QShortcut(QKeySequence.StandardKey.Delete, self.table, self.delete_selected)

        top = QHBoxLayout()
        top.addWidget(self.filter_field)
        top.addStretch(1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(self.message_row(self.pin_button, self.unlock_button,
                                          self.add_button, self.edit_button,
                                          self.delete_button))
        self._selection_changed()

    def _lock_text(self, person: Row) -> str:
        until = pin_locked_until(person)
        if until is None:
            return ""
        return self.tr("locked until {time}").format(time=format_datetime(until, QLocale()))

    def reload(self) -> None:
        self.ask(lambda: self.client.get("/api/people"), self._show)

    def _show(self, people: list[Row]) -> None:
        chosen = selected_row(self.table)
        self.model.replace_rows(people)
        select_id(self.table, chosen["id"] if chosen else None)
        self._count()
        self._selection_changed()

    def _count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(self.tr("{total} people").format(total=total) if shown == total
                                 else self.tr("{shown} of {total} people").format(
                                     shown=shown, total=total))

    def _selection_changed(self) -> None:
        person = selected_row(self.table)
        chosen = person is not None
        self.edit_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)
        self.pin_button.setEnabled(chosen)
        self.unlock_button.setEnabled(person is not None
                                      and pin_locked_until(person) is not None)

    def add(self) -> None:
        self.open_dialog(PersonDialog(self.client, self.calls, None, self),
                         self.tr("Person added."))

    def edit_selected(self) -> None:
        person = selected_row(self.table)
        if person is not None:
            self.open_dialog(PersonDialog(self.client, self.calls, person, self),
                             self.tr("Changes saved."))

    def set_pin_of_selected(self) -> None:
        person = selected_row(self.table)
        if person is not None:
            self.open_dialog(PinDialog(self.client, self.calls,
                                       f"/api/people/{person['id']}/pin",
                                       self.tr("PIN of {name}").format(name=person["name"]),
                                       self),
                             self.tr("PIN of {name} set.").format(name=person["name"]))

    def unlock_selected(self) -> None:
        person = selected_row(self.table)
        if person is not None:
            path = f"/api/people/{person['id']}/pin-lock"
            self.change(lambda: self.client.delete(path),
                        self.tr("{name} may try their PIN again.").format(name=person["name"]))

    def _duty_toggled(self, person: Row, _column: int, on_duty: bool) -> None:
        path = f"/api/people/{person['id']}"
        self.change(lambda: self.client.patch(path, {"on_duty": on_duty}),
                    self.tr("{name} is now on duty.").format(name=person["name"]) if on_duty
                    else self.tr("{name} is now off duty.").format(name=person["name"]))

    def delete_selected(self) -> None:
        """Ask which login goes with the person before asking whether to delete."""
        person = selected_row(self.table)
        if person is not None:
            self.ask(lambda: self.client.get("/api/users"),
                     lambda users: self._confirm_delete(person, users))

    def _confirm_delete(self, person: Row, users: list[Row]) -> None:
        consequences = []
        if person["groups"]:
            consequences.append(self.tr("They leave these groups: {groups}.").format(
                groups=", ".join(person["groups"])))
        for user in users:
            if user["person_id"] == person["id"]:
                consequences.append(self.tr("Their login “{user}” is deleted too.").format(
                    user=user["username"]))
        consequences.append(self.tr("The call log keeps their name on past calls."))
        path = f"/api/people/{person['id']}"
        self.confirm(self.tr("Delete person"),
                     self.tr("Delete {name} ({phone})?").format(name=person["name"],
                                                                phone=shown_phone(person["phone"])),
                     consequences, self.tr("Delete person"),
                     lambda: self.change(lambda: self.client.delete(path),
                                         self.tr("{name} deleted.").format(name=person["name"])))


def _search_text(person: Row) -> str:
    return " ".join([person["name"], person["phone"], national_phone(person["phone"]),
                     person.get("public_phone") or "", person.get("personal_number") or "",
                     *person["groups"]])
