"""The Manage screens against the real API: people, groups and their members, on-call
numbers; field errors next to their field, removals confirmed with what they change, a
person's account refused.  What the console saved is checked with a client of its own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from paivystys.appliance.directory import Directory
from paivystys.appliance.users.service import revoke
from paivystys.gui.manage.numbers import routing_steps
from paivystys.gui.manage.page import ManagePage
from paivystys.gui.manage.view import ManageView
from paivystys.gui.net.client import ApplianceClient
from paivystys.gui.tests.conftest import ADMIN_PASSWORD, PERSON_PASSWORD, Appliance, screenshot
from paivystys.gui.widgets.table import ITEM_ROLE


@dataclass(frozen=True)
class Site:
    number_id: int
    main_group_id: int
    backup_group_id: int
    people: dict[str, int]


@pytest.fixture(scope="module")
def site(appliance: Appliance) -> Site:
    """An office: a number ringing the maintenance group, with the caretakers as backup."""
    directory = Directory()
    people = {name: directory.add_person(name, phone, on_duty=on_duty).id
              for name, phone, on_duty in (("Pekka Putkinen", "040 555 0201", True),
                                           ("Liisa Lämpö", "040 555 0202", True),
                                           ("Ahti Aamuvuoro", "050 555 0203", False),
                                           ("Sanna Sähkö", "044 555 0204", True))}
    main = directory.add_group("Huoltoryhmä")
    backup = directory.add_group("Talonmiehet")
    directory.add_member(people["Pekka Putkinen"], main.id)
    directory.add_member(people["Liisa Lämpö"], main.id)
    directory.add_member(people["Ahti Aamuvuoro"], backup.id)
    number = directory.add_number("020 555 0100", "Huoltopäivystys")
    directory.set_number_groups(number.id, [main.id])
    directory.set_backup_group(number.id, backup.id)
    return Site(number.id, main.id, backup.id, people)


@pytest.fixture
def api(log_in: Callable[[str, str], ApplianceClient]) -> ApplianceClient:
    """The appliance as another program sees it, to check what the console saved."""
    return log_in("admin", ADMIN_PASSWORD)


@pytest.fixture
def manage(qtbot: QtBot, show: Callable[[ManageView], ManageView], site: Site,
           log_in: Callable[[str, str], ApplianceClient]) -> ManageView:
    view = ManageView(log_in("admin", ADMIN_PASSWORD))
    view.resize(1000, 560)
    show(view)
    _settle(qtbot, view)
    return view


def _settle(qtbot: QtBot, view: ManageView) -> None:
    qtbot.waitUntil(lambda: view.calls.pending == 0)


def _open_tab(qtbot: QtBot, view: ManageView, page: ManagePage) -> None:
    view.tabs.setCurrentWidget(page)
    _settle(qtbot, view)


def _rows(page: Any, table_name: str = "table") -> list[dict[str, Any]]:
    model = getattr(page, table_name).model()
    return [model.index(row, 0).data(ITEM_ROLE) for row in range(model.rowCount())]


def _select(page: Any, name: str, key: str = "name") -> None:
    names = [row[key] for row in _rows(page)]
    page.table.selectRow(names.index(name))


def _save(qtbot: QtBot, view: ManageView, page: ManagePage) -> None:
    assert page.dialog is not None
    page.dialog.save_button.click()
    _settle(qtbot, view)


def _answer(qtbot: QtBot, view: ManageView, page: ManagePage, role: QMessageBox.ButtonRole
            ) -> None:
    box = page.confirmation
    assert box is not None and box.isVisible()
    button = next(b for b in box.buttons() if box.buttonRole(b) == role)
    button.click()
    qtbot.waitUntil(lambda: page.confirmation is None)
    _settle(qtbot, view)


def test_people_are_listed_and_filtered(qtbot: QtBot, manage: ManageView,
                                        tmp_path: Path) -> None:
    page = manage.people
    names = [row["name"] for row in _rows(page)]
    assert names == sorted(names, key=str.casefold)
    assert {"Pekka Putkinen", "Liisa Lämpö", "Maija Konsoli"} <= set(names)
    screenshot(manage, "manage-people", tmp_path)

    page.filter_field.setText("lämpö")
    assert [row["name"] for row in _rows(page)] == ["Liisa Lämpö"]
    page.filter_field.setText("050 555 02")  # typed the Finnish way, spaced its own way
    assert [row["name"] for row in _rows(page)] == ["Ahti Aamuvuoro"]
    page.filter_field.setText("huoltoryhmä")  # a group finds its people
    assert {row["name"] for row in _rows(page)} == {"Pekka Putkinen", "Liisa Lämpö"}
    assert page.count_label.text() == f"2 of {len(names)} people"
    page.filter_field.clear()
    assert len(_rows(page)) == len(names)


def test_sorting_people_by_duty(qtbot: QtBot, manage: ManageView) -> None:
    page = manage.people
    page.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    assert _rows(page)[0]["on_duty"] is False


def test_ticking_on_duty_saves_it(qtbot: QtBot, manage: ManageView, site: Site,
                                  api: ApplianceClient) -> None:
    page = manage.people
    _select(page, "Sanna Sähkö")
    row = page.table.currentIndex().row()
    duty = page.table.model().index(row, 2)
    assert duty.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    page.table.model().setData(duty, Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    _settle(qtbot, manage)
    assert api.get(f"/api/people/{site.people['Sanna Sähkö']}")["on_duty"] is False
    assert page.status.text() == "Sanna Sähkö is now off duty."


def test_a_bad_phone_number_is_shown_at_the_phone_field(
        qtbot: QtBot, manage: ManageView, api: ApplianceClient, tmp_path: Path) -> None:
    page = manage.people
    page.add_button.click()
    dialog = page.dialog
    assert dialog is not None
    dialog.name_field.setText("Virve Virhe")
    dialog.phone_field.setText("123")
    _save(qtbot, manage, page)

    assert page.dialog is dialog and dialog.isVisible()  # still open, to correct it
    error = dialog.form.error_text("phone")
    assert error is not None and "short number" in error
    assert dialog.form.error_text("name") is None
    assert "border" in dialog.phone_field.styleSheet()
    assert not dialog.form.message.isVisible()
    screenshot(dialog, "manage-field-error", tmp_path)
    assert "Virve Virhe" not in {person["name"] for person in api.get("/api/people")}

    dialog.phone_field.setText("040 555 0299")
    dialog.phone_field.textEdited.emit("040 555 0299")  # as typing would
    assert dialog.form.error_text("phone") is None
    _save(qtbot, manage, page)
    assert page.dialog is None
    saved = next(p for p in api.get("/api/people") if p["name"] == "Virve Virhe")
    assert saved["phone"] == "+358405550299"
    assert page.status.text() == "Person added."
    assert "Virve Virhe" in {row["name"] for row in _rows(page)}


def test_editing_a_person_sends_what_changed(qtbot: QtBot, manage: ManageView, site: Site,
                                             api: ApplianceClient) -> None:
    page = manage.people
    _select(page, "Pekka Putkinen")
    page.edit_button.click()
    dialog = page.dialog
    assert dialog is not None and dialog.phone_field.text() == "+358405550201"
    dialog.public_phone_field.setText("09 555 0100")
    dialog.sms_box.setChecked(False)
    _save(qtbot, manage, page)
    pekka = api.get(f"/api/people/{site.people['Pekka Putkinen']}")
    assert (pekka["public_phone"], pekka["wants_sms"]) == ("+35895550100", False)


def test_a_group_with_two_people_made_in_the_console(
        qtbot: QtBot, manage: ManageView, site: Site, api: ApplianceClient,
        tmp_path: Path) -> None:
    page = manage.groups
    _open_tab(qtbot, manage, page)
    page.add_button.click()
    assert page.dialog is not None
    page.dialog.name_field.setText("Sähköryhmä")
    _save(qtbot, manage, page)
    assert page.selected_group()["name"] == "Sähköryhmä"  # the new group, ready for people

    for name in ("Sanna Sähkö", "Liisa Lämpö"):
        page.person_box.setCurrentIndex(page.person_box.findData(site.people[name]))
        page.add_member_button.click()
        _settle(qtbot, manage)
    group = next(g for g in api.get("/api/groups") if g["name"] == "Sähköryhmä")
    assert [person["name"] for person in group["members"]] == ["Liisa Lämpö", "Sanna Sähkö"]
    assert [row["name"] for row in _rows(page, "members_table")] == [
        "Liisa Lämpö", "Sanna Sähkö"]
    assert page.person_box.findData(site.people["Liisa Lämpö"]) == -1  # already in it
    screenshot(manage, "manage-groups", tmp_path)

    page.members_table.selectRow(0)
    page.remove_member_button.click()
    _settle(qtbot, manage)
    group = api.get(f"/api/groups/{group['id']}")
    assert [person["name"] for person in group["members"]] == ["Sanna Sähkö"]


def test_a_taken_group_name_is_shown_at_the_name_field(
        qtbot: QtBot, manage: ManageView) -> None:
    page = manage.groups
    _open_tab(qtbot, manage, page)
    page.add_button.click()
    assert page.dialog is not None
    page.dialog.name_field.setText("huoltoryhmä")
    _save(qtbot, manage, page)
    assert "already exists" in (page.dialog.form.error_text("name") or "")
    page.dialog.reject()


def test_deleting_a_group_says_which_numbers_use_it_and_waits_for_yes(
        qtbot: QtBot, manage: ManageView, site: Site, api: ApplianceClient,
        tmp_path: Path) -> None:
    page = manage.groups
    _open_tab(qtbot, manage, page)
    _select(page, "Talonmiehet")
    page.delete_button.click()
    _settle(qtbot, manage)
    box = page.confirmation
    assert box is not None
    assert "Talonmiehet" in box.text()
    assert "+358205550100 (Huoltopäivystys) is left without a backup group." in (
        box.informativeText())
    assert box.defaultButton() is box.escapeButton()  # Enter and Esc both keep the group
    screenshot(box, "manage-confirm-delete", tmp_path)

    _answer(qtbot, manage, page, QMessageBox.ButtonRole.RejectRole)
    assert api.get(f"/api/groups/{site.backup_group_id}")["name"] == "Talonmiehet"

    _select(page, "Talonmiehet")
    page.delete_button.click()
    _settle(qtbot, manage)
    _answer(qtbot, manage, page, QMessageBox.ButtonRole.DestructiveRole)
    assert "Talonmiehet" not in {group["name"] for group in api.get("/api/groups")}
    assert api.get(f"/api/numbers/{site.number_id}")["backup_group"] is None
    assert "Talonmiehet" not in {row["name"] for row in _rows(page)}
    assert page.status.text() == "Group Talonmiehet deleted."


def test_deleting_a_person_names_their_login_and_groups(
        qtbot: QtBot, manage: ManageView, api: ApplianceClient) -> None:
    page = manage.people
    _select(page, "Maija Konsoli")
    page.delete_button.click()
    _settle(qtbot, manage)
    box = page.confirmation
    assert box is not None
    assert "Their login “maija” is deleted too." in box.informativeText()
    _answer(qtbot, manage, page, QMessageBox.ButtonRole.RejectRole)
    assert "Maija Konsoli" in {person["name"] for person in api.get("/api/people")}


def test_an_on_call_number_with_its_groups_backup_and_sms(
        qtbot: QtBot, manage: ManageView, site: Site, api: ApplianceClient,
        tmp_path: Path) -> None:
    page = manage.numbers
    _open_tab(qtbot, manage, page)
    page.add_button.click()
    dialog = page.dialog
    assert dialog is not None
    dialog.number_field.setText("020 555 0199")
    dialog.name_field.setText("Kiinteistöpäivystys")
    for row in range(dialog.groups_list.count()):
        item = dialog.groups_list.item(row)
        if item.text() == "Huoltoryhmä":
            item.setCheckState(Qt.CheckState.Checked)
    dialog.backup_box.setCurrentIndex(dialog.backup_box.findText("Huoltoryhmä"))
    dialog.recording_box.setChecked(True)
    dialog.retention_box.setValue(30)
    dialog.caller_box.setChecked(False)
    screenshot(dialog, "manage-number-dialog", tmp_path)
    _save(qtbot, manage, page)
    assert "cannot also be" in (dialog.form.error_text("backup_group") or "")
    assert "+358205550199" not in {number["number"] for number in api.get("/api/numbers")}

    dialog.backup_box.setCurrentIndex(0)  # no backup group
    _save(qtbot, manage, page)
    assert page.dialog is None
    number = next(n for n in api.get("/api/numbers") if n["number"] == "+358205550199")
    assert [group["name"] for group in number["groups"]] == ["Huoltoryhmä"]
    assert (number["recording"], number["retention_days"]) == (True, 30)
    assert (number["sms_on_taken"], number["sms_to_caller"]) == (True, False)
    screenshot(manage, "manage-numbers", tmp_path)

    page.filter_field.setText("0205 550 199")  # typed the Finnish way, spaced anyhow
    assert [page.proxy.index(row, 1).data() for row in range(page.proxy.rowCount())] == [
        "Kiinteistöpäivystys"]
    page.filter_field.setText("kiinteistö")
    assert page.proxy.rowCount() == 1
    page.filter_field.clear()
    assert page.proxy.rowCount() == len(api.get("/api/numbers"))


def test_a_refused_step_keeps_what_was_saved(qtbot: QtBot, manage: ManageView,
                                             api: ApplianceClient) -> None:
    page = manage.numbers
    _open_tab(qtbot, manage, page)
    page.add_button.click()
    dialog = page.dialog
    assert dialog is not None
    dialog.number_field.setText("020 555 0100")  # the site's number: taken
    dialog.name_field.setText("Kopio")
    _save(qtbot, manage, page)
    assert "already the on-call number" in (dialog.form.error_text("number") or "")
    dialog.number_field.setText("020 555 0177")
    _save(qtbot, manage, page)
    assert page.dialog is None
    assert [n["name"] for n in api.get("/api/numbers")].count("Kopio") == 1


def test_swapping_rung_and_backup_groups_clears_the_backup_first() -> None:
    before = {"groups": [{"id": 1, "name": "A"}], "backup_group": {"id": 2, "name": "B"}}
    assert routing_steps(before, [2], 1) == ["no_backup", "groups", "backup"]
    assert routing_steps(before, [1, 3], 2) == ["groups"]
    assert routing_steps(before, [1], 3) == ["backup"]
    assert routing_steps(before, [3], 1) == ["groups", "backup"]
    assert routing_steps(before, [2], None) == ["backup", "groups"]


def test_an_on_call_persons_login_is_refused_plainly(
        qtbot: QtBot, show: Callable[[ManageView], ManageView], site: Site,
        log_in: Callable[[str, str], ApplianceClient], tmp_path: Path) -> None:
    view = ManageView(log_in("maija", PERSON_PASSWORD))
    view.resize(1000, 560)
    show(view)
    _settle(qtbot, view)
    assert view.stack.currentWidget() is view.refusal
    assert "Only an admin can manage the switchboard" in view.refusal.text()
    screenshot(view, "manage-refused", tmp_path)


def test_an_ended_login_ends_the_session(qtbot: QtBot, manage: ManageView) -> None:
    revoke(manage.client.token)
    with qtbot.waitSignal(manage.session_ended) as ended:
        manage.tabs.setCurrentWidget(manage.numbers)
    assert ended.args[0].kind == "unauthorized"


def test_a_login_for_a_person_with_the_password_error_at_its_field(
        qtbot: QtBot, manage: ManageView, site: Site, api: ApplianceClient,
        tmp_path: Path) -> None:
    page = manage.users
    _open_tab(qtbot, manage, page)
    assert {row["username"] for row in _rows(page)} == {"admin", "maija"}
    page.add_button.click()
    dialog = page.dialog
    assert dialog is not None
    assert "Maija Konsoli" not in {dialog.person_box.itemText(row)  # she has a login
                                   for row in range(dialog.person_box.count())}
    dialog.username_field.setText("Pekka")
    dialog.password_field.setText("lyhyt")
    dialog.person_box.setCurrentIndex(dialog.person_box.findData(site.people["Pekka Putkinen"]))
    _save(qtbot, manage, page)
    assert dialog.form.error_text("password") == "At least 10 characters, please."
    dialog.password_field.setText("pekan-oma-salasana")
    _save(qtbot, manage, page)
    assert page.dialog is None
    pekka = next(u for u in api.get("/api/users") if u["username"] == "pekka")
    assert (pekka["role"], pekka["person_id"]) == ("person", site.people["Pekka Putkinen"])
    screenshot(manage, "manage-users", tmp_path)

    _select(page, "pekka", key="username")
    page.delete_button.click()
    box = page.confirmation
    assert box is not None and "Pekka Putkinen stays in the directory" in box.informativeText()
    _answer(qtbot, manage, page, QMessageBox.ButtonRole.DestructiveRole)
    assert "pekka" not in {user["username"] for user in api.get("/api/users")}


def test_the_last_admin_cannot_be_deleted(qtbot: QtBot, manage: ManageView) -> None:
    page = manage.users
    _open_tab(qtbot, manage, page)
    _select(page, "admin", key="username")
    page.delete_button.click()
    _answer(qtbot, manage, page, QMessageBox.ButtonRole.DestructiveRole)
    assert page.error.isVisible()
    assert page.error.text() == "Not done: The last admin cannot be removed."


def test_settings_keep_a_refused_value_at_its_field(
        qtbot: QtBot, manage: ManageView, api: ApplianceClient, tmp_path: Path) -> None:
    page = manage.settings
    _open_tab(qtbot, manage, page)
    assert page.value("ring_time") == "30"
    page.ring_time.setValue(45)
    page.time_zone.setCurrentText("Mars/Olympus")
    page.save_button.click()
    _settle(qtbot, manage)
    assert "Unknown time zone" in (page.form.error_text("time_zone") or "")
    assert page.time_zone.currentText() == "Mars/Olympus"  # kept as typed, for correcting
    stored = {row["key"]: row["value"] for row in api.get("/api/settings")}
    assert (stored["ring_time"], stored["time_zone"]) == ("45", "Europe/Helsinki")
    screenshot(manage, "manage-settings", tmp_path)

    page.time_zone.setCurrentText("Europe/Stockholm")
    page.sms_language.setCurrentIndex(page.sms_language.findData("sv"))
    page.save_button.click()
    _settle(qtbot, manage)
    stored = {row["key"]: row["value"] for row in api.get("/api/settings")}
    assert (stored["time_zone"], stored["sms_language"]) == ("Europe/Stockholm", "sv")
    assert page.status.text() == "Settings saved."


def test_an_sms_text_with_an_unknown_placeholder_is_refused_at_the_text(
        qtbot: QtBot, manage: ManageView, api: ApplianceClient, tmp_path: Path) -> None:
    page = manage.templates
    _open_tab(qtbot, manage, page)
    page.kinds.setCurrentRow(0)
    page.language_box.setCurrentIndex(page.language_box.findData("en"))
    assert page.current() == ("taken", "en")
    page.editor.setPlainText("{nimi} took it")
    page.save_button.click()
    _settle(qtbot, manage)
    assert page.form.error_text("text")
    page.editor.setPlainText("{name} has the call from {caller}")
    page.save_button.click()
    _settle(qtbot, manage)
    taken = next(t for t in api.get("/api/sms/templates")
                 if (t["kind"], t["language"]) == ("taken", "en"))
    assert (taken["text"], taken["custom"]) == ("{name} has the call from {caller}", True)
    screenshot(manage, "manage-sms-texts", tmp_path)

    page.reset_button.click()
    _answer(qtbot, manage, page, QMessageBox.ButtonRole.DestructiveRole)
    taken = next(t for t in api.get("/api/sms/templates")
                 if (t["kind"], t["language"]) == ("taken", "en"))
    assert taken["custom"] is False
    assert page.editor.toPlainText() == taken["text"]


def test_the_trunk_password_is_never_shown_and_kept_when_left_empty(
        qtbot: QtBot, manage: ManageView, api: ApplianceClient, tmp_path: Path) -> None:
    page = manage.trunk
    _open_tab(qtbot, manage, page)
    assert "Not set up" in page.summary.text()
    page.mode_box.setCurrentIndex(page.mode_box.findData("registration"))
    page.host_field.setText("sip:operaattori.fi")
    page.username_field.setText("+358201234567")
    page.password_field.setText("Sal#a-sana-1")
    page.save_button.click()
    _settle(qtbot, manage)
    assert "without 'sip:'" in (page.form.error_text("host") or "")
    assert api.get("/api/trunk")["configured"] is False

    page.host_field.setText("sip.operaattori.fi")
    page.save_button.click()
    _settle(qtbot, manage)
    assert page.password_field.text() == ""
    assert "stored" in page.password_field.placeholderText()
    screenshot(manage, "manage-trunk", tmp_path)
    page.port_box.setValue(5080)
    page.save_button.click()  # the password field is empty: the stored one is kept
    _settle(qtbot, manage)
    trunk = api.get("/api/trunk")
    assert (trunk["port"], trunk["has_password"]) == (5080, True)

    page.reset_button.click()
    _answer(qtbot, manage, page, QMessageBox.ButtonRole.DestructiveRole)
    assert api.get("/api/trunk")["configured"] is False
    assert "Not set up" in page.summary.text()


def test_a_gsm_gateway_with_its_default_number_keys_and_nat(
        qtbot: QtBot, manage: ManageView, api: ApplianceClient, tmp_path: Path) -> None:
    page = manage.trunk
    _open_tab(qtbot, manage, page)
    page.mode_box.setCurrentIndex(page.mode_box.findData("gateway"))
    assert not page.username_field.isEnabled()
    page.host_field.setText("192.168.1.20")
    page.dtmf_box.setCurrentIndex(page.dtmf_box.findData("inband"))
    page.external_field.setText("203.0.113.5")
    page.local_networks_field.setText("192.168.1.0/24, 10.0.0.0/8")
    page.save_button.click()  # no default number: a gateway needs one
    _settle(qtbot, manage)
    assert "GSM gateway sends no number" in (page.form.error_text("default_number") or "")
    assert api.get("/api/trunk")["configured"] is False

    page.default_number_field.setText("020 555 0100")
    page.local_networks_field.setText("192.168.1.300/24")
    page.save_button.click()
    _settle(qtbot, manage)
    assert "is not a network" in (page.form.error_text("local_networks") or "")

    page.local_networks_field.setText("192.168.1.0/24, 10.0.0.0/8")
    page.save_button.click()
    _settle(qtbot, manage)
    trunk = api.get("/api/trunk")
    assert {key: trunk[key] for key in ("mode", "host", "dtmf_mode", "default_number",
                                        "external_address", "local_networks")} == {
        "mode": "gateway", "host": "192.168.1.20", "dtmf_mode": "inband",
        "default_number": "+358205550100", "external_address": "203.0.113.5",
        "local_networks": ["192.168.1.0/24", "10.0.0.0/8"]}
    assert page.default_number_field.text() == "+358205550100"
    screenshot(manage, "manage-trunk-gateway", tmp_path)
    page.external_field.setText("")  # cleared fields clear on the appliance too
    page.local_networks_field.setText("")
    page.save_button.click()
    _settle(qtbot, manage)
    assert (api.get("/api/trunk")["external_address"], api.get("/api/trunk")[
        "local_networks"]) == (None, [])
    page.reset_button.click()
    _answer(qtbot, manage, page, QMessageBox.ButtonRole.DestructiveRole)
