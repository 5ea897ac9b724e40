"""The console's entry point: the application, its language, the connect and main windows."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QLocale, QObject
from PySide6.QtWidgets import QApplication

from paivystys.gui.connect.window import ConnectWindow
from paivystys.gui.connection.discovery import ApplianceBrowser
from paivystys.gui.connection.store import ApplianceStore, default_store_path
from paivystys.gui.i18n import install_translators
from paivystys.gui.main.window import MainWindow
from paivystys.gui.net.client import Session
from paivystys.gui.net.worker import UiThreadCollector, finish_background_calls

APPLICATION_NAME = "paivystys-console"
ORGANIZATION_NAME = "Paivystysvaihde"


class Console(QObject):
    """Which window is shown: connecting until a login, then the main window until the
    session ends (log out: back to connecting; ended by the appliance: its login form)."""

    def __init__(self, store: ApplianceStore, browser: ApplianceBrowser | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.connect_window = ConnectWindow(store, browser)
        self.main_window: MainWindow | None = None
        self.connect_window.logged_in.connect(self.open_session)

    def start(self) -> None:
        self.connect_window.show()

    def open_session(self, session: Session) -> None:
        self.main_window = MainWindow(session, self.connect_window.appliance_name, self.store)
        self.main_window.logged_out.connect(self._back_to_connecting)
        self.main_window.session_ended.connect(
            lambda reason: self._back_to_login(session.base_url, reason))
        self.main_window.show()
        self.connect_window.hide()

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
    translators = install_translators(app, QLocale.system())
    collector = UiThreadCollector(app)

    console = Console(ApplianceStore(default_store_path()), ApplianceBrowser())
    console.start()
    status = app.exec()
    finish_background_calls()
    collector.stop()
    del translators, console
    return status
