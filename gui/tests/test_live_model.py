"""The live view's model fed with the events of a real call, as the appliance sent them.

`REAL_CALL` is what tests/calls/test_console_live.py's call (Niina answers after 2 s and
presses 1, Heikki never answers) delivered over the WebSocket, copied verbatim (the types
under their wire names of version 1)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from PySide6.QtCore import Qt

from paivystys.gui.live.model import (
    CONFIRMED,
    ENDED,
    LEG_ANSWERED,
    LEG_RINGING,
    LINGER_S,
    RINGING,
    TALKING,
    LiveCallsModel,
    duration_text,
)

CALL_ID = "appliance-1795658502.0"
REAL_CALL: list[dict[str, Any]] = json.loads("""[
 {"type": "call.started", "call_id": "appliance-1795658502.0",
  "at": "2026-11-26T02:01:42.917718+00:00", "number_id": 1, "dialled": "+358200000001",
  "caller": "+358400000004"},
 {"type": "leg.ringing", "call_id": "appliance-1795658502.0",
  "at": "2026-11-26T02:01:42.946533+00:00", "leg_id": 1, "person_id": 2,
  "person_name": "Hiljainen Heikki", "group_name": "Valvomo", "phone": "+358400000003",
  "stage": "main"},
 {"type": "leg.ringing", "call_id": "appliance-1795658502.0",
  "at": "2026-11-26T02:01:42.946647+00:00", "leg_id": 2, "person_id": 1,
  "person_name": "Näkyvä Niina", "group_name": "Valvomo", "phone": "+358400000002",
  "stage": "main"},
 {"type": "leg.answered", "call_id": "appliance-1795658502.0",
  "at": "2026-11-26T02:01:44.959336+00:00", "leg_id": 2, "person_id": 1,
  "person_name": "Näkyvä Niina", "stage": "main"},
 {"type": "call.confirmed", "call_id": "appliance-1795658502.0",
  "at": "2026-11-26T02:01:46.194656+00:00", "leg_id": 2, "person_id": 1,
  "person_name": "Näkyvä Niina", "stage": "main"},
 {"type": "leg.ended", "call_id": "appliance-1795658502.0",
  "at": "2026-11-26T02:01:46.195737+00:00", "leg_id": 1, "person_id": 2,
  "person_name": "Hiljainen Heikki", "stage": "main", "result": "no_answer"},
 {"type": "call.bridged", "call_id": "appliance-1795658502.0",
  "at": "2026-11-26T02:01:46.196656+00:00"},
 {"type": "leg.ended", "call_id": "appliance-1795658502.0",
  "at": "2026-11-26T02:01:48.963575+00:00", "leg_id": 2, "person_id": 1,
  "person_name": "Näkyvä Niina", "stage": "main", "result": "confirmed"},
 {"type": "call.ended", "call_id": "appliance-1795658502.0",
  "at": "2026-11-26T02:01:48.971318+00:00", "outcome": "answered",
  "call": {"id": 1, "call_id": "appliance-1795658502.0", "number": 1,
           "dialled": "+358200000001", "caller": "+358400000004",
           "arrived_at": "2026-11-26T02:01:42.917718+00:00",
           "answered_at": "2026-11-26T02:01:46.196656+00:00",
           "ended_at": "2026-11-26T02:01:48.971318+00:00", "wait_s": 3.279,
           "talk_s": 2.775, "outcome": "answered", "answered_by": 1,
           "answered_by_name": "Näkyvä Niina", "answered_stage": "main",
           "recording": null, "routing": "agi"},
  "legs": [{"id": 1, "call": 1, "person": 2, "person_name": "Hiljainen Heikki",
            "phone": "+358400000003", "group": 1, "group_name": "Valvomo",
            "stage": "main", "rung_at": "2026-11-26T02:01:42.946533+00:00",
            "answered_at": null, "ended_at": "2026-11-26T02:01:46.195737+00:00",
            "result": "no_answer"},
           {"id": 2, "call": 1, "person": 1, "person_name": "Näkyvä Niina",
            "phone": "+358400000002", "group": 1, "group_name": "Valvomo",
            "stage": "main", "rung_at": "2026-11-26T02:01:42.946647+00:00",
            "answered_at": "2026-11-26T02:01:44.959336+00:00",
            "ended_at": "2026-11-26T02:01:48.963575+00:00", "result": "confirmed"}]}
]""")
COLUMN = {"number": 0, "caller": 1, "waited": 2, "state": 3, "answered_by": 4, "legs": 5}


def event(kind: str, occurrence: int = 0) -> dict[str, Any]:
    return [item for item in REAL_CALL if item["type"] == kind][occurrence]


def appliance_time(item: dict[str, Any]) -> float:
    return dt.datetime.fromisoformat(item["at"]).timestamp()


class Clock:
    """This PC's clock, set by the test; by default exactly the appliance's."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(appliance_time(REAL_CALL[0]))


@pytest.fixture
def model(clock: Clock) -> LiveCallsModel:
    return LiveCallsModel(clock)


