"""The listening line's calls against the real API: apart from the on-call calls, newest
first, who listened, how it ended, the recordings played or deleted; a person sees their
own only; paging by cursor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from paivystys.appliance.db.models import (
    Call,
    ListeningCall,
    ListeningEvent,
    ListeningNumber,
    Person,
)
from paivystys.gui.calllog.listening import ListeningLogView
from paivystys.gui.net.client import ApplianceClient
from paivystys.gui.tests.conftest import ADMIN_PASSWORD, PERSON_PASSWORD, Appliance, screenshot

ARRIVED = dt.datetime(2026, 12, 3, 14, 5, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def listening_calls(appliance: Appliance) -> dict[str, int]:
    """Maija listened (two recordings played, one deleted); a stranger was refused; Pekka,
    who has no PIN, was told so."""
    maija = Person.get(Person.name == "Maija Konsoli")
    pekka = Person.create(name="Pekka Kuuntelija", phone="+358405550333")
    line = ListeningNumber.create(number="+358205550199", name="Kuuntelu")
    first = Call.create(call_id="gui-recorded-1", dialled="+358205550100",
                        caller="+358401234567", arrived_at=ARRIVED - dt.timedelta(hours=2),
                        outcome="answered", answered_by=maija, recording="1.wav")
    second = Call.create(call_id="gui-recorded-2", dialled="+358205550100", caller="",
                         arrived_at=ARRIVED - dt.timedelta(hours=1), outcome="answered",
                         answered_by=maija, recording="2.wav")
    made = {}
    for minutes, (name, person, caller, outcome) in enumerate((
            ("maija", maija, "+358405550111", "listened"),
            ("stranger", None, "+358409999999", "refused"),
            ("pekka", pekka, "+358405550333", "no-pin"))):
        arrived = ARRIVED + dt.timedelta(minutes=minutes)
        made[name] = ListeningCall.create(
            call_id=f"gui-listening-{name}", number=line, dialled="+358205550199",
            caller=caller, arrived_at=arrived, ended_at=arrived + dt.timedelta(seconds=50),
            person=person, person_name=person.name if person else None, outcome=outcome).id
    for seconds, action, call in ((10, "played", second), (30, "deleted", second),
                                  (35, "played", first)):
        ListeningEvent.create(listening_call=made["maija"], action=action, call=call,
                              at=ARRIVED + dt.timedelta(seconds=seconds))
    return made


def _shown(qtbot: QtBot, show: Callable[[ListeningLogView], ListeningLogView],
           client: ApplianceClient, page_size: int = 100) -> ListeningLogView:
    view = ListeningLogView(client, page_size=page_size)
    view.resize(900, 560)
    show(view)
    qtbot.waitUntil(lambda: view.calls.pending == 0 and view.model.rowCount() > 0)
    return view


def _row(view: ListeningLogView, row: int) -> list[str]:
    return [view.model.index(row, column).data() for column in range(view.model.columnCount())]


def test_an_admin_sees_every_listening_call_and_what_it_played(
        qtbot: QtBot, show: Callable[[ListeningLogView], ListeningLogView],
        log_in: Callable[[str, str], ApplianceClient], listening_calls: dict[str, int],
        tmp_path: Path) -> None:
    view = _shown(qtbot, show, log_in("admin", ADMIN_PASSWORD))
    assert [call["id"] for call in view.model.rows] == [
        listening_calls["pekka"], listening_calls["stranger"], listening_calls["maija"]]
    assert view.count_label.text() == "3 of 3 calls"
    header = [view.model.headerData(column, Qt.Orientation.Horizontal)
              for column in range(view.model.columnCount())]
    assert header == ["Arrived", "Caller", "Who listened", "Outcome", "Recordings"]
    assert _row(view, 0)[1:] == ["+358 40 555 0333", "Pekka Kuuntelija (not let in)",
                                 "no PIN set", ""]
    assert _row(view, 1)[1:] == ["+358 40 999 9999", "not identified",
                                 "refused (PIN, lock or personal number)", ""]
    assert _row(view, 2)[1:] == ["+358 40 555 0111", "Maija Konsoli", "listened",
                                 "2 played, 1 deleted"]
    view.table.selectRow(2)
    events = view.events_model
    assert events.rowCount() == 3
    assert [events.index(row, 1).data() for row in range(3)] == ["played", "deleted", "played"]
    assert events.index(0, 2).data().endswith("from withheld number")
    assert events.index(2, 2).data().endswith("from +358 40 123 4567")
    screenshot(view, "listening-log", tmp_path)


def test_a_person_sees_only_their_own(
        qtbot: QtBot, show: Callable[[ListeningLogView], ListeningLogView],
        log_in: Callable[[str, str], ApplianceClient], listening_calls: dict[str, int]) -> None:
    view = _shown(qtbot, show, log_in("maija", PERSON_PASSWORD))
    assert [call["id"] for call in view.model.rows] == [listening_calls["maija"]]
    assert view.count_label.text() == "1 of 1 calls"


def test_pages_with_more(
        qtbot: QtBot, show: Callable[[ListeningLogView], ListeningLogView],
        log_in: Callable[[str, str], ApplianceClient], listening_calls: dict[str, int]) -> None:
    view = _shown(qtbot, show, log_in("admin", ADMIN_PASSWORD), page_size=2)
    assert view.model.rowCount() == 2 and view.count_label.text() == "2 of 3 calls"
    assert view.more_button.isEnabled()
    qtbot.mouseClick(view.more_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.model.rowCount() == 3)
    assert [call["id"] for call in view.model.rows][-1] == listening_calls["maija"]
    assert not view.more_button.isEnabled()
