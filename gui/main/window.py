"""The main window after login: navigation, the chosen screen, health and who is logged in.

Owns the session's client and ends the session in one place: "Log out", or any call the
appliance refuses as unauthorized (token expired or revoked), forgets the stored token and
tells app.py, which shows the connect window again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QLocale, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from paivystys.gui.appliances.store import ApplianceStore
from paivystys.gui.calllog.listening import ListeningLogView
from paivystys.gui.calllog.view import CallLogView
from paivystys.gui.formatting import format_datetime, format_decimal
from paivystys.gui.i18n.language import LanguageSelector
from paivystys.gui.live.view import LiveView
from paivystys.gui.main.account import AccountView
from paivystys.gui.manage.view import ManageView
from paivystys.gui.net.client import ApiFailure, ApplianceClient, FailureKind, Session
from paivystys.gui.net.worker import BackgroundCalls
from paivystys.gui.recordings.view import RecordingsView
from paivystys.gui.widgets.failures import describe

HEALTH_INTERVAL_MS = 30_000
BAD_STYLE = "QLabel { color: #b00020; font-weight: bold; }"
UNKNOWN_STYLE = "QLabel { color: palette(dark); }"
CSQ_MAX = 31  # the modem reports signal as a CSQ rssi, 0..31


class HealthStrip(QFrame):
    """The appliance's parts in one line; a part that is down stands out in red."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.asterisk = QLabel(self.tr("Asterisk: …"))
        self.trunk = QLabel(self.tr("Trunk: …"))
        self.modem = QLabel(self.tr("Modem: …"))
        self.disk = QLabel(self.tr("Disk: …"))
        # Shown only while a saved change has not reached Asterisk.
        self.configuration = QLabel()
        self.configuration.setVisible(False)
        # Shown only when the database failed its integrity check: which backup to restore.
        self.database = QLabel()
        self.database.setVisible(False)
        self.problem = QLabel()
        self.problem.setStyleSheet(UNKNOWN_STYLE)
        self.problem.setVisible(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        layout.setSpacing(24)
        for label in (self.asterisk, self.trunk, self.modem, self.disk, self.configuration,
                      self.database, self.problem):
            label.setObjectName("health")
            layout.addWidget(label)
        layout.addStretch(1)

    def show_health(self, health: dict[str, Any]) -> None:
        self.problem.setVisible(False)
        self._part(self.asterisk, health["asterisk"], self.tr("Asterisk: running"),
                   self.tr("Asterisk: down"), self.tr("Asterisk: not known"))
        self._part(self.trunk, health["trunk"], self.tr("Trunk: registered"),
                   self.tr("Trunk: down"), self.tr("Trunk: not known"))
        modem = health["modem"]
        signal = modem.get("signal")
        # A SIM that waits for its PIN or PUK: the Modem page says what to do.
        sim_waits = modem.get("sim") not in (None, "ready")
        self._part(self.modem, modem,
                   self.tr("Modem signal: {percent} %").format(
                       percent=round(100 * signal / CSQ_MAX)) if signal is not None
                   else self.tr("Modem: registered"),
                   self.tr("Modem: the SIM needs attention (Manage, Modem)") if sim_waits
                   else self.tr("Modem: {state}").format(state=modem["state"]),
                   self.tr("Modem: not known"))
        disk = health["disk"]
        free = self.tr("Disk free: {gigabytes} GB").format(
            gigabytes=format_decimal(disk["free_bytes"] / 1e9, QLocale()))
        self._part(self.disk, disk, free, free, free)
        # A switchboard older than this console does not report it.
        configuration = health.get("configuration") or {"ok": True}
        self.configuration.setVisible(configuration.get("ok") is False)
        not_applied = self.tr("Changes not yet in use")
        self._part(self.configuration, configuration, not_applied, not_applied, not_applied)
        # A switchboard older than this console does not report it either.
        database = health.get("database") or {"ok": None}
        self.database.setVisible(database.get("ok") is False)
        good = database.get("last_good_backup")
        damaged = (self.tr("Database damaged: restore the backup of {time} (Manage, "
                           "Backups)").format(time=format_datetime(
                               dt.datetime.fromisoformat(good["created_at"]), QLocale()))
                   if good else self.tr("Database damaged: no backup on the switchboard"))
        self._part(self.database, database, damaged, damaged, damaged)
        self.layout().activate()  # place the resized labels now, not at the next paint

    def show_unknown(self, reason: str) -> None:
        """The last check failed: say so rather than keep showing old health as current."""
        self.problem.setText(self.tr("Health not updated: {reason}").format(reason=reason))
        self.problem.setVisible(True)

    @staticmethod
    def _part(label: QLabel, part: dict[str, Any], good: str, bad: str, unknown: str) -> None:
        ok = part.get("ok")
        label.setText(good if ok else bad if ok is False else unknown)
        label.setStyleSheet("" if ok else BAD_STYLE if ok is False else UNKNOWN_STYLE)
        label.setToolTip(part.get("state") or "")
        # A new style (bold for "down") changes the font: the layout must hear of the size.
        label.setMinimumWidth(label.sizeHint().width())


class MainWindow(QMainWindow):
    """Emits `logged_out()` after "Log out", `session_ended(str)` with the reason to show
    on the login form when the appliance has ended the session, `moved(Session)` when the
    appliance has moved to another address (its network setting) and keeps it."""

    logged_out = Signal()
    session_ended = Signal(str)
    moved = Signal(object)  # the same login's Session at the appliance's new address

    def __init__(self, session: Session, appliance_name: str, store: ApplianceStore,
                 page_size: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.store = store
        self.client = ApplianceClient.for_session(session)
        self.calls = BackgroundCalls(self)
        self._ended = False
        self.is_admin = session.role == "admin"
        self.setWindowTitle(self.tr("Päivystysvaihde – {name}").format(name=appliance_name))
        self.resize(1100, 700)

        self.call_log = (CallLogView(self.client, page_size) if page_size
                         else CallLogView(self.client))
        self.call_log.session_ended.connect(self._session_over)
        # The listening line's calls apart from the on-call ones: nobody was rung for them.
        self.listening_log = ListeningLogView(self.client)
        self.listening_log.session_ended.connect(self._session_over)
        self.call_tabs = QTabWidget()
        self.call_tabs.addTab(self.call_log, self.tr("On-call calls"))
        self.call_tabs.addTab(self.listening_log, self.tr("Listening line"))
        self.pages = QStackedWidget()
        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setFixedWidth(160)
        self.navigation.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.live: LiveView | None = None
        if self.is_admin:  # the appliance streams calls to admins only
            self.live = LiveView(self.client)
            self.live.session_ended.connect(self._session_over)
            self.live.health_changed.connect(self._show_health)
            self._add_page(self.tr("Live"), self.live)
        self._add_page(self.tr("Calls"), self.call_tabs)
        self.recordings = RecordingsView(self.client)
        self.recordings.session_ended.connect(self._session_over)
        self._add_page(self.tr("Recordings"), self.recordings)
        self.account: AccountView | None = None
        if not self.is_admin:  # an on-call person's own: the personal number and the PIN
            self.account = AccountView(self.client)
            self.account.session_ended.connect(self._session_over)
            self._add_page(self.tr("My account"), self.account)
        self.manage: ManageView | None = None
        if self.is_admin:
            self.manage = ManageView(self.client)
            self.manage.session_ended.connect(self._session_over)
            self.manage.moved.connect(
                lambda url: self.moved.emit(dataclasses.replace(self.session, base_url=url)))
            self._add_page(self.tr("Manage"), self.manage)
        self.navigation.setCurrentRow(0)
        self.log_out_button = QPushButton(self.tr("Log out"))
        self.log_out_button.clicked.connect(self.log_out)

        self.language_selector = LanguageSelector()
        side = QVBoxLayout()
        side.addWidget(self.navigation, 1)
        side.addWidget(self.language_selector)
        side.addWidget(self.log_out_button)
        body = QHBoxLayout()
        body.addLayout(side)
        body.addWidget(self.pages, 1)
        central = QWidget()
        layout = QVBoxLayout(central)
        self.health_strip: HealthStrip | None = None
        if self.is_admin:  # the appliance answers /api/health to admins only
            self.health_strip = HealthStrip()
            layout.addWidget(self.health_strip)
        layout.addLayout(body, 1)
        self.setCentralWidget(central)

        self.appliance_label = QLabel(self.tr("Switchboard: {name} ({address})").format(
            name=appliance_name, address=session.base_url))
        self.user_label = QLabel(self._user_text(session.username, None))
        self.user_label.setObjectName("user")
        self.statusBar().addWidget(self.appliance_label)
        self.statusBar().addPermanentWidget(self.user_label)

        self._health_timer = QTimer(self, interval=HEALTH_INTERVAL_MS)
        self._health_timer.timeout.connect(self.refresh_health)
        if self.is_admin:
            self._health_timer.start()
            self.refresh_health()
        self.calls.run(lambda: self.client.get("/api/me"), self._show_me, self._failed)

    def _add_page(self, title: str, page: QWidget) -> None:
        self.navigation.addItem(title)
        self.pages.addWidget(page)

    def _user_text(self, username: str, person_name: str | None) -> str:
        role = self.tr("admin") if self.is_admin else self.tr("on-call person")
        who = f"{username} – {person_name}" if person_name else username
        return self.tr("Logged in as {user} ({role})").format(user=who, role=role)

    def _show_me(self, me: dict[str, Any]) -> None:
        text = self._user_text(me["username"], me.get("person_name"))
        if me.get("on_duty") is not None:  # an on-call person: whether calls ring them now
            text += " · " + (self.tr("on duty") if me["on_duty"] else self.tr("off duty"))
        self.user_label.setText(text)

    def refresh_health(self) -> None:
        self.calls.run(lambda: self.client.get("/api/health"), self._show_health,
                       self._health_failed)

    def _show_health(self, health: dict[str, Any]) -> None:
        if self.health_strip is not None:
            self.health_strip.show_health(health)

    def _health_failed(self, failure: ApiFailure) -> None:
        if failure.kind is FailureKind.UNAUTHORIZED:
            self._session_over(failure)
        elif self.health_strip is not None:
            self.health_strip.show_unknown(describe(failure))

    def _failed(self, failure: ApiFailure) -> None:
        if failure.kind is FailureKind.UNAUTHORIZED:
            self._session_over(failure)
        else:
            self.statusBar().showMessage(describe(failure))

    def log_out(self) -> None:
        """End the session on the appliance too, so the token is worthless if it leaked.
        Unreachable or not, the console forgets the token and returns to connecting."""
        self.log_out_button.setEnabled(False)
        self.calls.run(self.client.logout, lambda _none: self._end(self.logged_out.emit),
                       lambda _failure: self._end(self.logged_out.emit))

    def _session_over(self, failure: ApiFailure) -> None:
        message = describe(failure)
        self._end(lambda: self.session_ended.emit(message))

    def _end(self, tell: Callable[[], None]) -> None:
        if self._ended:  # several calls may fail unauthorized at once: end only once
            return
        self._ended = True
        self._health_timer.stop()
        if self.live is not None:
            self.live.stop()
        self.recordings.shutdown()
        self.store.forget_token(self.session.base_url, self.session.username)
        tell()

    def closeEvent(self, event: QEvent) -> None:
        self._health_timer.stop()
        # A page hears no closeEvent of its own; both use the client until they stop.
        if self.live is not None:
            self.live.close()
        self.recordings.shutdown()
        self.client.close()
        super().closeEvent(event)
