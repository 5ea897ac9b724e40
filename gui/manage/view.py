"""The Manage screen (admins): a tab per part of the configuration.

A tab asks the appliance again whenever it is shown, so what one tab changed (a group
renamed, a person deleted) is current on the next, and so is what another admin changed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from paivystys.gui.manage.backups import BackupsPage
from paivystys.gui.manage.groups import GroupsPage
from paivystys.gui.manage.listening import ListeningNumbersPage
from paivystys.gui.manage.modem import ModemPage
from paivystys.gui.manage.network import NetworkPage
from paivystys.gui.manage.numbers import NumbersPage
from paivystys.gui.manage.page import ManagePage
from paivystys.gui.manage.people import PeoplePage
from paivystys.gui.manage.settings import SettingsPage
from paivystys.gui.manage.software import SoftwarePage
from paivystys.gui.manage.templates import TemplatesPage
from paivystys.gui.manage.trunk import TrunkPage
from paivystys.gui.manage.users import UsersPage
from paivystys.gui.net.client import ApiFailure, ApplianceClient
from paivystys.gui.net.worker import BackgroundCalls


class ManageView(QWidget):
    """Emits `session_ended(ApiFailure)` when the appliance no longer accepts the login,
    `moved(url)` when the appliance has moved to another address and keeps it."""

    session_ended = Signal(object)
    moved = Signal(str)

    def __init__(self, client: ApplianceClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.calls = BackgroundCalls(self)
        self.people = PeoplePage(client, self.calls)
        self.groups = GroupsPage(client, self.calls)
        self.numbers = NumbersPage(client, self.calls)
        self.listening_numbers = ListeningNumbersPage(client, self.calls)
        self.users = UsersPage(client, self.calls)
        self.settings = SettingsPage(client, self.calls)
        self.templates = TemplatesPage(client, self.calls)
        self.trunk = TrunkPage(client, self.calls)
        self.modem = ModemPage(client, self.calls)
        self.network = NetworkPage(client, self.calls)
        self.network.moved.connect(self.moved.emit)
        self.software = SoftwarePage(client, self.calls)
        self.backups = BackupsPage(client, self.calls)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for page, title in ((self.people, self.tr("People")),
                            (self.groups, self.tr("Groups")),
                            (self.numbers, self.tr("On-call numbers")),
                            (self.listening_numbers, self.tr("Listening numbers")),
                            (self.users, self.tr("Users")),
                            (self.settings, self.tr("Settings")),
                            (self.templates, self.tr("SMS texts")),
                            (self.trunk, self.tr("Trunk")),
                            (self.modem, self.tr("Modem")),
                            (self.software, self.tr("Software")),
                            (self.network, self.tr("Network")),
                            (self.backups, self.tr("Backups"))):
            self.tabs.addTab(page, title)
            page.session_ended.connect(self.session_ended.emit)
            page.forbidden.connect(self._forbidden)
        self.tabs.currentChanged.connect(lambda _index: self.reload())

        self.refusal = QLabel(self.tr(
            "<h3>Only an admin can manage the switchboard</h3>"
            "<p>You are logged in with an on-call person's account. Log in as an admin to "
            "manage people, groups and numbers.</p>"))
        self.refusal.setObjectName("refusal")
        self.refusal.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.refusal.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.tabs)
        self.stack.addWidget(self.refusal)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    def current_page(self) -> ManagePage:
        return self.tabs.currentWidget()

    def reload(self) -> None:
        if self.stack.currentWidget() is self.tabs:
            self.current_page().reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.reload()

    def _forbidden(self, _failure: ApiFailure) -> None:
        self.stack.setCurrentWidget(self.refusal)
