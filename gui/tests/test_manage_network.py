"""Manage, Network: the switchboard moved to a static address from the console, which warns,
follows the trial, confirms it through the new address and reconnects there; going back; lab
mode said plainly; a refused value at its field.  Against the real API server; the box's root
applier is played by a thread that answers the API's request and decision files as the
applier does, with the switchboard's "new address" 127.0.0.1 while the console first reaches
it by the name localhost (the same server: the move shows as the console's new address)."""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from paivystys.appliance.audit import entries
from paivystys.appliance.db.models import Setting
from paivystys.appliance.network import exchange
from paivystys.appliance.network.exchange import Decision, Request, Status
from paivystys.appliance.network.setting import DHCP
from paivystys.gui.app import Console
from paivystys.gui.appliances.store import ApplianceStore
from paivystys.gui.i18n.language import ENGLISH, SETTINGS_KEY, Language
from paivystys.gui.manage.network import NetworkPage
from paivystys.gui.manage.view import ManageView
from paivystys.gui.net.client import ApplianceClient
from paivystys.gui.tests.conftest import ADMIN_PASSWORD, Appliance, screenshot


class Applier:
    """The root applier's answers: a request goes on trial at 127.0.0.1 (beside 10.0.2.15),
    a confirmation keeps it, a going back ends it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(exist_ok=True)
        self.status = Status(exchange.APPLIED, "boot", DHCP, interface="eth0")
        self._save()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _save(self) -> None:
        exchange.write_json(self.directory / exchange.STATUS_FILE, self.status.to_json(),
                            0o644)

    def _run(self) -> None:
        while not self.stopped.wait(0.05):
            document, _modified = exchange.take(self.directory / exchange.REQUEST_FILE)
            if document is not None:
                request = Request.from_json(document)
                deadline = exchange.utc_now() + dt.timedelta(seconds=180)
                self.status = Status(
                    exchange.PENDING, "boot", self.status.in_use, request.id, request.setting,
                    request.by, "eth0", new_addresses=["127.0.0.1"],
                    kept_addresses=["10.0.2.15"], deadline_at=exchange.timestamp(deadline))
                self._save()
            document, _modified = exchange.take(self.directory / exchange.DECISION_FILE)
            if document is not None:
                decision = Decision.from_json(document)
                setting = self.status.setting
                self.status = (
                    Status(exchange.APPLIED, "boot", setting, decision.request_id, setting,
                           interface="eth0") if decision.keep else
                    Status(exchange.REVERTED, "boot", self.status.in_use, decision.request_id,
                           setting, interface="eth0",
                           reason=f"{decision.by} went back; the box is back on DHCP"))
                self._save()


@pytest.fixture
def applier(appliance: Appliance) -> Iterator[Applier]:
    applier = Applier(appliance.state_dir / exchange.EXCHANGE_DIR)
    yield applier
    applier.stopped.set()
    applier.thread.join()
    shutil.rmtree(applier.directory)
    Setting.delete().where(Setting.key == "network").execute()


@pytest.fixture
def manage(qtbot: QtBot, appliance: Appliance, show: Callable[[ManageView], ManageView],
           log_in: Callable[[str, str], ApplianceClient]) -> ManageView:
    view = ManageView(log_in("admin", ADMIN_PASSWORD))
    view.resize(1000, 620)
    show(view)
    view.tabs.setCurrentWidget(view.network)
    qtbot.waitUntil(lambda: view.calls.pending == 0 and bool(view.network.network))
    return view


def _fill_static(page: NetworkPage) -> None:
    page.mode_box.setCurrentIndex(page.mode_box.findData("static"))
    page.address_field.setText("192.168.1.50/24")
    page.gateway_field.setText("192.168.1.1")
    page.dns_field.setText("192.168.1.1, 9.9.9.9")


def _accept(qtbot: QtBot, page: NetworkPage) -> str:
    box = page.confirmation
    assert box is not None and box.isVisible()
    shown = box.text() + "\n" + box.informativeText()
    next(button for button in box.buttons()
         if box.buttonRole(button) == QMessageBox.ButtonRole.DestructiveRole).click()
    qtbot.waitUntil(lambda: page.confirmation is None)
    return shown


@pytest.fixture
def console(qtbot: QtBot, store: ApplianceStore, appliance: Appliance, qapp: QApplication,
            tmp_path: Path) -> Iterator[Console]:
    """The whole console, pinned to the switchboard by the name localhost."""
    settings = QSettings(str(tmp_path / "console.ini"), QSettings.Format.IniFormat)
    settings.setValue(SETTINGS_KEY, ENGLISH)
    store.pin("Toimisto", appliance.url.replace("127.0.0.1", "localhost"),
              appliance.fingerprint)
    console = Console(store, Language(qapp, settings))
    console.start()
    yield console
    if console.main_window is not None:
        console.main_window.close()
    console.connect_window.close()


def test_the_console_moves_the_switchboard_confirms_and_reconnects_there(
        qtbot: QtBot, console: Console, applier: Applier, appliance: Appliance,
        tmp_path: Path) -> None:
    window = console.connect_window
    window.address_field.setText(console.store.known()[0].url)
    qtbot.mouseClick(window.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.login_page)
    window.username_field.setText("admin")
    window.password_field.setText(ADMIN_PASSWORD)
    qtbot.mouseClick(window.login_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: console.main_window is not None and console.main_window.isVisible())
    before = console.main_window
    assert before.session.base_url.startswith("https://localhost:")
    before.navigation.setCurrentRow(before.navigation.count() - 1)  # Manage
    manage = before.manage
    manage.tabs.setCurrentWidget(manage.network)
    page = manage.network
    qtbot.waitUntil(lambda: bool(page.network))
    assert page.in_use.text() == ("An address from the office network's DHCP server (port "
                                  "eth0)")
    assert page.state.text() == "Applied."

    _fill_static(page)
    page.apply_button.click()
    warning = _accept(qtbot, page)
    assert "The switchboard will move to the address 192.168.1.50." in warning
    assert "connects to it there and confirms the change" in warning
    assert "within 3 minutes, the switchboard goes back to its present setting by itself" \
        in warning

    qtbot.waitUntil(lambda: console.main_window is not before, timeout=15_000)
    after = console.main_window
    new_url = appliance.url  # https://127.0.0.1:<port>
    assert after.session.base_url == new_url
    assert after.session.token == before.session.token  # the same login, carried over
    assert console.store.find(new_url).fingerprint == appliance.fingerprint
    assert console.store.last_used().url == new_url  # the next start connects there
    confirmed = next(row for row in entries(20) if row["action"] == "network.confirm")
    assert confirmed["details"]["arrived_at"] == "127.0.0.1"
    assert Setting.get(Setting.key == "network").value.count("192.168.1.50/24") == 1
    after.navigation.setCurrentRow(after.navigation.count() - 1)
    network = after.manage.network
    after.manage.tabs.setCurrentWidget(network)
    qtbot.waitUntil(lambda: network.state.text() == "Applied.")
    assert network.in_use.text() == ("192.168.1.50/24, gateway 192.168.1.1, DNS 192.168.1.1, "
                                     "9.9.9.9 (port eth0)")
    screenshot(after, "manage-network", tmp_path)


def test_a_trial_can_be_given_up_at_once(qtbot: QtBot, manage: ManageView,
                                         applier: Applier) -> None:
    page = manage.network
    # A change another admin made: on trial, not followed by this console.
    with ApplianceClient(page.client.base_url, page.client.fingerprint,
                         page.client.token) as other:
        other.put("/api/network", {"mode": "static", "address": "192.168.1.50/24",
                                   "gateway": "192.168.1.1", "dns": ["192.168.1.1"]})
    qtbot.waitUntil(lambda: applier.status.state == exchange.PENDING)
    page.reload()
    qtbot.waitUntil(lambda: page.trial_box.isVisible())
    assert page.state.text().startswith("On trial: the switchboard answers at 127.0.0.1 (and "
                                        "still at 10.0.2.15)")
    assert not page.apply_button.isEnabled()

    page.back_button.click()
    qtbot.waitUntil(lambda: page.state.text().startswith("Given up"), timeout=10_000)
    assert page.state.text() == "Given up: admin went back; the box is back on DHCP"
    assert "b00020" in page.state.styleSheet()
    assert page.apply_button.isEnabled()
    assert entries(1)[0]["action"] == "network.revert"


def test_a_trial_made_elsewhere_is_confirmed_from_the_page(qtbot: QtBot, manage: ManageView,
                                                          applier: Applier) -> None:
    """Made with the CLI on the box, say: the page offers to confirm it, and does so through
    the new address (here the address the page already uses: no move)."""
    page = manage.network
    with ApplianceClient(page.client.base_url, page.client.fingerprint,
                         page.client.token) as other:
        other.put("/api/network", {"mode": "dhcp"})
    qtbot.waitUntil(lambda: applier.status.state == exchange.PENDING)
    page.reload()
    qtbot.waitUntil(lambda: page.trial_box.isVisible())
    assert page.trial.text().startswith("A new setting is on trial: confirm it through its new "
                                        "address, or go back.")
    with qtbot.assertNotEmitted(page.moved):
        page.confirm_button.click()
        qtbot.waitUntil(lambda: page.state.text() == "Applied.", timeout=10_000)
    assert page.status.text() == "The switchboard keeps the new setting and answers at " \
                                 "127.0.0.1."
    assert not page.trial_box.isVisible() and page.apply_button.isEnabled()


def test_in_lab_mode_the_page_says_the_setting_is_not_applied(qtbot: QtBot,
                                                               manage: ManageView) -> None:
    page = manage.network
    assert page.state.text().startswith("Stored, not applied: this machine has no root "
                                        "applier")
    assert page.in_use.text() == "Not known."
    _fill_static(page)
    page.apply_button.click()
    _accept(qtbot, page)
    qtbot.waitUntil(lambda: manage.calls.pending == 0)
    assert page.state.text().startswith("Stored, not applied")
    assert not page.trial_box.isVisible()  # nothing to follow, nowhere to move
    assert page.apply_button.isEnabled()
    Setting.delete().where(Setting.key == "network").execute()


def test_a_refused_value_is_shown_at_its_field(qtbot: QtBot, manage: ManageView,
                                               applier: Applier) -> None:
    page = manage.network
    _fill_static(page)
    page.gateway_field.setText("10.0.0.1")
    page.apply_button.click()
    _accept(qtbot, page)
    qtbot.waitUntil(lambda: page.form.error_text("gateway") is not None)
    assert page.form.error_text("gateway").startswith("10.0.0.1 is outside the box's network "
                                                      "192.168.1.0/24")
    assert applier.status.state == exchange.APPLIED
    assert page.apply_button.isEnabled()
