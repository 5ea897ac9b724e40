"""The modem and its SIM: what the modem is doing, what the SIM waits for and what to do about
it, and the SIM's PIN.  The PIN is write-only: the appliance says only whether one is stored
(and whether the SIM refused it); an empty field changes nothing.

While the page is shown it asks again every few seconds, so that a PIN just stored is seen
to open the SIM (the modem service enters it within a second or two)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from paivystys.gui.manage.page import ManagePage, heading
from paivystys.gui.net.client import ApiFailure, ApplianceClient, FailureKind
from paivystys.gui.net.worker import BackgroundCalls
from paivystys.gui.widgets.fields import FieldForm

FORM_WIDTH = 620
REFRESH_MS = 3_000
CSQ_MAX = 31  # the modem reports signal as a CSQ rssi, 0..31
PIN_MAX_LENGTH = 8
BAD_STYLE = "QLabel { color: #b00020; font-weight: bold; }"


class ModemPage(ManagePage):
    def __init__(self, client: ApplianceClient, calls: BackgroundCalls,
                 parent: QWidget | None = None) -> None:
        super().__init__(client, calls, parent)
        self.modem: dict[str, Any] = {}
        self.modem_state = QLabel(self.tr("…"))
        self.modem_state.setObjectName("modemState")
        self.modem_state.setWordWrap(True)
        self.sim_state = QLabel(self.tr("…"))
        self.sim_state.setObjectName("simState")
        self.sim_state.setWordWrap(True)
        states = QFormLayout()
        states.setHorizontalSpacing(14)
        states.addRow(self.tr("Modem:"), self.modem_state)
        states.addRow(self.tr("SIM:"), self.sim_state)

        self.pin_field = QLineEdit()
        self.pin_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_field.setMaxLength(PIN_MAX_LENGTH)
        self.pin_field.setMinimumWidth(160)
        self.pin_field.returnPressed.connect(self.store)
        self.form = FieldForm()
        self.form.setMaximumWidth(FORM_WIDTH)
        self.form.add_row(self.tr("SIM PIN:"), self.pin_field, "pin", hint=self.tr(
            "Stored on the switchboard and never shown. The switchboard enters a PIN only "
            "once: a SIM gives three tries, then only its PUK opens it."))
        self.store_button = QPushButton(self.tr("Store PIN"))
        self.store_button.setDefault(True)
        self.store_button.clicked.connect(self.store)
        self.clear_button = QPushButton(self.tr("Clear stored PIN…"))
        self.clear_button.clicked.connect(self.clear)
        buttons = QHBoxLayout()
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        buttons.addWidget(self.store_button)
        self.form.layout().addLayout(buttons)

        holder = QVBoxLayout()
        holder.setContentsMargins(12, 12, 12, 12)
        holder.addWidget(heading(self.tr("Modem and SIM card")))
        holder.addLayout(states)
        holder.addSpacing(12)
        holder.addWidget(self.form)
        holder.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(holder, 1)
        layout.addLayout(self.message_row())
        self.refresh = QTimer(self)
        self.refresh.setInterval(REFRESH_MS)
        self.refresh.timeout.connect(self._refresh)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh.start()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.refresh.stop()

    def _refresh(self) -> None:
        if self.calls.pending == 0:  # the answer before is still on its way: skip this one
            self.reload()

    def reload(self) -> None:
        self.ask(lambda: self.client.get("/api/modem"), self._show)

    def _show(self, modem: dict[str, Any]) -> None:
        self.modem = modem
        health, pin = modem["health"], modem["sim_pin"]
        self.modem_state.setText(self._modem_text(health))
        sim_text, sim_bad = self._sim_text(health, pin)
        self.sim_state.setText(sim_text)
        self.sim_state.setStyleSheet(BAD_STYLE if sim_bad else "")
        self.pin_field.setPlaceholderText(
            self.tr("stored: type a new one only to replace it") if pin["has_pin"]
            else self.tr("4 to 8 digits"))
        self.clear_button.setEnabled(bool(pin["has_pin"]))

    def _modem_text(self, health: dict[str, Any]) -> str:
        if health.get("updated_at") is None:
            return self.tr("No report yet from the modem service.")
        if health["ok"] is None:  # a report too old to believe
            return self.tr("Not known: the modem service has stopped reporting.")
        if health["registered"]:
            signal = health.get("signal")
            strength = "" if signal is None else self.tr(", signal {percent} %").format(
                percent=round(100 * signal / CSQ_MAX))
            if health.get("operator"):
                return self.tr("Registered to {operator}{signal}.").format(
                    operator=health["operator"], signal=strength)
            return self.tr("Registered{signal}.").format(signal=strength)
        if health.get("sim") not in (None, "ready"):
            return self.tr("Answers; waits for its SIM card.")
        if health.get("sim") == "ready":
            return self.tr("Answers, but has no network: messages wait.")
        return self.tr("Does not answer: {reason}").format(
            reason=health.get("last_error") or self.tr("no modem found"))

    def _sim_text(self, health: dict[str, Any], pin: dict[str, Any]) -> tuple[str, bool]:
        """What the SIM waits for and what to do, and whether that is a problem."""
        state = health.get("sim")
        tries = health.get("pin_attempts_left")
        left = self.tr("tries left: {count}").format(count=tries) if tries is not None else ""
        if state == "ready":
            return self.tr("Open."), False
        if state == "pin_needed":
            return self.tr("Waits for its PIN{tries}, and none is stored. Enter it "
                           "below.").format(tries=f" ({left})" if left else ""), True
        if state == "pin_refused":
            return self.tr("Refused the stored PIN{tries}. It is not entered again: enter the "
                           "right PIN below.").format(tries=f" ({left})" if left else ""), True
        if state == "puk_needed":
            return self.tr("Locked after three wrong PINs. Unlock it in a phone with the PUK "
                           "from the SIM card's papers, put it back, then store its PIN "
                           "here."), True
        if state == "no_sim":
            return self.tr("There is no SIM card in the modem, or it does not make "
                           "contact."), True
        if state == "blocked":
            return self.tr("Blocked for good, or broken: ask the operator for a new SIM "
                           "card."), True
        if state == "locked":
            return self.tr("The modem wants another code than the SIM's PIN (it may be locked "
                           "to another operator)."), True
        if pin["refused"]:
            return self.tr("Not known now; it refused the stored PIN."), True
        return self.tr("Not known."), False

    def store(self) -> None:
        pin = self.pin_field.text()
        if not pin:  # nothing typed: the stored PIN stays
            self.form.show_field_error("pin", self.tr("Type the SIM's PIN first."))
            return
        self.form.clear_errors()
        self.store_button.setEnabled(False)
        self.calls.run(lambda: self.client.put("/api/modem/pin", {"pin": pin}), self._stored,
                       self._refused)

    def _stored(self, modem: dict[str, Any]) -> None:
        self.store_button.setEnabled(True)
        self.pin_field.clear()
        self.say(self.tr("PIN stored. The modem enters it when the SIM asks for it."))
        self._show(modem)

    def _refused(self, failure: ApiFailure) -> None:
        self.store_button.setEnabled(True)
        if failure.kind is FailureKind.INVALID and failure.field:
            self.say("")
            self.form.show_failure(failure)
        else:
            self.failed(failure)

    def clear(self) -> None:
        self.confirm(self.tr("Clear the SIM PIN"),
                     self.tr("Clear the SIM PIN stored on the switchboard?"),
                     [self.tr("The next time the SIM asks for its PIN (after a power cut or a "
                              "restart), text messages wait until a PIN is stored again.")],
                     self.tr("Clear PIN"),
                     lambda: self.change(lambda: self.client.delete("/api/modem/pin"),
                                         self.tr("The SIM PIN is cleared.")))
