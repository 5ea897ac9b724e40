"""The console's entry point: the application, its language, the connect and main windows."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings
from PySide6.QtWidgets import QApplication

from paivystys.gui.appliances.discovery import ApplianceBrowser
from paivystys.gui.appliances.store import ApplianceStore, default_store_path
from paivystys.gui.connect.window import ConnectWindow
from paivystys.gui.i18n.language import Language
from paivystys.gui.icons import application_icon
from paivystys.gui.net.client import Session
from paivystys.gui.net.worker import UiThreadCollector, finish_background_calls

if TYPE_CHECKING:
    from paivystys.gui.main.window import MainWindow

APPLICATION_NAME = "paivystys-console"
ORGANIZATION_NAME = "Paivystysvaihde"


class Console(QObject):
    """Which window is shown: connecting until a login, then the main window until the
    session ends (log out: back to connecting; ended by the appliance: its login form).

    Switching the language builds the shown window anew in the new language (the session
    goes on; what was typed into a half-filled form is not kept), rather than every widget
    carrying code to re-word itself.
    """

    def __init__(self, store: ApplianceStore, language: Language,
                 browsers: Callable[[], ApplianceBrowser | None] = lambda: None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.language = language
        self._browsers = browsers
        self.main_window: MainWindow | None = None
        self._appliance_name = ""
        self.connect_window = self._new_connect_window()

    def _new_connect_window(self) -> ConnectWindow:
        window = ConnectWindow(self.store, self._browsers())
        window.logged_in.connect(self.open_session)
        window.language_selector.chosen.connect(self.switch_language)
        return window

    def start(self) -> None:
        self.connect_window.show()

    def open_session(self, session: Session) -> None:
        self._appliance_name = self.connect_window.appliance_name
        self._open_main_window(session)
        self.connect_window.hide()

    def _open_main_window(self, session: Session) -> None:
        # Imported here: its pages are a third of the start-up, and the login window (what
        # start-up is waited on for) needs none of them.
        from paivystys.gui.main.window import MainWindow

        self.main_window = MainWindow(session, self._appliance_name, self.store)
        self.main_window.logged_out.connect(self._back_to_connecting)
        self.main_window.session_ended.connect(
            lambda reason: self._back_to_login(session.base_url, reason))
        self.main_window.moved.connect(self._move)
        self.main_window.language_selector.chosen.connect(self.switch_language)
        self.main_window.show()

    def _move(self, session: Session) -> None:
        """The appliance moved to another address and keeps it: trust it there (the same
        certificate), carry the login over, and open the main window on the new address."""
        assert self.main_window is not None
        before = self.main_window.session
        self.store.pin(self._appliance_name, session.base_url, session.fingerprint)
        self.store.note_login(session.base_url, session.username)
        self.store.save_token(session.base_url, session.username, session.token)
        self.store.forget_token(before.base_url, before.username)
        geometry = self.main_window.saveGeometry()
        self._close_main_window()
        self._open_main_window(session)
        assert self.main_window is not None
        self.main_window.restoreGeometry(geometry)

    def switch_language(self, code: str) -> None:
        self.language.switch(code)
        if self.main_window is not None:
            session = self.main_window.session
            geometry = self.main_window.saveGeometry()
            self._close_main_window()
            self._open_main_window(session)
            assert self.main_window is not None
            self.main_window.restoreGeometry(geometry)
        shown = self.connect_window.isVisible()
        address = self.connect_window.address_field.text()
        self.connect_window.close()
        self.connect_window.deleteLater()
        self.connect_window = self._new_connect_window()
        self.connect_window.address_field.setText(address)
        if shown:
            self.connect_window.show()

    def _close_main_window(self) -> None:
        if self.main_window is not None:
            self.main_window.close()
            self.main_window.deleteLater()
            self.main_window = None

    def _back_to_connecting(self) -> None:
        self._close_main_window()
        self.connect_window.show()

    def _back_to_login(self, url: str, reason: str) -> None:
        self._close_main_window()
        self.connect_window.log_in_again(url, reason)
        self.connect_window.show()


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    app = QApplication(sys.argv if argv is None else argv)
    # Names the per-user config directory (QStandardPaths.AppConfigLocation) and the desktop
    # entry the window belongs to.
    app.setApplicationName(APPLICATION_NAME)
    app.setOrganizationName(ORGANIZATION_NAME)
    app.setApplicationDisplayName("Päivystysvaihde")
    app.setDesktopFileName(APPLICATION_NAME)
    app.setWindowIcon(application_icon())
    language = Language(app, QSettings())
    collector = UiThreadCollector(app)

    console = Console(ApplianceStore(default_store_path()), language, ApplianceBrowser)
    console.start()
    status = app.exec()
    finish_background_calls()
    collector.stop()
    del console, language
    return status
