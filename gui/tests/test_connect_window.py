"""The connect window against the real API: pinning, the certificate warning, login, failures."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from paivystys.gui.appliances.store import ApplianceStore
from paivystys.gui.connect.dialogs import (
    CertificateChangedDialog,
    FingerprintDialog,
    grouped_fingerprint,
)
from paivystys.gui.connect.window import ConnectWindow
from paivystys.gui.net.client import Session
from paivystys.gui.tests.conftest import ADMIN_PASSWORD, Appliance, screenshot

DialogT = TypeVar("DialogT")


@pytest.fixture
def window(show: Callable[[ConnectWindow], ConnectWindow],
           store: ApplianceStore) -> ConnectWindow:
    return show(ConnectWindow(store))


def _connect(qtbot: QtBot, window: ConnectWindow, address: str) -> None:
    window.address_field.setText(address)
    qtbot.mouseClick(window.connect_button, Qt.MouseButton.LeftButton)


def _dialog(qtbot: QtBot, window: ConnectWindow, kind: type[DialogT]) -> DialogT:
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(kind)))
    return next(d for d in window.findChildren(kind) if d.isVisible())


def test_first_connect_pins_the_shown_fingerprint_then_logs_in(
        qtbot: QtBot, show: Callable[[QWidget], QWidget], window: ConnectWindow,
        store: ApplianceStore, appliance: Appliance, tmp_path: Path) -> None:
    _connect(qtbot, window, appliance.url.removeprefix("https://"))  # typed without a scheme
    dialog = _dialog(qtbot, window, FingerprintDialog)
    assert dialog.findChild(QLabel, "fingerprint").text() == (
        grouped_fingerprint(appliance.fingerprint))
    assert dialog.cancel_button.isDefault()
    screenshot(dialog, "fingerprint-dialog", tmp_path)
    assert store.find(appliance.url) is None  # nothing is trusted before the click

    qtbot.mouseClick(dialog.trust_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.login_page)
    assert store.find(appliance.url).fingerprint == appliance.fingerprint

    window.username_field.setText("admin")
    window.password_field.setText("not-the-password")
    qtbot.mouseClick(window.login_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(window.login_error.isVisible)
    assert window.login_error.text() == "Wrong username or password."
    assert not window.login_retry.isVisible()  # retrying the same password helps nobody
    screenshot(window, "login-form", tmp_path)

    window.password_field.setText(ADMIN_PASSWORD)
    with qtbot.waitSignal(window.logged_in) as logged_in:
        qtbot.mouseClick(window.login_button, Qt.MouseButton.LeftButton)
    session: Session = logged_in.args[0]
    assert (session.username, session.role) == ("admin", "admin")
    assert store.find(appliance.url).last_username == "admin"
    assert ADMIN_PASSWORD not in store.path.read_text()
    assert not store.keeps_tokens and store.token(appliance.url, "admin") is None



def test_a_known_appliance_connects_without_asking_again(
        qtbot: QtBot, show: Callable[[ConnectWindow], ConnectWindow], store: ApplianceStore,
        appliance: Appliance, tmp_path: Path) -> None:
    store.pin("Varasto", "https://192.168.1.20:8443", ":".join(["5A"] * 32))
    store.pin("Toimisto", appliance.url, appliance.fingerprint)
    store.note_login(appliance.url, "admin")
    window = show(ConnectWindow(store))
    assert window.address_field.text() == appliance.url  # the last appliance, filled in
    assert window.appliance_list.count() == 2
    screenshot(window, "connect-window", tmp_path)
    qtbot.mouseClick(window.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.login_page)
    assert window.login_heading.text() == "Log in to Toimisto"
    assert not window.findChildren(FingerprintDialog)


def test_a_changed_certificate_is_refused_by_default(
        qtbot: QtBot, window: ConnectWindow, store: ApplianceStore, appliance: Appliance,
        reinstalled_appliance: Appliance, tmp_path: Path) -> None:
    store.pin("Toimisto", reinstalled_appliance.url, appliance.fingerprint)
    _connect(qtbot, window, reinstalled_appliance.url)
    dialog = _dialog(qtbot, window, CertificateChangedDialog)
    screenshot(dialog, "certificate-changed-warning", tmp_path)
    assert dialog.refuse_button.isDefault()
    assert not dialog.trust_button.isEnabled()

    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # a hurried Enter does not connect
    qtbot.waitUntil(window.connect_error.isVisible)
    assert "has changed" in window.connect_error.text()
    assert window.pages.currentWidget() is window.choose_page
    assert store.find(reinstalled_appliance.url).fingerprint == appliance.fingerprint


def test_trusting_a_changed_certificate_needs_its_digits_typed(
        qtbot: QtBot, window: ConnectWindow, store: ApplianceStore, appliance: Appliance,
        reinstalled_appliance: Appliance) -> None:
    store.pin("Toimisto", reinstalled_appliance.url, appliance.fingerprint)
    _connect(qtbot, window, reinstalled_appliance.url)
    dialog = _dialog(qtbot, window, CertificateChangedDialog)
    dialog.confirmation.setText(appliance.fingerprint[:5])  # the OLD certificate's digits
    assert not dialog.trust_button.isEnabled()
    dialog.confirmation.setText(reinstalled_appliance.fingerprint[:5].lower())
    assert dialog.trust_button.isEnabled()
    qtbot.mouseClick(dialog.trust_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.login_page)
    assert store.find(reinstalled_appliance.url).fingerprint == reinstalled_appliance.fingerprint


def test_a_closed_port_says_unreachable_and_offers_try_again(
        qtbot: QtBot, window: ConnectWindow, store: ApplianceStore, closed_port: int) -> None:
    _connect(qtbot, window, f"127.0.0.1:{closed_port}")
    qtbot.waitUntil(window.connect_retry.isVisible)
    assert "does not answer" in window.connect_error.text()
    qtbot.mouseClick(window.connect_retry, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.calls.pending == 0 and window.connect_retry.isVisible())


def test_a_silent_appliance_never_freezes_the_window(
        qtbot: QtBot, window: ConnectWindow, store: ApplianceStore) -> None:
    """A box that accepts TCP but never answers TLS: the probe waits in the background."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        _connect(qtbot, window, f"127.0.0.1:{silent.getsockname()[1]}")
        assert window.calls.pending == 1
        assert not window.connect_button.isEnabled() and window.connect_status.isVisible()
        # The UI thread keeps handling input while the probe waits for its timeout.
        qtbot.keyClicks(window.address_field, "x")
        QApplication.processEvents()
        assert window.address_field.text().endswith("x")
        qtbot.waitUntil(window.connect_retry.isVisible, timeout=15_000)
    assert window.connect_button.isEnabled()


def test_a_typo_in_the_address_is_explained_without_a_network_call(
        qtbot: QtBot, window: ConnectWindow, store: ApplianceStore) -> None:
    _connect(qtbot, window, "http://vaihde.local")
    assert window.connect_error.isVisible() and window.calls.pending == 0
