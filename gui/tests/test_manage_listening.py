"""The listening line in the console against the real API: listening numbers (Manage), each
person's personal number, PIN and phone lock (Manage, People), a person's own PIN (My
account), the setting that lets people delete their own recordings and the prompt languages
the appliance offers.  Refusals appear under their fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from paivystys.appliance.db.models import Person
from paivystys.appliance.directory import Directory
from paivystys.gui.main.account import AccountView
from paivystys.gui.manage.page import ManagePage
from paivystys.gui.manage.view import ManageView
from paivystys.gui.net.client import ApplianceClient
from paivystys.gui.tests.conftest import ADMIN_PASSWORD, PERSON_PASSWORD, Appliance, screenshot
from paivystys.gui.widgets.table import ITEM_ROLE

GOOD_PIN = "4711"  # the appliance refuses runs (1234) and one digit repeated (0000)


@pytest.fixture(scope="module")
def pekka(appliance: Appliance) -> int:
    """A person the admin gives a PIN; an on-call number the listening line may not take."""
    directory = Directory()
    directory.add_number("020 555 0100", "Huoltopäivystys")
    return directory.add_person("Pekka Kuuntelija", "040 555 0222").id


@pytest.fixture
def api(log_in: Callable[[str, str], ApplianceClient]) -> ApplianceClient:
    """The appliance as another program sees it, to check what the console saved."""
    return log_in("admin", ADMIN_PASSWORD)


@pytest.fixture
def manage(qtbot: QtBot, show: Callable[[ManageView], ManageView],
           log_in: Callable[[str, str], ApplianceClient]) -> ManageView:
    view = ManageView(log_in("admin", ADMIN_PASSWORD))
    view.resize(1000, 600)
    show(view)
    _settle(qtbot, view)
    return view


def _settle(qtbot: QtBot, view: ManageView) -> None:
    qtbot.waitUntil(lambda: view.calls.pending == 0)


def _open_tab(qtbot: QtBot, view: ManageView, page: ManagePage) -> None:
    view.tabs.setCurrentWidget(page)
    _settle(qtbot, view)


def _rows(page: Any) -> list[dict[str, Any]]:
    model = page.table.model()
    return [model.index(row, 0).data(ITEM_ROLE) for row in range(model.rowCount())]


def _select(page: Any, key: str, value: object) -> None:
    page.table.selectRow([row[key] for row in _rows(page)].index(value))


def _save(qtbot: QtBot, view: ManageView | AccountView, dialog: Any) -> None:
    assert dialog is not None and dialog.isVisible()
    dialog.save_button.click()
    qtbot.waitUntil(lambda: view.calls.pending == 0)


def _text(page: Any, row: dict[str, Any], title: str) -> str:
    model = page.table.model()
    column = next(column for column in range(model.columnCount())
                  if model.headerData(column, Qt.Orientation.Horizontal) == title)
    return model.index(_rows(page).index(row), column).data()


def test_listening_numbers_added_renamed_refused_and_removed(
        qtbot: QtBot, manage: ManageView, api: ApplianceClient, pekka: int,
        tmp_path: Path) -> None:
    page = manage.listening_numbers
    _open_tab(qtbot, manage, page)
    assert manage.tabs.tabText(manage.tabs.indexOf(page)) == "Listening numbers"
    assert _rows(page) == []
    page.add_button.click()
    dialog = page.dialog
    assert dialog is not None
    # Hostile and wrong input, each under its field; the dialog stays open to correct it.
    for number, name, field in (("'; DROP TABLE listening_number; --", "Kuuntelu", "number"),
                                ("020 555 0100", "Kuuntelu", "number"),  # an on-call number
                                ("040 555 0222", "Kuuntelu", "number"),  # Pekka's phone
                                ("020 555 0199", "", "name"),
                                ("020 555 0199", "x" * 101, "name")):
        dialog.number_field.setText(number)
        dialog.name_field.setText(name)
        _save(qtbot, manage, dialog)
        assert page.dialog is dialog and dialog.isVisible()
        assert dialog.form.error_text(field), (number, name, field)
    screenshot(dialog, "manage-listening-number-refused", tmp_path)
    assert api.get("/api/listening-numbers") == []

    dialog.number_field.setText("020 555 0199")
    dialog.name_field.setText("Kuuntelu")
    _save(qtbot, manage, dialog)
    assert page.dialog is None and page.status.text() == "Listening number added."
    [stored] = api.get("/api/listening-numbers")
    assert (stored["number"], stored["name"]) == ("+358205550199", "Kuuntelu")
    assert _text(page, stored, "Number") == "+358 20 555 0199"
    assert page.count_label.text() == "Listening numbers: 1"
    screenshot(manage, "manage-listening-numbers", tmp_path)

    _select(page, "id", stored["id"])
    page.edit_button.click()
    assert page.dialog is not None
    page.dialog.name_field.setText("Nauhoitteet puhelimella")
    _save(qtbot, manage, page.dialog)
    assert api.get(f"/api/listening-numbers/{stored['id']}")["name"] == (
        "Nauhoitteet puhelimella")

    _select(page, "id", stored["id"])
    page.delete_button.click()
    box = page.confirmation
    assert box is not None and box.isVisible()
    assert "+358 20 555 0199" in box.text()
    next(button for button in box.buttons()
         if box.buttonRole(button) == QMessageBox.ButtonRole.DestructiveRole).click()
    qtbot.waitUntil(lambda: page.confirmation is None)
    _settle(qtbot, manage)
    assert api.get("/api/listening-numbers") == [] and _rows(page) == []


def test_an_admin_sets_a_persons_pin_and_lifts_the_phone_lock(
        qtbot: QtBot, manage: ManageView, api: ApplianceClient, pekka: int,
        tmp_path: Path) -> None:
    page = manage.people
    _open_tab(qtbot, manage, page)
    row = next(person for person in _rows(page) if person["id"] == pekka)
    assert row["personal_number"] and row["personal_number"].isdigit()
    assert _text(page, row, "Personal number") == row["personal_number"]
    assert _text(page, row, "PIN") == "not set"
    assert _text(page, row, "Phone access") == ""
    _select(page, "id", pekka)
    assert page.pin_button.isEnabled() and not page.unlock_button.isEnabled()

    page.pin_button.click()
    dialog = page.dialog
    assert dialog is not None and dialog.windowTitle() == "PIN of Pekka Kuuntelija"
    for pin, again, field in (("4711", "4712", "pin_again"),  # mistyped: not sent
                              ("12ab", "12ab", "pin"), ("1234", "1234", "pin"),
                              ("123", "123", "pin"), ("123456789", "123456789", "pin"),
                              ("٤٧١١", "٤٧١١", "pin"),  # Arabic-Indic digits
                              ("47 11", "47 11", "pin"), ("' OR 1=1 --", "' OR 1=1 --", "pin")):
        dialog.pin_field.setText(pin)
        dialog.again_field.setText(again)
        _save(qtbot, manage, dialog)
        assert page.dialog is dialog and dialog.form.error_text(field), pin
        assert api.get(f"/api/people/{pekka}")["has_pin"] is False
    screenshot(dialog, "manage-person-pin-refused", tmp_path)
    dialog.pin_field.setText(GOOD_PIN)
    dialog.again_field.setText(GOOD_PIN)
    _save(qtbot, manage, dialog)
    assert page.dialog is None and page.status.text() == "PIN of Pekka Kuuntelija set."
    assert api.get(f"/api/people/{pekka}")["has_pin"] is True
    row = next(person for person in _rows(page) if person["id"] == pekka)
    assert _text(page, row, "PIN") == "set"
    # The PIN is nowhere in what the appliance gives the console.
    assert GOOD_PIN not in str(api.get("/api/people"))

    # Three wrong PINs on the phone lock it (as the listening line does).
    until = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=15)
    Person.update(pin_locked_until=until, pin_failures=3).where(Person.id == pekka).execute()
    page.reload()
    _settle(qtbot, manage)
    row = next(person for person in _rows(page) if person["id"] == pekka)
    assert _text(page, row, "Phone access").startswith("locked until ")
    _select(page, "id", pekka)
    assert page.unlock_button.isEnabled()
    screenshot(manage, "manage-people-pin", tmp_path)
    page.unlock_button.click()
    _settle(qtbot, manage)
    assert page.status.text() == "Pekka Kuuntelija may try their PIN again."
    assert api.get(f"/api/people/{pekka}")["pin_locked_until"] is None
    row = next(person for person in _rows(page) if person["id"] == pekka)
    assert _text(page, row, "Phone access") == ""
    assert not page.unlock_button.isEnabled()


def test_a_person_sees_their_personal_number_and_sets_their_own_pin(
        qtbot: QtBot, show: Callable[[AccountView], AccountView],
        log_in: Callable[[str, str], ApplianceClient], tmp_path: Path) -> None:
    maija = Person.get(Person.name == "Maija Konsoli")
    Person.update(pin_hash=None).where(Person.id == maija.id).execute()
    view = show(AccountView(log_in("maija", PERSON_PASSWORD)))
    qtbot.waitUntil(lambda: view.personal_number_label.text() != "")
    assert view.personal_number_label.text() == maija.personal_number
    assert view.name_label.text() == "Maija Konsoli"
    assert view.pin_label.text().startswith("not set")
    view.pin_button.click()
    dialog = view.dialog
    assert dialog is not None
    dialog.pin_field.setText("0000")
    dialog.again_field.setText("0000")
    _save(qtbot, view, dialog)
    assert view.dialog is dialog and dialog.form.error_text("pin")
    dialog.pin_field.setText("2580")
    dialog.again_field.setText("2580")
    _save(qtbot, view, dialog)
    qtbot.waitUntil(lambda: view.pin_label.text() == "set")
    assert view.dialog is None and view.status.text() == "PIN set."
    stored = Person.get_by_id(maija.id).pin_hash
    assert stored.startswith("$argon2id$") and "2580" not in stored
    screenshot(view, "my-account", tmp_path)


def _stored(api: ApplianceClient) -> dict[str, str]:
    return {row["key"]: row["value"] for row in api.get("/api/settings")}


def test_own_recordings_deletable_is_a_check_box_and_prompts_speak_swedish(
        qtbot: QtBot, manage: ManageView, api: ApplianceClient) -> None:
    page = manage.settings
    _open_tab(qtbot, manage, page)
    assert not page.own_recordings_deletable.isChecked()  # the appliance's default: no
    prompts = page.prompt_language
    assert [prompts.itemText(index) for index in range(prompts.count())] == [
        "Finnish", "English", "Swedish"]
    listed = next(row["choices"] for row in api.get("/api/settings")
                  if row["key"] == "prompt_language")
    assert [prompts.itemData(index) for index in range(prompts.count())] == listed
    page.own_recordings_deletable.setChecked(True)
    prompts.setCurrentIndex(prompts.findData("sv"))
    page.save_button.click()
    _settle(qtbot, manage)
    assert page.status.text() == "Settings saved."
    stored = _stored(api)
    assert (stored["own_recordings_deletable"], stored["prompt_language"]) == ("yes", "sv")
    assert page.own_recordings_deletable.isChecked() and prompts.currentData() == "sv"

    page.own_recordings_deletable.setChecked(False)
    prompts.setCurrentIndex(prompts.findData("fi"))
    page.save_button.click()
    _settle(qtbot, manage)
    stored = _stored(api)
    assert (stored["own_recordings_deletable"], stored["prompt_language"]) == ("no", "fi")


def test_the_languages_offered_are_the_ones_the_appliance_lists(
        qtbot: QtBot, manage: ManageView, api: ApplianceClient) -> None:
    page = manage.settings
    _open_tab(qtbot, manage, page)
    rows = api.get("/api/settings")
    listed = [{**row, "choices": ["fi", "de"]} if row["key"] == "prompt_language" else row
              for row in rows]
    page._show(listed)  # a switchboard that speaks German, which this console does not know
    prompts = page.prompt_language
    assert [prompts.itemText(index) for index in range(prompts.count())] == ["Finnish", "de"]
    assert prompts.currentData() == "fi"
