"""The switchboard's network setting: DHCP or a static address, moved to with care.

A new setting is tried before it is kept.  The switchboard answers at its new address (and
still at its present one) until an admin confirms the change *through the new address*; if
nobody does within the trial's time, it goes back by itself.  So after "Apply" this page asks
the switchboard (at its present address) where it answers now, connects to that address with
the same pinned certificate and login, and confirms there; once the switchboard keeps the
setting, the console moves to the new address (`moved(url)`).  A console that cannot reach the
new address keeps trying until the trial's time is over and says so; "Go back now" ends the
trial at once.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from paivystys.gui.manage.page import ManagePage, heading
from paivystys.gui.net.address import ApplianceAddress, parse_address
from paivystys.gui.net.client import ApiFailure, ApplianceClient, FailureKind
from paivystys.gui.net.worker import BackgroundCalls
from paivystys.gui.widgets.fields import FieldForm

FORM_WIDTH = 620
FOLLOW_MS = 1_000
MODE_DHCP, MODE_STATIC = "dhcp", "static"
WARNING_STYLE = "QLabel { color: #b00020; font-weight: bold; }"
# The states in which the switchboard is done with a change: nothing more to follow.
SETTLED = ("applied", "reverted", "failed", "not_applied")


class NetworkPage(ManagePage):
    """Emits `moved(url)` once the switchboard keeps a setting that moved it to `url`."""

    moved = Signal(str)

    def __init__(self, client: ApplianceClient, calls: BackgroundCalls,
                 parent: QWidget | None = None) -> None:
        super().__init__(client, calls, parent)
        self.network: dict[str, Any] = {}
        # The change this console follows: its request, the address it confirms through,
        # and whether the switchboard has taken the confirmation.
        self.following: str | None = None
        self.target: ApplianceAddress | None = None
        self.target_client: ApplianceClient | None = None
        self.confirmed = False
        self.going_back = False
        self._asking = False

        self.in_use = QLabel("…")
        self.in_use.setObjectName("networkInUse")
        self.in_use.setWordWrap(True)
        self.state = QLabel("…")
        self.state.setObjectName("networkState")
        self.state.setWordWrap(True)
        states = QFormLayout()
        states.setHorizontalSpacing(14)
        states.addRow(self.tr("In use:"), self.in_use)
        states.addRow(self.tr("State:"), self.state)

        self.trial = QLabel()
        self.trial.setObjectName("networkTrial")
        self.trial.setWordWrap(True)
        self.trial.setStyleSheet(WARNING_STYLE)
        self.confirm_button = QPushButton(self.tr("Confirm through the new address"))
        self.confirm_button.clicked.connect(lambda: self.follow_trial())
        self.back_button = QPushButton(self.tr("Go back now"))
        self.back_button.clicked.connect(self.go_back)
        trial_buttons = QHBoxLayout()
        trial_buttons.addStretch(1)
        trial_buttons.addWidget(self.back_button)
        trial_buttons.addWidget(self.confirm_button)
        self.trial_box = QWidget()
        trial_layout = QVBoxLayout(self.trial_box)
        trial_layout.setContentsMargins(0, 0, 0, 0)
        trial_layout.addWidget(self.trial)
        trial_layout.addLayout(trial_buttons)
        self.trial_box.setVisible(False)

        self.mode_box = QComboBox()
        self.mode_box.addItem(self.tr("From the office network's DHCP server"), MODE_DHCP)
        self.mode_box.addItem(self.tr("Static: the address below"), MODE_STATIC)
        self.mode_box.currentIndexChanged.connect(lambda _index: self._enable_static())
        self.address_field = QLineEdit()
        self.address_field.setPlaceholderText(self.tr("e.g. 192.168.1.50/24"))
        self.gateway_field = QLineEdit()
        self.gateway_field.setPlaceholderText(self.tr("e.g. 192.168.1.1"))
        self.dns_field = QLineEdit()
        self.dns_field.setPlaceholderText(self.tr("e.g. 192.168.1.1"))
        self.form = FieldForm()
        self.form.setMaximumWidth(FORM_WIDTH)
        self.form.add_row(self.tr("Address from:"), self.mode_box, "mode")
        self.form.add_row(self.tr("Address:"), self.address_field, "address", hint=self.tr(
            "The switchboard's IPv4 address and its network's prefix length (/24 is the "
            "netmask 255.255.255.0)."))
        self.form.add_row(self.tr("Gateway:"), self.gateway_field, "gateway",
                          hint=self.tr("The office router, on the same network."))
        self.form.add_row(self.tr("DNS servers:"), self.dns_field, "dns",
                          hint=self.tr("One or two, separated by a comma (often the router)."))
        self.apply_button = QPushButton(self.tr("Apply…"))
        self.apply_button.setDefault(True)
        self.apply_button.clicked.connect(self.apply)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.apply_button)
        self.form.layout().addLayout(buttons)

        holder = QVBoxLayout()
        holder.setContentsMargins(12, 12, 12, 12)
        holder.addWidget(heading(self.tr("Network")))
        holder.addLayout(states)
        holder.addSpacing(8)
        holder.addWidget(self.trial_box)
        holder.addSpacing(8)
        holder.addWidget(self.form)
        holder.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(holder, 1)
        layout.addLayout(self.message_row())
        self.follower = QTimer(self)
        self.follower.setInterval(FOLLOW_MS)
        self.follower.timeout.connect(self._follow)
        self._enable_static()

    # --- what the switchboard says ------------------------------------------------------

    def reload(self) -> None:
        self.ask(lambda: self.client.get("/api/network"), self._show)

    def _show(self, network: dict[str, Any]) -> None:
        first = not self.network
        self.network = network
        self.in_use.setText(self._setting_text(network["in_use"], network["interface"]))
        self.state.setText(self._state_text(network))
        bad = network["state"] in ("failed", "reverted", "not_applied")
        self.state.setStyleSheet(WARNING_STYLE if bad else "")
        on_trial = network["state"] == "pending"
        self.trial_box.setVisible(on_trial or self.following is not None)
        self.apply_button.setEnabled(not on_trial and self.following is None)
        if on_trial and self.following is None:
            self.trial.setText(self.tr(
                "A new setting is on trial: confirm it through its new address, or go back. "
                "Otherwise the switchboard goes back by itself in {seconds} s.").format(
                seconds=network["confirm_within_s"]))
        if first or (self.following is None and not on_trial):
            self._fill(network["setting"])

    def _fill(self, setting: dict[str, Any]) -> None:
        self.mode_box.setCurrentIndex(self.mode_box.findData(setting["mode"]))
        self.address_field.setText(setting.get("address") or "")
        self.gateway_field.setText(setting.get("gateway") or "")
        self.dns_field.setText(", ".join(setting.get("dns") or []))
        self._enable_static()

    def _setting_text(self, setting: dict[str, Any] | None, interface: str | None) -> str:
        if setting is None:
            return self.tr("Not known.")
        if setting["mode"] == MODE_DHCP:
            text = self.tr("An address from the office network's DHCP server")
        else:
            text = self.tr("{address}, gateway {gateway}, DNS {dns}").format(
                address=setting["address"], gateway=setting["gateway"],
                dns=", ".join(setting["dns"]))
        return self.tr("{setting} (port {interface})").format(setting=text, interface=interface) \
            if interface else text

    def _state_text(self, network: dict[str, Any]) -> str:
        state = network["state"]
        if state == "applied":
            return self.tr("Applied.")
        if state == "applying":
            return self.tr("Handed to the switchboard; it tries it in a moment.")
        if state == "pending":
            where = ", ".join(network["new_addresses"]) or self.tr("no address yet")
            return self.tr("On trial: the switchboard answers at {new} (and still at {old}); "
                           "it goes back by itself in {seconds} s unless confirmed.").format(
                new=where, old=", ".join(network["kept_addresses"]) or "–",
                seconds=network["confirm_within_s"])
        if state == "reverted":
            return self.tr("Given up: {reason}").format(reason=network["reason"])
        if state == "not_applied":
            return self.tr("Stored, not applied: {reason}").format(reason=network["reason"])
        return self.tr("Failed: {reason}").format(reason=network["reason"])

    def _enable_static(self) -> None:
        static = self.mode_box.currentData() == MODE_STATIC
        for field in (self.address_field, self.gateway_field, self.dns_field):
            field.setEnabled(static)

    # --- a change -------------------------------------------------------------------------

    def _body(self) -> dict[str, Any]:
        if self.mode_box.currentData() == MODE_DHCP:
            return {"mode": MODE_DHCP}
        servers = [part for part in re.split(r"[,\s]+", self.dns_field.text()) if part]
        return {"mode": MODE_STATIC, "address": self.address_field.text().strip(),
                "gateway": self.gateway_field.text().strip(), "dns": servers}

    def apply(self) -> None:
        """Ask first: the switchboard moves, and the console with it."""
        body = self._body()
        if body["mode"] == MODE_STATIC:
            where = body["address"].partition("/")[0] or "?"
            question = self.tr("The switchboard will move to the address {address}. The "
                               "console then connects to it there and confirms the "
                               "change.").format(address=where)
        else:
            question = self.tr("The switchboard will take its address from the office "
                               "network's DHCP server. The console then finds the new address, "
                               "connects to it there and confirms the change.")
        minutes = max(1, round(self.network.get("probation_s", 180) / 60))
        self.confirm(self.tr("Move the switchboard"), question, [
            self.tr("Until the change is confirmed, the switchboard also keeps its present "
                    "address."),
            self.tr("If the console cannot reach the switchboard at its new address within "
                    "{minutes} minutes, the switchboard goes back to its present setting by "
                    "itself.").format(minutes=minutes),
            self.tr("Other consoles must then connect to the new address."),
            self.tr("Calls in progress may be cut when the present address goes."),
        ], self.tr("Move the switchboard"), lambda: self._put(body))

    def _put(self, body: dict[str, Any]) -> None:
        self.form.clear_errors()
        self.apply_button.setEnabled(False)
        self.calls.run(lambda: self.client.put("/api/network", body), self._asked,
                       self._refused)

    def _refused(self, failure: ApiFailure) -> None:
        self.apply_button.setEnabled(True)
        if failure.kind is FailureKind.INVALID and failure.field:
            self.say("")
            self.form.show_failure(failure)
        else:
            self.failed(failure)

    def _asked(self, network: dict[str, Any]) -> None:
        self._show(network)
        if network["state"] in SETTLED:
            self.apply_button.setEnabled(True)
            self.say(self.tr("Applied: the switchboard already had this setting.")
                     if network["state"] == "applied" else "")
            return
        self.follow_trial(network["request_id"])

    def follow_trial(self, request_id: str | None = None) -> None:
        """Follow the change on trial to its end, confirming it through its new address."""
        self.following = request_id or self.network.get("request_id")
        self.target, self.target_client, self.confirmed = None, None, False
        self.going_back = False
        self.trial_box.setVisible(True)
        self.confirm_button.setEnabled(False)
        self.trial.setText(self.tr("Waiting for the switchboard to try the new setting…"))
        self.follower.start()
        self._follow()

    def _follow(self) -> None:
        if self._asking:  # the answer before is still on its way
            return
        self._asking = True
        # Before the confirmation the present address is sure to answer; after it, only the
        # new one is.
        client = self.target_client if self.confirmed and self.target_client else self.client
        self.calls.run(lambda: client.get("/api/network"), self._followed, self._unanswered)

    def _unanswered(self, failure: ApiFailure) -> None:
        self._asking = False
        if failure.kind is not FailureKind.UNREACHABLE:
            self._stop()
            self.failed(failure)

    def _followed(self, network: dict[str, Any]) -> None:
        self._asking = False
        if self.following is None:
            return
        self._show(network)
        if network["request_id"] != self.following and network["state"] != "applying":
            self._stop()
            self.say(self.tr("Another change was made meanwhile."))
            return
        if network["state"] in SETTLED:
            self._finish(network)
        elif (network["state"] == "pending" and network["new_addresses"]
              and not self.confirmed and not self.going_back):
            self._confirm(network)

    def _confirm(self, network: dict[str, Any]) -> None:
        present = parse_address(self.client.base_url)
        target = ApplianceAddress(network["new_addresses"][0], present.port)
        if target != self.target:
            if self.target_client is not None:
                self.target_client.close()
            self.target = target
            self.target_client = (self.client if target == present else
                                  ApplianceClient(target.url, self.client.fingerprint,
                                                  self.client.token))
        self.trial.setText(self.tr(
            "Connecting to the switchboard at its new address {address}… It goes back by "
            "itself in {seconds} s unless the console reaches it there.").format(
            address=target.host, seconds=network["confirm_within_s"]))
        self._asking = True
        client, body = self.target_client, {"request_id": self.following}
        self.calls.run(lambda: client.post("/api/network/confirm", body), self._confirmed,
                       self._not_confirmed)

    def _confirmed(self, _network: dict[str, Any]) -> None:
        self._asking = False
        self.confirmed = True
        self.trial.setText(self.tr("Confirmed at {address}; the switchboard is keeping the "
                                   "setting…").format(address=self.target.host))

    def _not_confirmed(self, failure: ApiFailure) -> None:
        self._asking = False
        if failure.kind is FailureKind.UNREACHABLE:
            return  # tried again on the next round, until the trial's time is over
        self._stop()
        self.failed(failure)

    def _finish(self, network: dict[str, Any]) -> None:
        target, moved = self.target, False
        if network["state"] == "applied" and target is not None:
            moved = target != parse_address(self.client.base_url)
            self.say(self.tr("The switchboard keeps the new setting and answers at "
                             "{address}.").format(address=target.host))
        elif network["state"] == "applied":
            self.say(self.tr("The switchboard keeps the new setting."))
        else:
            self.say("")
        self._stop()
        if moved and target is not None:
            self.moved.emit(target.url)

    def _stop(self) -> None:
        self.follower.stop()
        self.following = None
        if self.target_client is not None and self.target_client is not self.client:
            self.target_client.close()
        self.target, self.target_client, self.confirmed = None, None, False
        self.going_back = False
        self.trial_box.setVisible(self.network.get("state") == "pending")
        self.confirm_button.setEnabled(True)
        self.back_button.setEnabled(True)
        self.apply_button.setEnabled(self.network.get("state") != "pending")

    def go_back(self) -> None:
        """End the trial now, through the present address (kept during the trial), and
        follow it until the switchboard is back."""
        request_id = self.following or self.network.get("request_id")
        self._stop()
        self.back_button.setEnabled(False)

        def asked(_network: dict[str, Any]) -> None:
            self.following, self.going_back = request_id, True
            self.trial.setText(self.tr("Going back to the setting before…"))
            self.follower.start()

        def refused(failure: ApiFailure) -> None:
            self.back_button.setEnabled(True)
            self.failed(failure)

        self.calls.run(lambda: self.client.post("/api/network/revert",
                                                {"request_id": request_id}), asked, refused)
