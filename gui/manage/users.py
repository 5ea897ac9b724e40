"""Users: who may log in to the console, as an admin or as one on-call person."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton, QVBoxLayout, QWidget

from paivystys.gui.manage.forms import EditDialog
from paivystys.gui.manage.page import ManagePage
from paivystys.gui.manage.tables import (
    Column,
    Row,
    RowsFilter,
    RowsModel,
    rows_table,
    select_id,
    selected_row,
)
from paivystys.gui.net.client import ApplianceClient
from paivystys.gui.net.worker import BackgroundCalls

ROLE_ADMIN = "admin"
ROLE_PERSON = "person"


def _password_field() -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setMaxLength(256)
    return field


class UserDialog(EditDialog):
    """A new login: an admin's, or an on-call person's (who sees only their own calls)."""

    def __init__(self, client: ApplianceClient, calls: BackgroundCalls, people: list[Row],
                 parent: QWidget | None = None) -> None:
        super().__init__(self.tr("New user"), calls, parent)
        self.client = client
        self.username_field = QLineEdit()
        self.username_field.setMaxLength(64)
        self.username_field.setPlaceholderText(self.tr("e.g. maija"))
        self.password_field = _password_field()
        self.role_box = QComboBox()
        self.role_box.addItem(self.tr("On-call person: sees their own calls"), ROLE_PERSON)
        self.role_box.addItem(self.tr("Admin: manages everything"), ROLE_ADMIN)
        self.person_box = QComboBox()
        self.person_box.setMinimumWidth(260)
        self.person_box.setPlaceholderText(self.tr("Choose the person"))
        for person in people:
            self.person_box.addItem(f"{person['name']} ({person['phone']})", person["id"])
        self.person_box.setCurrentIndex(-1)
        self.role_box.currentIndexChanged.connect(
            lambda _index: self.person_box.setEnabled(self.role_box.currentData() == ROLE_PERSON))
        form = self.form
        form.add_row(self.tr("Username:"), self.username_field, "username")
        form.add_row(self.tr("Password:"), self.password_field, "password",
                     hint=self.tr("Give it to the user in person; they can change it "
                                  "after logging in."))
        form.add_row(self.tr("Role:"), self.role_box, "role")
        form.add_row(self.tr("Person:"), self.person_box, "person_id",
                     hint=self.tr("Only people without a login are listed."))
        self.username_field.setFocus()

    def request(self) -> Callable[[], Any] | None:
        role = self.role_box.currentData()
        body: dict[str, Any] = {"username": self.username_field.text().strip().lower(),
                                "password": self.password_field.text(), "role": role}
        if role == ROLE_PERSON:
            if self.person_box.currentIndex() < 0:
                self.form.show_field_error("person_id", self.tr(
                    "Choose whose login this is: an on-call person's login shows their calls."))
                self.fit_height()
                return None
            body["person_id"] = self.person_box.currentData()
        client = self.client
        return lambda: client.post("/api/users", body)


class PasswordDialog(EditDialog):
    def __init__(self, client: ApplianceClient, calls: BackgroundCalls, user: Row,
                 parent: QWidget | None = None) -> None:
        super().__init__(self.tr("New password for {user}").format(user=user["username"]),
                         calls, parent)
        self.client = client
        self.user = user
        self.password_field = _password_field()
        self.form.add_row(self.tr("New password:"), self.password_field, "password",
                          hint=self.tr("It also unlocks the user. Their current logins end, "
                                       "so they log in again with the new password."))
        self.password_field.setFocus()

    def request(self) -> Callable[[], Any] | None:
        path, body = f"/api/users/{self.user['id']}", {"password": self.password_field.text()}
        client = self.client
        return lambda: client.patch(path, body)


class UsersPage(ManagePage):
    def __init__(self, client: ApplianceClient, calls: BackgroundCalls,
                 parent: QWidget | None = None) -> None:
        super().__init__(client, calls, parent)
        self.people: list[Row] = []
        self.model = RowsModel(self, [
            Column(self.tr("Username"), lambda u: u["username"]),
            Column(self.tr("Role"), lambda u: self.tr("admin") if u["role"] == ROLE_ADMIN
                   else self.tr("on-call person")),
            Column(self.tr("Person"), self._person_name),
            Column(self.tr("Locked"), lambda u: self._locked_text(u["locked_until"])),
        ])
        self.proxy = RowsFilter(self.model)
        self.table = rows_table(self.proxy)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.add_button = QPushButton(self.tr("New user…"))
        self.add_button.clicked.connect(self.add)
        self.password_button = QPushButton(self.tr("Set password…"))
        self.password_button.clicked.connect(self.set_password)
        self.unlock_button = QPushButton(self.tr("Unlock"))
        self.unlock_button.clicked.connect(self.unlock)
        self.delete_button = QPushButton(self.tr("Delete…"))
        self.delete_button.clicked.connect(self.delete_selected)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(self.message_row(self.add_button, self.password_button,
                                          self.unlock_button, self.delete_button))
        self._selection_changed()

    def _person_name(self, user: Row) -> str:
        return next((p["name"] for p in self.people if p["id"] == user["person_id"]), "")

    def _locked_text(self, until: str | None) -> str:
        if not until:
            return ""
        moment = QDateTime.fromString(until, Qt.DateFormat.ISODateWithMs)
        if not moment.isValid() or moment < QDateTime.currentDateTimeUtc():
            return ""
        return self.tr("until {time}").format(time=moment.toLocalTime().toString("HH:mm"))

    def reload(self) -> None:
        client = self.client
        self.ask(lambda: {"users": client.get("/api/users"),
                          "people": client.get("/api/people")}, self._show)

    def _show(self, answer: dict[str, list[Row]]) -> None:
        chosen = selected_row(self.table)
        self.people = answer["people"]
        self.model.replace_rows(answer["users"])
        select_id(self.table, chosen["id"] if chosen else None)
        self._selection_changed()

    def _selection_changed(self) -> None:
        user = selected_row(self.table)
        self.password_button.setEnabled(user is not None)
        self.delete_button.setEnabled(user is not None)
        self.unlock_button.setEnabled(user is not None
                                      and bool(self._locked_text(user["locked_until"])))

    def add(self) -> None:
        with_login = {user["person_id"] for user in self.model.rows}
        people = [p for p in self.people if p["id"] not in with_login]
        self.open_dialog(UserDialog(self.client, self.calls, people, self),
                         self.tr("User added."))

    def set_password(self) -> None:
        user = selected_row(self.table)
        if user is not None:
            self.open_dialog(PasswordDialog(self.client, self.calls, user, self),
                             self.tr("Password changed."))

    def unlock(self) -> None:
        user = selected_row(self.table)
        if user is not None:
            path = f"/api/users/{user['id']}"
            self.change(lambda: self.client.patch(path, {"unlock": True}),
                        self.tr("{user} can log in again.").format(user=user["username"]))

    def delete_selected(self) -> None:
        user = selected_row(self.table)
        if user is None:
            return
        person = self._person_name(user)
        consequences = ([self.tr("{person} stays in the directory and is still rung; only "
                                 "their login ends.").format(person=person)] if person
                        else [self.tr("They can no longer manage the switchboard.")])
        path = f"/api/users/{user['id']}"
        self.confirm(self.tr("Delete user"),
                     self.tr("Delete the login {user}?").format(user=user["username"]),
                     consequences, self.tr("Delete user"),
                     lambda: self.change(lambda: self.client.delete(path),
                                         self.tr("User {user} deleted.").format(
                                             user=user["username"])))
