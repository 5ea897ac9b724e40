"""Manage, Modem: the modem's health and what the SIM waits for, said with what to do; the
SIM PIN stored from the console, never shown back, a refused one at its field.  Against the
real API server; the modem service's reports are written into its database as the service
writes them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from paivystys.appliance.changes import Changes
from paivystys.appliance.db.models import ModemHealth, Setting, utcnow
from paivystys.appliance.sms import sim_pin
from paivystys.appliance.sms.sim_pin import SimReport
from paivystys.gui.main.window import HealthStrip
from paivystys.gui.manage.modem import REFRESH_MS
from paivystys.gui.manage.view import ManageView
from paivystys.gui.net.client import ApplianceClient
from paivystys.gui.tests.conftest import ADMIN_PASSWORD, Appliance, screenshot


def modem_reports(sim: SimReport | None, registered: bool = False) -> None:
    """What the modem service writes: the modem's health row and the SIM's report."""
    ModemHealth.insert(id=1, device="/dev/paivystys-modem", connected=True,
                       registered=registered, operator="SimTel" if registered else None,
                       signal=20 if registered else None, updated_at=utcnow()
                       ).on_conflict_replace().execute()
    sim_pin.report_sim(sim)


@pytest.fixture
def manage(qtbot: QtBot, appliance: Appliance, show: Callable[[ManageView], ManageView],
           log_in: Callable[[str, str], ApplianceClient]) -> Iterator[ManageView]:
    modem_reports(SimReport(sim_pin.SIM_PIN_NEEDED, 3))
    view = ManageView(log_in("admin", ADMIN_PASSWORD))
    view.resize(1000, 560)
    show(view)
    view.tabs.setCurrentWidget(view.modem)
    qtbot.waitUntil(lambda: view.calls.pending == 0 and bool(view.modem.modem))
    yield view
    ModemHealth.delete().execute()
    sim_pin.report_sim(None)
    Setting.delete().where(Setting.key.in_(sim_pin.KEYS)).execute()


def _settle(qtbot: QtBot, view: ManageView) -> None:
    qtbot.waitUntil(lambda: view.calls.pending == 0)


def test_a_sim_waiting_for_its_pin_gets_it_from_the_console(
        qtbot: QtBot, manage: ManageView, tmp_path: Path) -> None:
    page = manage.modem
    assert page.sim_state.text() == ("Waits for its PIN (tries left: 3), and none is stored. "
                                     "Enter it below.")
    assert "b00020" in page.sim_state.styleSheet()  # red: someone has to act
    assert page.modem_state.text() == "Answers; waits for its SIM card."
    assert page.pin_field.placeholderText() == "4 to 8 digits"
    assert not page.clear_button.isEnabled()

    page.pin_field.setText("12a4")
    page.store_button.click()
    _settle(qtbot, manage)
    assert page.form.error_text("pin") == "The SIM's PIN is 4 to 8 digits (0-9), nothing else."
    assert sim_pin.pin_status().has_pin is False
    screenshot(manage, "manage-modem-refused", tmp_path)

    page.pin_field.setText("2468")
    page.store_button.click()
    _settle(qtbot, manage)
    assert page.form.error_text("pin") is None
    assert page.status.text() == "PIN stored. The modem enters it when the SIM asks for it."
    assert page.pin_field.text() == ""  # never shown back
    assert page.pin_field.placeholderText() == "stored: type a new one only to replace it"
    assert sim_pin.pin_to_enter(None).pin == "2468"

    # The modem service enters it; the page, still shown, sees the SIM open.
    modem_reports(SimReport(sim_pin.SIM_READY, None), registered=True)
    qtbot.waitUntil(lambda: page.sim_state.text() == "Open.", timeout=REFRESH_MS * 3)
    assert page.modem_state.text() == "Registered to SimTel, signal 65 %."
    assert page.sim_state.styleSheet() == ""
    screenshot(manage, "manage-modem", tmp_path)


def test_a_refused_pin_is_said_and_cannot_be_stored_again(
        qtbot: QtBot, manage: ManageView) -> None:
    page = manage.modem
    sim_pin.set_pin("0000", Changes("toimisto", apply=lambda: None))
    sim_pin.record_refused("0000")
    modem_reports(SimReport(sim_pin.SIM_PIN_REFUSED, 2))
    qtbot.waitUntil(lambda: page.sim_state.text().startswith("Refused"), timeout=REFRESH_MS * 3)
    assert page.sim_state.text() == ("Refused the stored PIN (tries left: 2). It is not entered "
                                     "again: enter the right PIN below.")
    page.pin_field.setText("0000")
    page.store_button.click()
    _settle(qtbot, manage)
    assert "would use up another of its three tries" in (page.form.error_text("pin") or "")

    page.clear_button.click()
    box = page.confirmation
    assert box is not None and box.isVisible()
    next(button for button in box.buttons()
         if box.buttonRole(button) == QMessageBox.ButtonRole.DestructiveRole).click()
    qtbot.waitUntil(lambda: page.confirmation is None)
    _settle(qtbot, manage)
    assert page.status.text() == "The SIM PIN is cleared."
    assert sim_pin.pin_status() == sim_pin.PinStatus(has_pin=False, refused=False)
    assert not page.clear_button.isEnabled()


def test_an_empty_field_stores_nothing(qtbot: QtBot, manage: ManageView) -> None:
    page = manage.modem
    page.store_button.click()
    assert page.form.error_text("pin") == "Type the SIM's PIN first."
    assert manage.calls.pending == 0


def test_a_sim_locked_behind_its_puk_says_what_to_do(qtbot: QtBot, manage: ManageView) -> None:
    page = manage.modem
    modem_reports(SimReport(sim_pin.SIM_PUK_NEEDED, 10))
    qtbot.waitUntil(lambda: page.sim_state.text().startswith("Locked"), timeout=REFRESH_MS * 3)
    assert "with the PUK from the SIM card's papers" in page.sim_state.text()


def test_the_health_strip_points_to_the_modem_page(qtbot: QtBot) -> None:
    strip = HealthStrip()
    qtbot.addWidget(strip)
    strip.show()
    waits = {"ok": False, "state": "the SIM wants its PIN and none is stored", "signal": None,
             "sim": "pin_needed", "pin_attempts_left": 3}
    service = {"ok": True, "state": "running", "detail": None, "updated_at": None}
    strip.show_health({"asterisk": service, "trunk": service, "modem": waits,
                       "disk": {"ok": True, "free_bytes": 5e9, "total_bytes": 3e10,
                                "path": "/"}})
    assert strip.modem.text() == "Modem: the SIM needs attention (Manage, Modem)"
    assert strip.modem.toolTip() == waits["state"]
    assert "bold" in strip.modem.styleSheet()
