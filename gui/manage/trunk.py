"""The SIP trunk to the operator.  Its password is write-only: the appliance says only
whether one is stored, and an empty password field keeps it.  Any operator: a registration, an
IP-authenticated trunk or a GSM gateway on the office network; how it sends keys; the on-call
number for calls that name none; the office router's public address (NAT)."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from paivystys.gui.manage.page import ManagePage, heading
from paivystys.gui.net.client import ApiFailure, ApplianceClient, FailureKind
from paivystys.gui.net.worker import BackgroundCalls
from paivystys.gui.widgets.fields import FieldForm, hint_label

MODE_IP = "ip"
MODE_REGISTRATION = "registration"
MODE_GATEWAY = "gateway"
FORM_WIDTH = 620


class TrunkPage(ManagePage):
    def __init__(self, client: ApplianceClient, calls: BackgroundCalls,
                 parent: QWidget | None = None) -> None:
        super().__init__(client, calls, parent)
        self.trunk: dict[str, Any] = {}
        self.summary = hint_label("")
        self.summary.setObjectName("trunkSummary")
        self.mode_box = QComboBox()
        self.mode_box.addItem(self.tr("By address: the operator knows this box's IP address"),
                              MODE_IP)
        self.mode_box.addItem(self.tr("Registration: with a user name and password"),
                              MODE_REGISTRATION)
        self.mode_box.addItem(self.tr("GSM gateway on the office network"), MODE_GATEWAY)
        self.mode_box.currentIndexChanged.connect(lambda _index: self._enable_account())
        self.host_field = QLineEdit()
        self.host_field.setPlaceholderText(self.tr("e.g. sip.operator.fi"))
        self.port_box = QSpinBox()
        self.port_box.setRange(1, 65535)
        self.port_box.setGroupSeparatorShown(False)
        self.port_box.setMinimumWidth(100)
        self.transport_box = QComboBox()
        self.transport_box.addItem("UDP", "udp")
        self.transport_box.addItem("TCP", "tcp")
        self.username_field = QLineEdit()
        self.password_field = QLineEdit()
        self.password_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.domain_field = QLineEdit()
        self.domain_field.setPlaceholderText(self.tr("the host above"))
        self.dtmf_box = QComboBox()
        self.dtmf_box.addItem(self.tr("RFC 4733 (the usual)"), "rfc4733")
        self.dtmf_box.addItem(self.tr("SIP INFO"), "info")
        self.dtmf_box.addItem(self.tr("Tones in the audio (in-band)"), "inband")
        self.dtmf_box.addItem(self.tr("Automatic: RFC 4733 if offered, else tones"), "auto")
        self.default_number_field = QLineEdit()
        self.default_number_field.setPlaceholderText(self.tr("none"))
        self.external_field = QLineEdit()
        self.external_field.setPlaceholderText(self.tr("none"))
        self.local_networks_field = QLineEdit()
        self.local_networks_field.setPlaceholderText(self.tr("e.g. 192.168.1.0/24"))
        self.form = FieldForm()
        self.form.setMaximumWidth(FORM_WIDTH)
        form = self.form
        form.add_row(self.tr("Connection:"), self.mode_box, "mode")
        form.add_row(self.tr("Host:"), self.host_field, "host")
        form.add_row(self.tr("Port:"), self.port_box, "port")
        form.add_row(self.tr("Transport:"), self.transport_box, "transport")
        form.add_row(self.tr("User name:"), self.username_field, "username")
        form.add_row(self.tr("Password:"), self.password_field, "password")
        form.add_row(self.tr("From domain:"), self.domain_field, "from_domain",
                     hint=self.tr("Only if the operator asks for one."))
        form.add_row(self.tr("Keys (DTMF):"), self.dtmf_box, "dtmf_mode",
                     hint=self.tr("With tones, a key counts only after the prompt."))
        form.add_row(self.tr("Default number:"), self.default_number_field, "default_number",
                     hint=self.tr("For calls that name none of the on-call numbers."))
        form.add_row(self.tr("External address:"), self.external_field, "external_address",
                     hint=self.tr("Only behind the office router (NAT): its public address "
                                  "or name."))
        form.add_row(self.tr("Local networks:"), self.local_networks_field, "local_networks",
                     hint=self.tr("The office networks: they are given the box's own address."))
        self.save_button = QPushButton(self.tr("Save and apply"))
        self.save_button.clicked.connect(self.save)
        self.reset_button = QPushButton(self.tr("Forget the trunk…"))
        self.reset_button.clicked.connect(self.forget)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reset_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        form.layout().addLayout(buttons)

        # The form is taller than a small window: it scrolls, the messages stay in view.
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(12, 12, 12, 12)
        holder_layout.addWidget(heading(self.tr("SIP trunk to the phone network")))
        holder_layout.addWidget(self.summary)
        holder_layout.addSpacing(8)
        holder_layout.addWidget(self.form)
        holder_layout.addStretch(1)
        scroll.setWidget(holder)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(self.message_row())
        self._enable_account()

    def _enable_account(self) -> None:
        registration = self.mode_box.currentData() == MODE_REGISTRATION
        for field in (self.username_field, self.password_field):
            field.setEnabled(registration)

    def reload(self) -> None:
        self.ask(lambda: self.client.get("/api/trunk"), self._show)

    def _show(self, trunk: dict[str, Any]) -> None:
        self.trunk = trunk
        self.form.clear_errors()
        self.mode_box.setCurrentIndex(max(self.mode_box.findData(trunk["mode"]), 0))
        self.host_field.setText(trunk["host"])
        self.port_box.setValue(trunk["port"])
        self.transport_box.setCurrentIndex(max(self.transport_box.findData(trunk["transport"]),
                                               0))
        self.username_field.setText(trunk.get("username") or "")
        self.domain_field.setText(trunk.get("from_domain") or "")
        self.dtmf_box.setCurrentIndex(max(self.dtmf_box.findData(trunk["dtmf_mode"]), 0))
        self.default_number_field.setText(trunk.get("default_number") or "")
        self.external_field.setText(trunk.get("external_address") or "")
        self.local_networks_field.setText(", ".join(trunk.get("local_networks") or []))
        self.password_field.clear()
        self.password_field.setPlaceholderText(
            self.tr("stored: type a new one only to replace it") if trunk["has_password"]
            else self.tr("the operator's password"))
        if trunk["configured"]:
            changed = QDateTime.fromString(trunk.get("updated_at") or "",
                                           Qt.DateFormat.ISODate)
            self.summary.setText(self.tr("Set up; last changed {time}.").format(
                time=changed.toLocalTime().toString("yyyy-MM-dd HH:mm")) if changed.isValid()
                else self.tr("Set up."))
        else:
            self.summary.setText(self.tr(
                "Not set up: the switchboard uses the lab's test trunk, so calls from the phone "
                "network do not reach it yet. Enter what the operator gave you."))
        self.reset_button.setEnabled(bool(trunk["configured"]))

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"mode": self.mode_box.currentData(),
                                "host": self.host_field.text().strip(),
                                "port": self.port_box.value(),
                                "transport": self.transport_box.currentData(),
                                "from_domain": self.domain_field.text().strip() or None,
                                "dtmf_mode": self.dtmf_box.currentData(),
                                # empty: none (the appliance keeps a field only when absent)
                                "default_number": self.default_number_field.text().strip(),
                                "external_address": self.external_field.text().strip(),
                                "local_networks": [network for network in re.split(
                                    r"[,\s]+", self.local_networks_field.text()) if network]}
        if body["mode"] == MODE_REGISTRATION:
            body["username"] = self.username_field.text().strip()
            if self.password_field.text():  # empty: keep the stored one
                body["password"] = self.password_field.text()
        return body

    def save(self) -> None:
        body = self.body()
        self.form.clear_errors()
        self.save_button.setEnabled(False)
        self.calls.run(lambda: self.client.put("/api/trunk", body), self._saved, self._refused)

    def _saved(self, trunk: dict[str, Any]) -> None:
        self.save_button.setEnabled(True)
        self.say(self.tr("Trunk saved and applied."))
        self._show(trunk)

    def _refused(self, failure: ApiFailure) -> None:
        self.save_button.setEnabled(True)
        if failure.kind is FailureKind.INVALID and failure.field:
            self.say("")
            self.form.show_failure(failure)
        else:
            self.failed(failure)

    def forget(self) -> None:
        self.confirm(self.tr("Forget the trunk"),
                     self.tr("Forget the trunk to {host}?").format(host=self.trunk["host"]),
                     [self.tr("Calls from the phone network stop reaching the switchboard."),
                      self.tr("The stored password is deleted.")],
                     self.tr("Forget trunk"),
                     lambda: self.change(lambda: self.client.delete("/api/trunk"),
                                         self.tr("The trunk is forgotten.")))
