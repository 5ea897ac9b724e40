"""Until the main window exists: proof of a working login, from the appliance's own answer.

Shows `/api/me` as the appliance gives it (username, role, a person's duty), fetched in the
background like every call; the manage, live-view and call-log screens replace it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from paivystys.gui.connect.dialogs import error_label, heading_label
from paivystys.gui.connect.messages import describe
from paivystys.gui.net.client import ApiFailure, ApplianceClient, FailureKind, Session
from paivystys.gui.net.worker import BackgroundCalls


class SessionWindow(QWidget):
    """Emits `log_in_again` when the session has ended (token expired or revoked)."""

    log_in_again = Signal()

    def __init__(self, session: Session, appliance_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.client = ApplianceClient.for_session(session)
        self.calls = BackgroundCalls(self)
        self.setWindowTitle(self.tr("Päivystysvaihde – {name}").format(name=appliance_name))
        self.resize(480, 260)

        self.username_value = QLabel("…")
        self.username_value.setObjectName("username")
        self.role_value = QLabel("…")
        self.role_value.setObjectName("role")
        self.duty_value = QLabel("…")
        self.duty_value.setObjectName("duty")
        self.error = error_label()
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        self.log_in_button = QPushButton(self.tr("Log in again"))
        self.log_in_button.setVisible(False)
        self.log_in_button.clicked.connect(self.log_in_again.emit)

        form = QFormLayout()
        form.setVerticalSpacing(8)
        form.addRow(self.tr("User:"), self.username_value)
        form.addRow(self.tr("Role:"), self.role_value)
        self.duty_caption = QLabel(self.tr("On duty:"))
        form.addRow(self.duty_caption, self.duty_value)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(heading_label(self.tr("Connected to {name}").format(
            name=appliance_name)))
        address = QLabel(session.base_url)
        address.setStyleSheet("QLabel { color: palette(dark); }")
        layout.addWidget(address)
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(self.refresh_button)
        layout.addWidget(self.log_in_button)
        self.refresh()

    def refresh(self) -> None:
        self.refresh_button.setEnabled(False)
        self.calls.run(lambda: self.client.get("/api/me"), self._show_me, self._failed)

    def _show_me(self, me: dict) -> None:
        self.refresh_button.setEnabled(True)
        self.error.setVisible(False)
        self.username_value.setText(me["username"])
        self.role_value.setText(self.tr("admin") if me["role"] == "admin"
                                else self.tr("on-call person"))
        is_person = me.get("on_duty") is not None
        self.duty_caption.setVisible(is_person)
        self.duty_value.setVisible(is_person)
        if is_person:
            self.duty_value.setText(self.tr("{name}: on duty").format(name=me["person_name"])
                                    if me["on_duty"] else
                                    self.tr("{name}: off duty").format(name=me["person_name"]))

    def _failed(self, failure: ApiFailure) -> None:
        self.refresh_button.setEnabled(True)
        self.error.setText(describe(failure))
        self.error.setVisible(True)
        self.log_in_button.setVisible(failure.kind in (FailureKind.UNAUTHORIZED,
                                                       FailureKind.TLS_MISMATCH))

    def closeEvent(self, event: QEvent) -> None:
        self.client.close()
        super().closeEvent(event)