def feed(model: LiveCallsModel, clock: Clock, *items: dict[str, Any],
         skew: float = 0.0) -> None:
    """Each event as it arrives: this PC's clock `skew` ahead of the appliance's."""
    for item in items:
        clock.now = appliance_time(item) + skew
        model.apply(item)


def cell(model: LiveCallsModel, column: str, row: int = 0) -> str:
    return model.data(model.index(row, COLUMN[column]))


def test_a_real_call_from_ringing_to_talking_to_gone(model: LiveCallsModel,
                                                     clock: Clock) -> None:
    feed(model, clock, event("call.started"))
    assert model.rowCount() == 1
    assert (cell(model, "number"), cell(model, "caller")) == ("+358 200 000 001",
                                                              "+358 40 000 0004")
    assert (cell(model, "state"), cell(model, "legs")) == ("ringing", "")

    feed(model, clock, event("leg.ringing", 0), event("leg.ringing", 1))
    assert cell(model, "legs") == "Hiljainen Heikki: ringing\nNäkyvä Niina: ringing"

    feed(model, clock, event("leg.answered"))
    live = model.call(CALL_ID)
    assert live is not None
    assert [(leg.person, leg.state) for leg in live.legs] == [
        ("Hiljainen Heikki", LEG_RINGING), ("Näkyvä Niina", LEG_ANSWERED)]
    assert cell(model, "legs").endswith("Näkyvä Niina: answered, not pressed 1 yet")
    assert live.state == RINGING and cell(model, "answered_by") == ""

    feed(model, clock, event("call.confirmed"))
    assert (live.state, live.answered_by) == (CONFIRMED, "Näkyvä Niina")
    assert cell(model, "state") == "connecting"
    assert cell(model, "answered_by") == "Näkyvä Niina"

    feed(model, clock, event("leg.ended", 0), event("call.bridged"))
    assert live.state == TALKING
    assert cell(model, "legs") == "Hiljainen Heikki: no answer\nNäkyvä Niina: took the call"
    clock.now += 12
    model.tick()
    # The wait stopped when Niina took the call (3.28 s, as the call log says); talk goes on.
    assert cell(model, "waited") == "0:03"
    assert cell(model, "state") == "talking 0:12"

    feed(model, clock, event("leg.ended", 1), event("call.ended"))
    assert live.state == ENDED and cell(model, "state") == "ended: answered"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.ForegroundRole) is not None  # grey
    clock.now += LINGER_S - 1
    model.tick()
    assert model.rowCount() == 1  # still there to be read
    clock.now += 1
    model.tick()
    assert model.rowCount() == 0

    # A late refinement of one of its legs does not bring the call back.
    feed(model, clock, event("leg.ended", 1))
    assert model.rowCount() == 0


def test_the_wait_counts_on_the_appliances_clock_not_this_pcs(model: LiveCallsModel,
                                                              clock: Clock) -> None:
    """The PC is two minutes ahead (a box without a real-time clock): still 0:07, not 2:07."""
    feed(model, clock, event("call.started"), event("leg.ringing"), skew=120.0)
    clock.now += 7
    model.tick()
    assert cell(model, "waited") == "0:07"


def test_a_call_that_ends_unanswered_stops_its_wait_at_the_end(model: LiveCallsModel,
                                                               clock: Clock) -> None:
    feed(model, clock, event("call.started"), event("leg.ringing"))
    abandoned = {**event("call.ended"), "outcome": "abandoned",
                 "at": "2026-11-26T02:01:52.917718+00:00"}
    feed(model, clock, abandoned)
    clock.now += 3
    model.tick()
    assert cell(model, "waited") == "0:10"
    assert cell(model, "state") == "ended: caller hung up"


def test_joining_mid_call_shows_what_the_events_tell(model: LiveCallsModel,
                                                     clock: Clock) -> None:
    feed(model, clock, event("leg.answered"))
    assert model.rowCount() == 1
    assert (cell(model, "number"), cell(model, "caller"), cell(model, "waited")) == (
        "—", "—", "—")
    assert cell(model, "legs") == "Näkyvä Niina: answered, not pressed 1 yet"


def test_the_end_of_a_call_never_seen_adds_nothing(model: LiveCallsModel,
                                                   clock: Clock) -> None:
    feed(model, clock, event("leg.ended", 1), event("call.ended"),
         {"type": "call.something_new", "call_id": "x.1", "at": REAL_CALL[0]["at"]})
    assert model.rowCount() == 0


@pytest.mark.parametrize("kind", ["call.transferred", "CallStarted", None, ["call.started"],
                                  {"call": "started"}, 7])
def test_an_event_of_a_type_it_does_not_know_changes_nothing(model: LiveCallsModel,
                                                             clock: Clock, kind: Any) -> None:
    """A type a newer appliance added, an older appliance's class name, or no type at all."""
    assert model.apply({**event("call.started"), "type": kind}) is False
    assert model.rowCount() == 0
    assert model.apply(event("call.started")) is True and model.rowCount() == 1


