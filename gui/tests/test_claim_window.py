"""Claiming a switchboard that nobody has set up, from the connect window, against the real
API process: the set-up code, the certificate fingerprint beside it, the first admin."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from paivystys.appliance.db.database import open_database
from paivystys.appliance.users import claim
from paivystys.gui.appliances.store import ApplianceStore
from paivystys.gui.connect.dialogs import FingerprintDialog, grouped_fingerprint
from paivystys.gui.connect.window import ConnectWindow
from paivystys.gui.net.client import ApplianceClient, Session
from paivystys.gui.tests.conftest import Appliance, run_api, screenshot

PASSWORD = "toimiston-salasana-9"


@pytest.fixture
def unclaimed(tmp_path: Path) -> Iterator[Appliance]:
    """A switchboard fresh from its first start: no admin, a set-up code on its screen."""
    database = open_database(tmp_path / "paivystys.db")
    recordings = tmp_path / "recordings"
    recordings.mkdir()
    yield from run_api(tmp_path / "paivystys.db", tmp_path / "tls", recordings)
    database.close()


@pytest.fixture
def window(show: Callable[[ConnectWindow], ConnectWindow],
           store: ApplianceStore) -> ConnectWindow:
    return show(ConnectWindow(store))


def _code(appliance: Appliance) -> str:
    """The set-up code as the box shows it."""
    code = claim.kept_code(appliance.state_dir)
    assert code is not None
    return code


def _to_claim_page(qtbot: QtBot, window: ConnectWindow, appliance: Appliance) -> None:
    window.address_field.setText(appliance.url)
    qtbot.mouseClick(window.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.claim_page)


def _fill(window: ConnectWindow, code: str, username: str, password: str,
          again: str | None = None) -> None:
    window.code_field.setText(code)
    window.admin_name_field.setText(username)
    window.admin_password_field.setText(password)
    window.admin_password_again_field.setText(password if again is None else again)


def _is_claimed(appliance: Appliance) -> bool:
    with ApplianceClient(appliance.url, appliance.fingerprint) as client:
        return client.is_claimed()


def test_the_claim_form_claims_a_real_switchboard_and_lands_logged_in(
        qtbot: QtBot, window: ConnectWindow, store: ApplianceStore, unclaimed: Appliance,
        tmp_path: Path) -> None:
    window.address_field.setText(unclaimed.url)
    qtbot.mouseClick(window.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(FingerprintDialog)))
    dialog = next(d for d in window.findChildren(FingerprintDialog) if d.isVisible())
    qtbot.mouseClick(dialog.trust_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.claim_page)
    # Beside the code: the fingerprint of the certificate this console is talking to.
    assert window.claim_fingerprint.text() == grouped_fingerprint(unclaimed.fingerprint)

    _fill(window, _code(unclaimed).lower(), "Toimisto", PASSWORD, again=PASSWORD + "x")
    qtbot.mouseClick(window.claim_button, Qt.MouseButton.LeftButton)
    assert "differ" in window.claim_form.error_text("password_again")
    assert window.calls.pending == 0 and not _is_claimed(unclaimed)  # nothing was sent
    screenshot(window, "claim-form", tmp_path)

    window.admin_password_again_field.setText(PASSWORD)
    with qtbot.waitSignal(window.logged_in, timeout=15_000) as logged_in:
        qtbot.mouseClick(window.claim_button, Qt.MouseButton.LeftButton)
    session: Session = logged_in.args[0]
    assert (session.username, session.role) == ("toimisto", "admin")
    assert store.find(unclaimed.url).last_username == "toimisto"
    assert window.admin_password_field.text() == window.admin_password_again_field.text() == ""
    assert _is_claimed(unclaimed)
    with ApplianceClient.for_session(session) as admin:  # the session is the admin's
        assert admin.get("/api/me")["role"] == "admin"


def test_a_wrong_code_is_shown_under_the_code_field(
        qtbot: QtBot, window: ConnectWindow, store: ApplianceStore,
        unclaimed: Appliance) -> None:
    store.pin("Uusi vaihde", unclaimed.url, unclaimed.fingerprint)
    _to_claim_page(qtbot, window, unclaimed)
    assert window.claim_heading.text() == "Claim Uusi vaihde"
    wrong = "ABCD-EFGH-JKMN-PQRS" if _code(unclaimed) != "ABCD-EFGH-JKMN-PQRS" else "0" * 16
    _fill(window, wrong, "toimisto", PASSWORD)
    qtbot.mouseClick(window.claim_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.claim_form.error_text("code") is not None)
    assert "not this switchboard's set-up code" in window.claim_form.error_text("code")
    assert window.claim_form.error_text("password") is None

    # The right code, a password the appliance refuses: its reason under the password.
    _fill(window, _code(unclaimed), "toimisto", "salasana123")
    qtbot.mouseClick(window.claim_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.claim_form.error_text("password") is not None)
    assert "easy to guess" in window.claim_form.error_text("password")
    assert window.claim_form.error_text("code") is None
    assert not _is_claimed(unclaimed)

