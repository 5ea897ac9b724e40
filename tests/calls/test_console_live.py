"""The console's live view on a real call: Asterisk -> the monitor -> its event socket -> the
API -> the WebSocket -> the view's thread -> the UI thread -> the model and the screen."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from paivystys.appliance.api.tls import CERT_FILE, fingerprint
from paivystys.appliance.db.models import Call, User
from paivystys.appliance.users.service import ROLE_ADMIN, create_user
from paivystys.gui.live.model import ENDED, LEG_RINGING, TALKING
from paivystys.gui.live.view import LiveView
from paivystys.gui.net.client import ApplianceClient
from paivystys.gui.net.worker import UiThreadCollector, finish_background_calls
from paivystys.gui.tests.screenshots import screenshot

USERNAME = "valvomo"
PASSWORD = "valvomo-salasana-1"


@pytest.fixture(scope="module")
def ui_thread_collector(qapp: QApplication) -> Iterator[UiThreadCollector]:
    """As the console's main() does: Python collects cycles on the UI thread only."""
    collector = UiThreadCollector()
    yield collector
    finish_background_calls()
    collector.stop()


@pytest.fixture
def live_view(lab, qtbot: QtBot, ui_thread_collector: UiThreadCollector) -> Iterator[LiveView]:
    """An admin's live view of the lab's appliance, pinned to its certificate."""
    if not User.select().where(User.username == USERNAME).exists():
        create_user(USERNAME, PASSWORD, ROLE_ADMIN)
    pin = fingerprint((lab.state_dir / "tls" / CERT_FILE).read_bytes())
    client = ApplianceClient(lab.api_url, pin)
    client.login(USERNAME, PASSWORD)
    view = LiveView(client)
    qtbot.addWidget(view)
    view.resize(1000, 260)
    view.show()
    qtbot.waitExposed(view)
    yield view
    view.close()
    client.close()


def test_the_live_view_shows_a_real_call_from_the_asterisk_harness_going_from_ringing_to_bridged(
        lab, scenario, handsets, call, live_view: LiveView, qtbot: QtBot,
        tmp_path: Path) -> None:
    scenario.group("Valvomo", "Näkyvä Niina", "Hiljainen Heikki")
    handsets.set(scenario.people["Näkyvä Niina"], "human", answer_after=2, confirm_after=1,
                 talk=3)
    handsets.set(scenario.people["Hiljainen Heikki"], "no-answer")
    qtbot.waitUntil(lambda: live_view.connection_label.text().startswith("Connected"),
                    timeout=15_000)
    model = live_view.model
    # Every state the model went through, as it went through it (the phases are seconds long,
    # but a poll could still fall between two of them).
    seen: list[tuple[str, str | None, tuple[tuple[str, str], ...]]] = []

    def remember() -> None:
        for live in model.calls:
            seen.append((live.state, live.answered_by,
                         tuple((leg.person, leg.state) for leg in live.legs)))

    model.dataChanged.connect(remember)
    model.rowsInserted.connect(remember)

    placed: dict[str, Any] = {}

    def place() -> None:  # a plain thread: it blocks for the whole call and touches no Qt
        try:
            placed["row"] = call(scenario.number)
        except Exception as error:
            placed["error"] = error
        finally:
            Call._meta.database.close()  # this thread's SQLite connection

    placer = threading.Thread(target=place, name="caller", daemon=True)
    placer.start()

    qtbot.waitUntil(lambda: any(leg.person == "Näkyvä Niina" and leg.state == LEG_RINGING
                                for live in model.calls for leg in live.legs), timeout=15_000)
    ringing = model.calls[0]
    assert ringing.caller and ringing.number == scenario.number
    assert model.data(model.index(0, 3)) == "ringing"
    # The number was made after the view connected: its name is asked for at its first call.
    qtbot.waitUntil(lambda: model.data(model.index(0, 0)) == f"Testinumero {scenario.number[-4:]}")
    assert "Näkyvä Niina: ringing" in model.legs_text(ringing)

    qtbot.waitUntil(lambda: bool(model.calls) and model.calls[0].state == TALKING,
                    timeout=20_000)
    talking = model.calls[0]
    assert talking.answered_by == "Näkyvä Niina"
    assert model.data(model.index(0, 4)) == "Näkyvä Niina"
    assert "Näkyvä Niina: took the call" in model.legs_text(talking)
    qtbot.wait(1200)  # a second of talk on the clock, as a person would see it
    screenshot(live_view, "live-view", tmp_path)

    qtbot.waitUntil(lambda: not model.calls, timeout=30_000)  # ended, lingered, gone
    placer.join(timeout=30)
    assert "error" not in placed, placed.get("error")
    assert placed["row"]["answered_by"] == "Näkyvä Niina"

    states = [state for state, _by, _legs in seen]
    assert states.index(TALKING) < states.index(ENDED), states
    _state, answered_by, legs = next(entry for entry in seen if entry[0] == ENDED)
    assert answered_by == "Näkyvä Niina"
    assert dict(legs) == {"Näkyvä Niina": "confirmed", "Hiljainen Heikki": "no_answer"}