def test_a_provisional_leg_result_is_refined_by_a_later_one(model: LiveCallsModel,
                                                            clock: Clock) -> None:
    feed(model, clock, event("call.started"), event("leg.ringing", 0),
         {**event("leg.ended", 0), "result": "no_answer"},
         {**event("leg.ended", 0), "result": "declined"})
    assert cell(model, "legs") == "Hiljainen Heikki: declined"


def test_backup_legs_say_so(model: LiveCallsModel, clock: Clock) -> None:
    feed(model, clock, event("call.started"),
         {**event("leg.ringing", 1), "leg_id": 7, "stage": "backup"})
    assert cell(model, "legs") == "Näkyvä Niina (backup): ringing"


def log_row(**changes: Any) -> dict[str, Any]:
    """The call as the API's call log lists it while Niina's phone rings."""
    row = {"id": 1, "call_id": CALL_ID, "number": "+358200000001", "number_name": "Päivystys",
           "dialled": "+358200000001", "caller": "+358400000004",
           "arrived_at": "2026-11-26T02:01:42.917718+00:00", "answered_at": None,
           "ended_at": None, "wait_s": None, "talk_s": None, "outcome": None,
           "answered_by": None, "answered_stage": None, "recording": None, "routing": "agi",
           "legs": [{"person": "Hiljainen Heikki", "phone": "+358400000003",
                     "group": "Valvomo", "stage": "main",
                     "rung_at": "2026-11-26T02:01:42.946533+00:00", "answered_at": None,
                     "ended_at": None, "result": None},
                    {"person": "Näkyvä Niina", "phone": "+358400000002", "group": "Valvomo",
                     "stage": "main", "rung_at": "2026-11-26T02:01:42.946647+00:00",
                     "answered_at": "2026-11-26T02:01:44.959336+00:00", "ended_at": None,
                     "result": None}]}
    return {**row, **changes}


def test_a_call_begun_before_connecting_comes_from_the_call_log(model: LiveCallsModel,
                                                                clock: Clock) -> None:
    clock.now = appliance_time(event("leg.answered")) + 1
    model.seed([log_row(), log_row(call_id="older.1", ended_at="2026-11-26T01:00:00+00:00")])
    assert model.rowCount() == 1  # the ended one is not shown
    assert (cell(model, "number"), cell(model, "caller")) == ("+358 200 000 001",
                                                              "+358 40 000 0004")
    assert cell(model, "legs") == ("Hiljainen Heikki: ringing\n"
                                   "Näkyvä Niina: answered, not pressed 1 yet")
    assert cell(model, "waited") == "0:03"

    # The events go on with the legs the log told of: no leg twice.
    feed(model, clock, event("call.confirmed"), event("leg.ended", 0), event("call.bridged"))
    assert cell(model, "legs") == "Hiljainen Heikki: no answer\nNäkyvä Niina: took the call"
    assert cell(model, "answered_by") == "Näkyvä Niina"


def test_the_events_win_over_an_older_call_log_answer(model: LiveCallsModel,
                                                      clock: Clock) -> None:
    feed(model, clock, *REAL_CALL[:7])
    model.seed([log_row()])  # read before Niina pressed 1, answered after
    live = model.call(CALL_ID)
    assert live is not None and live.state == TALKING
    assert [(leg.person, leg.state) for leg in live.legs] == [
        ("Hiljainen Heikki", "no_answer"), ("Näkyvä Niina", "confirmed")]


def test_a_call_that_ended_while_disconnected_leaves(model: LiveCallsModel,
                                                     clock: Clock) -> None:
    feed(model, clock, *REAL_CALL[:3])
    model.seed([log_row(ended_at="2026-11-26T02:01:50+00:00", outcome="abandoned")])
    assert cell(model, "state") == "ended: caller hung up"
    clock.now += LINGER_S
    model.tick()
    assert model.rowCount() == 0
    model.seed([log_row()])  # a reading older than the end cannot bring it back
    assert model.rowCount() == 0


def test_a_talking_call_from_the_call_log(model: LiveCallsModel, clock: Clock) -> None:
    clock.now = appliance_time(event("call.bridged")) + 65
    model.seed([log_row(answered_at="2026-11-26T02:01:46.196656+00:00",
                        answered_by="Näkyvä Niina", answered_stage="main")])
    assert (cell(model, "state"), cell(model, "answered_by")) == ("talking 1:05",
                                                                  "Näkyvä Niina")


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0:00"), (7.9, "0:07"), (65, "1:05"), (3723, "1:02:03"), (-2, "0:00")])
def test_durations(seconds: float, text: str) -> None:
    assert duration_text(seconds) == text


def test_a_call_shows_the_name_of_the_number_it_came_to(model: LiveCallsModel,
                                                        clock: Clock) -> None:
    feed(model, clock, event("call.started"))
    model.name_numbers([{"number": "+358200000001", "name": "Huolto"},
                        {"number": "+358200000002", "name": "IT-tuki"}])
    assert cell(model, "number") == "Huolto"
    tip = model.index(0, COLUMN["number"]).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == "+358 200 000 001"

    model.name_numbers([])  # the number was removed meanwhile: its digits again
    assert cell(model, "number") == "+358 200 000 001"
