"""The console's entry point: the application, its language, the connect window."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from paivystys.gui.connect.window import ConnectWindow
from paivystys.gui.connection.discovery import ApplianceBrowser
from paivystys.gui.connection.store import ApplianceStore, default_store_path
from paivystys.gui.i18n import install_translators
from paivystys.gui.net.client import Session
from paivystys.gui.session.window import SessionWindow

APPLICATION_NAME = "paivystys-console"
ORGANIZATION_NAME = "Paivystysvaihde"


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

    store = ApplianceStore(default_store_path())
    connect_window = ConnectWindow(store, ApplianceBrowser())
    windows: list[SessionWindow] = []

    def open_session(session: Session) -> None:
        session_window = SessionWindow(session, connect_window.appliance_name)
        session_window.log_in_again.connect(lambda: back_to_connecting(session_window))
        windows.append(session_window)
        session_window.show()
        connect_window.hide()

    def back_to_connecting(session_window: SessionWindow) -> None:
        session_window.close()
        windows.remove(session_window)
        connect_window.show()

    connect_window.logged_in.connect(open_session)
    connect_window.show()
    status = app.exec()
    del translators
    return status
