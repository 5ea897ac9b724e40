"""The call log against the real API: order, filters, server-side sorting, cursor paging,
legs, a person's own calls, and the CSV export."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt
from pytestqt.qtbot import QtBot

from paivystys.appliance.db.models import Call, Leg, Person
from paivystys.appliance.directory import Directory
from paivystys.gui.calllog.view import CallLogView
from paivystys.gui.net.client import ApplianceClient
from paivystys.gui.tests.conftest import ADMIN_PASSWORD, PERSON_PASSWORD, Appliance
from paivystys.gui.widgets.table import ITEM_ROLE

CALLS = 120
MAIJAS_CALLS = 10  # the newest ten rang Maija first
WAIT_COLUMN = 3


@pytest.fixture(scope="module")
def calls(appliance: Appliance) -> list[int]:
    """120 calls in the last two hours: every third missed, the rest answered by Pekka."""
    directory = Directory()
    number = directory.add_number("020 555 0100", "Huolto")
    pekka = directory.add_person("Pekka Varalla", "040 555 0222")
    maija = Person.get(Person.name == "Maija Konsoli")
    now = dt.datetime.now(dt.UTC)
    made = []
    for index in range(CALLS):
        arrived = now - dt.timedelta(minutes=index + 1)
        missed = index % 3 == 2
        call = Call.create(call_id=f"gui-{index}", number=number.id, dialled="+358205550100",
                           caller=f"+3584090{index:05d}", arrived_at=arrived,
                           outcome="missed" if missed else "answered",
                           answered_by=None if missed else pekka.id,
                           answered_by_name=None if missed else pekka.name,
                           wait_s=float((index * 7) % 50), talk_s=None if missed else 60.0)
        if index < MAIJAS_CALLS:
            Leg.create(call=call, person=maija.id, person_name=maija.name, phone=maija.phone,
                       group_name="Huoltoryhmä", stage="main", rung_at=arrived,
                       result="no_answer")
        Leg.create(call=call, person=pekka.id, person_name=pekka.name, phone=pekka.phone,
                   group_name="Huoltoryhmä", stage="backup",
                   rung_at=arrived + dt.timedelta(seconds=20),
                   answered_at=None if missed else arrived + dt.timedelta(seconds=25),
                   result="no_answer" if missed else "confirmed")
        made.append(call.id)
    return made


@pytest.fixture
def call_log(qtbot: QtBot, show: Callable[[CallLogView], CallLogView], calls: list[int],
             log_in: Callable[[str, str], ApplianceClient]) -> CallLogView:
    view = show(CallLogView(log_in("admin", ADMIN_PASSWORD), page_size=50))
    _wait_loaded(qtbot, view)
    return view


def _wait_loaded(qtbot: QtBot, view: CallLogView) -> None:
    qtbot.waitUntil(lambda: view.calls.pending == 0 and view.model.rowCount() > 0)


def _column(view: CallLogView, key: str) -> list:
    return [call[key] for call in view.model.rows]


def test_newest_first_with_the_total_and_pages_by_cursor(
        qtbot: QtBot, call_log: CallLogView, calls: list[int]) -> None:
    assert call_log.model.rowCount() == 50
    assert call_log.count_label.text() == "50 of 120 calls"
    assert _column(call_log, "id")[:3] == calls[:3]  # calls[0] arrived last
    for shown in (100, 120):
        assert call_log.more_button.isEnabled()
        qtbot.mouseClick(call_log.more_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda shown=shown: call_log.model.rowCount() == shown)
    assert _column(call_log, "id") == calls
    assert not call_log.more_button.isEnabled()
    assert call_log.count_label.text() == "120 of 120 calls"


def test_filters_by_outcome(qtbot: QtBot, call_log: CallLogView) -> None:
    call_log.outcome_box.setCurrentIndex(call_log.outcome_box.findData("missed"))
    qtbot.waitUntil(lambda: call_log.count_label.text() == "40 of 40 calls")
    assert set(_column(call_log, "outcome")) == {"missed"}
    assert call_log.model.index(0, 5).data() == "missed"
    assert not call_log.more_button.isEnabled()


@pytest.mark.parametrize("typed", ["withheld", " Withheld "])
def test_withheld_callers_are_found_by_the_word(qtbot: QtBot, call_log: CallLogView,
                                                typed: str) -> None:
    withheld = Call.create(call_id=f"gui-withheld-{typed.strip()}", dialled="+358205550100",
                           caller="", arrived_at=dt.datetime.now(dt.UTC), outcome="missed")
    try:
        call_log.caller_field.setText(typed)
        qtbot.waitUntil(lambda: call_log.count_label.text() == "1 of 1 calls")
        assert _column(call_log, "id") == [withheld.id]
        assert call_log.model.index(0, 2).data() == "withheld number"
    finally:
        withheld.delete_instance()
        call_log.caller_field.clear()


def test_sorts_by_wait_on_the_server(qtbot: QtBot, call_log: CallLogView) -> None:
    header = call_log.table.horizontalHeader()
    header.sectionClicked.emit(WAIT_COLUMN)
    qtbot.waitUntil(lambda: call_log.sort == "wait_s" and call_log.calls.pending == 0)
    waits = _column(call_log, "wait_s")
    assert waits == sorted(waits) and waits[0] == 0.0  # the shortest of all 120, not of 50
    header.sectionClicked.emit(WAIT_COLUMN)
    qtbot.waitUntil(lambda: call_log.sort == "-wait_s" and call_log.calls.pending == 0)
    waits = _column(call_log, "wait_s")
    assert waits == sorted(waits, reverse=True) and waits[0] == 49.0
    assert header.sortIndicatorSection() == WAIT_COLUMN


def test_the_chosen_calls_legs_are_shown(qtbot: QtBot, call_log: CallLogView) -> None:
    call_log.table.selectRow(0)
    legs = call_log.legs_model
    assert legs.rowCount() == 2
    assert [legs.index(row, 0).data() for row in range(2)] == ["Maija Konsoli", "Pekka Varalla"]
    assert legs.index(0, 3).data() == "no answer"
    assert legs.index(1, 2).data() == "backup"
    assert legs.index(1, 3).data() == "took the call"
    assert legs.index(1, 5).data()  # answered at, in local time
    assert call_log.table.model().index(0, 0).data(ITEM_ROLE)["legs"][1]["person"] == (
        "Pekka Varalla")


def test_finnish_writes_numbers_times_and_durations_the_finnish_way(
        qtbot: QtBot, show: Callable[[CallLogView], CallLogView], calls: list[int],
        log_in: Callable[[str, str], ApplianceClient]) -> None:
    finnish = QLocale(QLocale.Language.Finnish, QLocale.Country.Finland)
    view = show(CallLogView(log_in("admin", ADMIN_PASSWORD), page_size=50, locale=finnish))
    _wait_loaded(qtbot, view)
    row = [view.model.index(1, column).data() for column in range(view.model.columnCount())]
    assert row[2] == "040 900 0001"  # +358409000001
    assert row[WAIT_COLUMN] == "7 s" and row[4] == "1 min 0 s"
    assert re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4} \d{1,2}\.\d{2}", row[0])
    assert view.model.index(1, 1).data(Qt.ItemDataRole.ToolTipRole) == "020 555 0100"
    view.table.selectRow(1)
    legs = view.legs_model
    assert legs.index(1, 6).data() == "040 555 0222"
    assert re.fullmatch(r"\d{1,2}\.\d{2}\.\d{2}", legs.index(1, 4).data())


def test_a_person_sees_only_their_calls(
        qtbot: QtBot, show: Callable[[CallLogView], CallLogView], calls: list[int],
        log_in: Callable[[str, str], ApplianceClient]) -> None:
    view = show(CallLogView(log_in("maija", PERSON_PASSWORD), page_size=50))
    _wait_loaded(qtbot, view)
    assert _column(view, "id") == calls[:MAIJAS_CALLS]
    assert view.count_label.text() == "10 of 10 calls"


def test_csv_export_writes_the_filtered_calls(
        qtbot: QtBot, call_log: CallLogView, tmp_path: Path) -> None:
    call_log.outcome_box.setCurrentIndex(call_log.outcome_box.findData("missed"))
    qtbot.waitUntil(lambda: call_log.count_label.text() == "40 of 40 calls")
    target = tmp_path / "puhelut.csv"
    call_log.export_to(target)
    qtbot.waitUntil(lambda: call_log.export_button.isEnabled() and target.exists())
    assert call_log.status.text() == f"Saved {target}"
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    assert "caller" in lines[0].lower()
    assert len(lines) == 1 + 40


def test_refresh_and_coming_back_show_the_newest_calls(
        qtbot: QtBot, call_log: CallLogView, monkeypatch: pytest.MonkeyPatch) -> None:
    newest = Call.create(call_id="gui-newest", dialled="+358205550100",
                         caller="+358409999999", arrived_at=dt.datetime.now(dt.UTC),
                         outcome="abandoned", wait_s=3.0)
    try:
        qtbot.mouseClick(call_log.refresh_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: call_log.model.rows[0]["id"] == newest.id)
        assert call_log.count_label.text() == "50 of 121 calls"
    finally:
        newest.delete_instance()

    monkeypatch.setattr("paivystys.gui.calllog.view.STALE_AFTER_S", 0.0)
    call_log.hide()  # another page chosen in the main window, then the log again
    call_log.show()
    qtbot.waitUntil(lambda: call_log.model.rows[0]["id"] != newest.id)
    assert call_log.count_label.text() == "50 of 120 calls"

    qtbot.mouseClick(call_log.more_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: call_log.model.rowCount() == 100)
    call_log.hide()
    call_log.show()  # paged on with "More": coming back keeps the user's place
    assert call_log.calls.pending == 0 and call_log.model.rowCount() == 100
