"""The main window through the whole console: login, the user and health, log out, and a
session the appliance ends while it is in use."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from paivystys.appliance.users.service import revoke
from paivystys.gui.app import Console
from paivystys.gui.appliances.store import ApplianceStore
from paivystys.gui.i18n.language import ENGLISH, FINNISH, SETTINGS_KEY, Language
from paivystys.gui.main.window import MainWindow
from paivystys.gui.net.client import ApiFailure, ApplianceClient, FailureKind
from paivystys.gui.tests.conftest import ADMIN_PASSWORD, PERSON_PASSWORD, Appliance, screenshot
from paivystys.gui.tests.test_calllog import calls  # noqa: F401 (the module's calls, for the screenshot)


@pytest.fixture
def language(qapp: QApplication, tmp_path: Path) -> Iterator[Language]:
    """English, as chosen earlier on this PC; English again after the test."""
    settings = QSettings(str(tmp_path / "console.ini"), QSettings.Format.IniFormat)
    settings.setValue(SETTINGS_KEY, ENGLISH)
    language = Language(qapp, settings)
    yield language
    language.switch(ENGLISH)


@pytest.fixture
def console(qtbot: QtBot, store: ApplianceStore, appliance: Appliance,
            language: Language) -> Iterator[Console]:
    store.pin("Toimisto", appliance.url, appliance.fingerprint)
    console = Console(store, language)
    console.start()
    yield console
    if console.main_window is not None:
        console.main_window.close()
    console.connect_window.close()


def _log_in(qtbot: QtBot, console: Console, username: str, password: str) -> MainWindow:
    window = console.connect_window
    window.address_field.setText(console.store.known()[0].url)
    qtbot.mouseClick(window.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.login_page)
    window.username_field.setText(username)
    window.password_field.setText(password)
    qtbot.mouseClick(window.login_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: console.main_window is not None
                    and console.main_window.isVisible())
    assert not window.isVisible()
    return console.main_window


def test_an_admin_sees_who_is_logged_in_and_the_health(
        qtbot: QtBot, console: Console, calls: list[int], tmp_path: Path) -> None:  # noqa: F811
    main = _log_in(qtbot, console, "admin", ADMIN_PASSWORD)
    qtbot.waitUntil(lambda: main.calls.pending == 0 and main.call_log.calls.pending == 0)
    assert main.user_label.text() == "Logged in as admin (admin)"
    assert "Toimisto" in main.appliance_label.text()
    assert main.health_strip is not None and main.health_strip.isVisible()
    assert main.health_strip.asterisk.text() == "Asterisk: not known"  # no report yet
    assert main.health_strip.disk.text().startswith("Disk free: ")
    assert [main.navigation.item(row).text() for row in range(main.navigation.count())] == [
        "Live", "Calls", "Recordings", "Manage"]
    assert main.pages.currentWidget() is main.live  # what an admin watches first
    main.navigation.setCurrentRow(1)
    assert main.pages.currentWidget() is main.call_tabs
    assert main.call_tabs.currentWidget() is main.call_log  # the on-call calls first
    main.call_log.table.selectRow(0)
    screenshot(main, "main-calllog", tmp_path)


def test_a_person_has_no_health_strip_and_sees_their_duty(
        qtbot: QtBot, console: Console) -> None:
    main = _log_in(qtbot, console, "maija", PERSON_PASSWORD)
    assert main.health_strip is None and main.manage is None and main.live is None
    assert [main.navigation.item(row).text() for row in range(main.navigation.count())] == [
        "Calls", "Recordings", "My account"]  # the personal number and PIN
    assert main.account is not None
    assert main.pages.currentWidget() is main.call_tabs
    qtbot.waitUntil(lambda: "Maija Konsoli" in main.user_label.text())
    assert main.user_label.text().startswith("Logged in as maija – Maija Konsoli (on-call")


def test_log_out_ends_the_token_and_returns_to_connecting(
        qtbot: QtBot, console: Console, appliance: Appliance) -> None:
    main = _log_in(qtbot, console, "admin", ADMIN_PASSWORD)
    token = main.session.token
    qtbot.mouseClick(main.log_out_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(console.connect_window.isVisible)
    assert console.main_window is None
    with (ApplianceClient(appliance.url, appliance.fingerprint, token) as old,
          pytest.raises(ApiFailure) as refused):
        old.get("/api/me")
    assert refused.value.kind is FailureKind.UNAUTHORIZED


def test_a_token_revoked_during_use_returns_to_the_login_form(
        qtbot: QtBot, console: Console, tmp_path: Path) -> None:
    main = _log_in(qtbot, console, "admin", ADMIN_PASSWORD)
    revoke(main.session.token)  # as an admin would, on the box
    main.call_log.reload()
    window = console.connect_window
    qtbot.waitUntil(window.isVisible)
    assert console.main_window is None
    assert window.pages.currentWidget() is window.login_page
    assert window.login_error.isVisible()
    assert "expired" in window.login_error.text()
    assert window.username_field.text() == "admin"
    screenshot(window, "login-again", tmp_path)


def test_switching_language_rewords_the_window_and_keeps_the_session(
        qtbot: QtBot, console: Console, language: Language, calls: list[int],  # noqa: F811
        tmp_path: Path) -> None:
    main = _log_in(qtbot, console, "admin", ADMIN_PASSWORD)
    session = main.session
    main.language_selector.activated.emit(main.language_selector.findData(FINNISH))
    finnish = console.main_window
    assert finnish is not None and finnish is not main and finnish.isVisible()
    assert finnish.session == session  # no new login
    assert finnish.log_out_button.text() == "Kirjaudu ulos"
    assert finnish.navigation.item(1).text() == "Puhelut"
    assert finnish.language_selector.currentData() == FINNISH
    assert language.code == FINNISH
    assert QSettings(str(tmp_path / "console.ini"),
                     QSettings.Format.IniFormat).value(SETTINGS_KEY) == FINNISH  # remembered
    finnish.navigation.setCurrentRow(1)
    qtbot.waitUntil(lambda: finnish.call_log.calls.pending == 0
                    and finnish.call_log.model.rowCount() > 0)
    finnish.call_log.table.selectRow(0)
    screenshot(finnish, "main-calllog-fi", tmp_path)

    finnish.language_selector.activated.emit(finnish.language_selector.findData(ENGLISH))
    assert console.main_window is not None
    assert console.main_window.log_out_button.text() == "Log out"
