"""Groups and their people: the groups on the left, the chosen group's members on the right."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from paivystys.gui.manage.forms import EditDialog
from paivystys.gui.manage.page import ManagePage, heading
from paivystys.gui.manage.tables import (
    Column,
    Row,
    RowsFilter,
    RowsModel,
    rows_table,
    select_id,
    selected_row,
    shown_phone,
)
from paivystys.gui.net.client import ApplianceClient
from paivystys.gui.net.worker import BackgroundCalls


class GroupDialog(EditDialog):
    """Add a group (`group` None) or rename one."""

    def __init__(self, client: ApplianceClient, calls: BackgroundCalls, group: Row | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(self.tr("New group") if group is None
                         else self.tr("Rename {name}").format(name=group["name"]), calls, parent)
        self.client = client
        self.group = group
        self.name_field = QLineEdit(group["name"] if group else "")
        self.name_field.setMaxLength(100)
        self.name_field.setPlaceholderText(self.tr("e.g. Maintenance"))
        self.form.add_row(self.tr("Name:"), self.name_field, "name", "group")
        self.name_field.setFocus()

    def request(self) -> Callable[[], Any] | None:
        body = {"name": self.name_field.text().strip()}
        client = self.client
        if self.group is None:
            return lambda: client.post("/api/groups", body)
        if body["name"] == self.group["name"]:
            self.reject()
            return None
        path = f"/api/groups/{self.group['id']}"
        return lambda: client.patch(path, body)


class GroupsPage(ManagePage):
    def __init__(self, client: ApplianceClient, calls: BackgroundCalls,
                 parent: QWidget | None = None) -> None:
        super().__init__(client, calls, parent)
        self.people: list[Row] = []
        self._select_next: int | None = None

        self.model = RowsModel(self, [
            Column(self.tr("Group"), lambda g: g["name"]),
            Column(self.tr("People"), lambda g: self._people_text(g),
                   sort_key=lambda g: len(g["members"])),
            Column(self.tr("Rings for"), lambda g: ", ".join(map(shown_phone, g["rings_for"]))),
            Column(self.tr("Backup for"), lambda g: ", ".join(map(shown_phone, g["backup_for"]))),
        ])
        self.proxy = RowsFilter(self.model)
        self.table = rows_table(self.proxy)
        self.table.doubleClicked.connect(lambda _index: self.rename_selected())
        self.table.selectionModel().selectionChanged.connect(self._show_members)
        self.add_button = QPushButton(self.tr("New group…"))
        self.add_button.clicked.connect(self.add)
        self.rename_button = QPushButton(self.tr("Rename…"))
        self.rename_button.clicked.connect(self.rename_selected)
        self.delete_button = QPushButton(self.tr("Delete…"))
        self.delete_button.clicked.connect(self.delete_selected)
        QShortcut(QKeySequence.StandardKey.Delete, self.table, self.delete_selected)

        self.members_heading = heading(self.tr("People in the group"))
        self.members_model = RowsModel(self, [
            Column(self.tr("Name"), lambda p: p["name"]),
            Column(self.tr("Phone"), lambda p: shown_phone(p["phone"])),
            Column(self.tr("Duty"), lambda p: self.tr("on duty") if p["on_duty"]
                   else self.tr("off duty")),
        ], muted=lambda p: not p["on_duty"])
        self.members_proxy = RowsFilter(self.members_model)
        self.members_table = rows_table(self.members_proxy)
        self.members_table.selectionModel().selectionChanged.connect(self._enable_buttons)
        self.person_box = QComboBox()
        self.person_box.setMinimumWidth(220)
        self.person_box.setPlaceholderText(self.tr("Choose a person"))
        self.person_box.currentIndexChanged.connect(self._enable_buttons)
        self.add_member_button = QPushButton(self.tr("Add to group"))
        self.add_member_button.clicked.connect(self.add_member)
        self.remove_member_button = QPushButton(self.tr("Remove from group"))
        self.remove_member_button.clicked.connect(self.remove_member)

        groups_panel = QWidget()
        groups_layout = QVBoxLayout(groups_panel)
        groups_layout.setContentsMargins(0, 0, 6, 0)
        groups_layout.addWidget(heading(self.tr("Groups")))
        groups_layout.addWidget(self.table, 1)
        group_buttons = QHBoxLayout()
        group_buttons.addWidget(self.add_button)
        group_buttons.addWidget(self.rename_button)
        group_buttons.addWidget(self.delete_button)
        group_buttons.addStretch(1)
        groups_layout.addLayout(group_buttons)

        members_panel = QWidget()
        members_layout = QVBoxLayout(members_panel)
        members_layout.setContentsMargins(6, 0, 0, 0)
        members_layout.addWidget(self.members_heading)
        members_layout.addWidget(self.members_table, 1)
        member_buttons = QHBoxLayout()
        member_buttons.addWidget(self.person_box, 1)
        member_buttons.addWidget(self.add_member_button)
        member_buttons.addSpacing(12)
        member_buttons.addWidget(self.remove_member_button)
        members_layout.addLayout(member_buttons)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(groups_panel)
        splitter.addWidget(members_panel)
        splitter.setSizes([580, 420])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(self.message_row())
        self._show_members()

    def _people_text(self, group: Row) -> str:
        on_duty = sum(1 for person in group["members"] if person["on_duty"])
        return self.tr("{count} ({on_duty} on duty)").format(count=len(group["members"]),
                                                              on_duty=on_duty)

    def reload(self) -> None:
        client = self.client
        self.ask(lambda: {"groups": client.get("/api/groups"),
                          "people": client.get("/api/people")}, self._show)

    def _show(self, answer: dict[str, list[Row]]) -> None:
        chosen = selected_row(self.table)
        wanted = self._select_next or (chosen["id"] if chosen else None)
        self._select_next = None
        self.people = answer["people"]
        self.model.replace_rows(answer["groups"])
        select_id(self.table, wanted)
        self._show_members()

    def selected_group(self) -> Row | None:
        return selected_row(self.table)

    def _show_members(self) -> None:
        group = self.selected_group()
        chosen = selected_row(self.members_table)
        self.members_model.replace_rows(group["members"] if group else [])
        if chosen is not None:
            select_id(self.members_table, chosen["id"])
        self.members_heading.setText(
            self.tr("People in {group}").format(group=group["name"]) if group
            else self.tr("People in the group"))
        members = {person["id"] for person in group["members"]} if group else set()
        self.person_box.clear()
        for person in sorted(self.people, key=lambda p: p["name"].casefold()):
            if person["id"] not in members:
                self.person_box.addItem(f"{person['name']} ({shown_phone(person['phone'])})",
                                        person["id"])
        self.person_box.setCurrentIndex(-1)
        self._enable_buttons()

    def _enable_buttons(self) -> None:
        group = self.selected_group() is not None
        self.rename_button.setEnabled(group)
        self.delete_button.setEnabled(group)
        self.person_box.setEnabled(group and self.person_box.count() > 0)
        self.add_member_button.setEnabled(group and self.person_box.currentIndex() >= 0)
        self.remove_member_button.setEnabled(selected_row(self.members_table) is not None)

    # --- groups ------------------------------------------------------------------------

    def add(self) -> None:
        self.open_dialog(GroupDialog(self.client, self.calls, None, self),
                         self.tr("Group added. Now add its people on the right."),
                         self._select_after_reload)

    def rename_selected(self) -> None:
        group = self.selected_group()
        if group is not None:
            self.open_dialog(GroupDialog(self.client, self.calls, group, self),
                             self.tr("Group renamed."))

    def _select_after_reload(self, group: Row) -> None:
        self._select_next = group["id"]

    def delete_selected(self) -> None:
        """Ask what uses the group now (not what the table showed) before confirming."""
        group = self.selected_group()
        if group is None:
            return
        client = self.client
        self.ask(lambda: {"group": client.get(f"/api/groups/{group['id']}"),
                          "numbers": client.get("/api/numbers")}, self._confirm_delete)

    def _confirm_delete(self, answer: dict[str, Any]) -> None:
        group = answer["group"]
        consequences = []
        for number in answer["numbers"]:
            rings = [ref["id"] for ref in number["groups"]]
            label = f"{number['number']} ({number['name']})"
            if rings == [group["id"]]:
                consequences.append(self.tr("{number} rings only this group: it would ring "
                                            "nobody.").format(number=label))
            elif group["id"] in rings:
                consequences.append(self.tr("{number} stops ringing this group.").format(
                    number=label))
            if (number["backup_group"] or {}).get("id") == group["id"]:
                consequences.append(self.tr("{number} is left without a backup group.").format(
                    number=label))
        if group["members"]:
            consequences.append(self.tr("Its people ({count}) stay; only their membership in "
                                        "this group ends.").format(count=len(group["members"])))
        in_use = bool(group["rings_for"] or group["backup_for"])
        path = f"/api/groups/{group['id']}"
        self.confirm(self.tr("Delete group"),
                     self.tr("Delete the group {name}?").format(name=group["name"]),
                     consequences, self.tr("Delete group"),
                     lambda: self.change(lambda: self.client.delete(path, force=in_use),
                                         self.tr("Group {name} deleted.").format(
                                             name=group["name"])))

    # --- members -----------------------------------------------------------------------

    def add_member(self) -> None:
        group = self.selected_group()
        person_id = self.person_box.currentData()
        if group is None or person_id is None:
            return
        name = next(p["name"] for p in self.people if p["id"] == person_id)
        path = f"/api/groups/{group['id']}/members/{person_id}"
        self.change(lambda: self.client.put(path),
                    self.tr("{person} added to {group}.").format(person=name,
                                                                 group=group["name"]))

    def remove_member(self) -> None:
        group = self.selected_group()
        person = selected_row(self.members_table)
        if group is None or person is None:
            return
        path = f"/api/groups/{group['id']}/members/{person['id']}"
        self.change(lambda: self.client.delete(path),
                    self.tr("{person} removed from {group}.").format(person=person["name"],
                                                                     group=group["name"]))
