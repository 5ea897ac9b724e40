"""Setting a PIN for the listening line: typed twice, hidden, sent once; the appliance keeps
only its hash, so nobody (an admin neither) can see it again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLineEdit, QWidget

from paivystys.gui.manage.forms import EditDialog
from paivystys.gui.net.client import ApplianceClient
from paivystys.gui.net.worker import BackgroundCalls

PIN_LENGTHS = "4–8"  # what the appliance accepts, said in the hint; the appliance checks


class PinDialog(EditDialog):
    """Set the PIN at `path` (PUT {"pin"}): a person's own (/api/me/pin) or, by an admin,
    anyone's (/api/people/{id}/pin).  The appliance's refusal is shown at the PIN."""

    def __init__(self, client: ApplianceClient, calls: BackgroundCalls, path: str, title: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(title, calls, parent)
        self.client = client
        self.path = path
        self.pin_field = QLineEdit()
        self.pin_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.again_field = QLineEdit()
        self.again_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.form.add_row(self.tr("New PIN:"), self.pin_field, "pin",
                          hint=self.tr("{lengths} digits, keyed on the phone after calling the "
                                       "listening number. Not shown again after saving.")
                          .format(lengths=PIN_LENGTHS))
        self.form.add_row(self.tr("PIN again:"), self.again_field, "pin_again")
        self.pin_field.setFocus()

    def request(self) -> Callable[[], Any] | None:
        pin = self.pin_field.text()
        if pin != self.again_field.text():
            self.form.show_field_error("pin_again", self.tr("The PINs differ: type the same "
                                                            "PIN twice."))
            self.fit_height()
            return None
        client, path = self.client, self.path
        return lambda: client.put(path, {"pin": pin})
