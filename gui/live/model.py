"""The calls in progress, as the call monitor's events tell them: one row a call.

The model knows nothing of sockets: `apply()` takes one event as the appliance sends it (a
JSON object, ``type`` its wire name: `EVENT_TYPES`, version `stream.SUBPROTOCOL` of the live
feed), `seed()` the call log's rows for what happened before the view connected, and `tick()`
moves time on.  So it can be tested by feeding it dicts.  The wire names are the appliance's
(its `paivystys.appliance.monitor.feed`), written here again since the console imports no
appliance code; a contract test holds the two lists equal.

Times: an event's ``at`` is the appliance's clock, which need not agree with this PC's (a box
without a real-time clock may be off by minutes).  The model keeps the latest difference
between the two as seen when an event arrived, and counts a caller's wait on the appliance's
clock; the events themselves travel in milliseconds, so that difference is the clock skew.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale, QModelIndex, QObject, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from paivystys.gui.calllog.model import leg_result_names, outcome_names
from paivystys.gui.formatting import format_caller, format_phone
from paivystys.gui.widgets.table import Column, ColumnsModel

# An ended call stays on the list, greyed, this long: long enough to see how it ended.
LINGER_S = 5.0
# Calls already gone from the list, remembered so that a late seed cannot bring one back.
REMEMBERED_ENDED = 200

# A call's state, in the order a call goes through them.
RINGING = "ringing"
CONFIRMED = "confirmed"  # someone pressed 1; the caller is being connected
TALKING = "talking"  # caller and the person who answered are bridged
ENDED = "ended"

# A leg's state before it ends; then it is the leg's result (the call log's leg results).
LEG_RINGING = "ringing"
LEG_ANSWERED = "answered"  # picked up, hears the prompt, has not pressed 1 (yet)
LEG_CONFIRMED = "confirmed"
BACKUP_STAGE = "backup"
RINGING_COLOUR = "#a15c00"  # amber: a caller is waiting
ANSWERED_COLOUR = "#1b6e2d"  # green: someone has the call


class EventType(StrEnum):
    """The call events of the live feed, by their wire names."""

    CALL_STARTED = "call.started"
    LEG_RINGING = "leg.ringing"
    LEG_ANSWERED = "leg.answered"
    CALL_CONFIRMED = "call.confirmed"
    CALL_BRIDGED = "call.bridged"
    LEG_ENDED = "leg.ended"
    CALL_ENDED = "call.ended"


EVENT_TYPES = frozenset(EventType)
# Events that mean the call is still going on (and so may add a call the view missed).
IN_PROGRESS_EVENTS = frozenset({EventType.CALL_STARTED, EventType.LEG_RINGING,
                                EventType.LEG_ANSWERED, EventType.CALL_CONFIRMED,
                                EventType.CALL_BRIDGED})


@dataclass
class LiveLeg:
    person: str
    stage: str
    leg_id: int | None = None  # None for a leg known only from the call log
    state: str = LEG_RINGING


@dataclass
class LiveCall:
    call_id: str
    number: str | None = None  # None while only later events of the call are known
    caller: str | None = None
    arrived_at: float | None = None  # the appliance's clock, seconds since the epoch
    waited_until: float | None = None  # someone took the call, or it ended
    bridged_at: float | None = None
    state: str = RINGING
    answered_by: str | None = None
    outcome: str | None = None
    ended_locally_at: float | None = None  # this PC's clock, for how long it lingers
    legs: list[LiveLeg] = field(default_factory=list)

    def leg(self, leg_id: int | None, person: str, stage: str) -> LiveLeg | None:
        """The leg an event names, by its id; a leg seeded from the call log has no id yet
        and is found by person and stage (which is how the monitor keys a call's legs too)."""
        for leg in self.legs:
            if leg_id is not None and leg.leg_id == leg_id:
                return leg
        for leg in self.legs:
            if leg.leg_id is None and (leg.person, leg.stage) == (person, stage):
                leg.leg_id = leg_id
                return leg
        return None

    def has_leg(self, person: str, stage: str) -> bool:
        return any((leg.person, leg.stage) == (person, stage) for leg in self.legs)


def _timestamp(text: str | None) -> float | None:
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:  # the appliance writes UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.timestamp()


def duration_text(seconds: float) -> str:
    """0:07, 12:34, 1:02:03."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def leg_state_names() -> dict[str, str]:
    return {
        LEG_RINGING: QCoreApplication.translate("LiveView", "ringing"),
        LEG_ANSWERED: QCoreApplication.translate("LiveView", "answered, not pressed 1 yet"),
        **leg_result_names(),
    }


class LiveCallsModel(ColumnsModel[LiveCall]):
    """Calls in arrival order; an ended call greys out and leaves after `linger_s`."""

    def __init__(self, clock: Callable[[], float] = time.time,
                 linger_s: float = LINGER_S, parent: QObject | None = None) -> None:
        # The columns refer back to the model: a parent, when there is one, deletes it.
        super().__init__(parent)
        self._clock = clock
        self._linger_s = linger_s
        self._skew = 0.0  # this PC's clock minus the appliance's
        self._gone: deque[str] = deque(maxlen=REMEMBERED_ENDED)
        self._leg_states = leg_state_names()
        self._outcomes = outcome_names()
        self.number_names: dict[str, str] = {}  # on-call number (E.164) → its name
        top = Qt.AlignmentFlag.AlignTop
        self.columns = [
            Column(self.tr("Number"), self.number_text, key="number",
                   alignment=Qt.AlignmentFlag.AlignLeft | top,
                   tooltip=lambda call: format_phone(call.number, QLocale()) if call.number
                   else None),
            Column(self.tr("Caller"), lambda call: "—" if call.caller is None
                   else format_caller(call.caller, QLocale()),
                   alignment=Qt.AlignmentFlag.AlignLeft | top),
            Column(self.tr("Waited"), self.waited_text, key="waited",
                   alignment=Qt.AlignmentFlag.AlignRight | top),
            Column(self.tr("State"), self.state_text, key="state",
                   alignment=Qt.AlignmentFlag.AlignLeft | top),
            Column(self.tr("Answered by"), lambda call: call.answered_by or "",
                   alignment=Qt.AlignmentFlag.AlignLeft | top),
            Column(self.tr("People rung"), self.legs_text,
                   alignment=Qt.AlignmentFlag.AlignLeft | top),
        ]

    @property
    def calls(self) -> list[LiveCall]:
        """The calls on the list: the model's rows."""
        return self.rows

    # --- reading ----------------------------------------------------------------------------

    def call(self, call_id: str) -> LiveCall | None:
        return next((call for call in self.calls if call.call_id == call_id), None)

    def waited(self, call: LiveCall) -> float | None:
        """How long the caller has waited: until someone confirmed, else until now."""
        if call.arrived_at is None:
            return None
        until = call.waited_until if call.waited_until is not None else self._appliance_now()
        return max(0.0, until - call.arrived_at)

    def number_text(self, call: LiveCall) -> str:
        if not call.number:
            return "—"
        return self.number_names.get(call.number) or format_phone(call.number, QLocale())

    def waited_text(self, call: LiveCall) -> str:
        waited = self.waited(call)
        return "—" if waited is None else duration_text(waited)

    def state_text(self, call: LiveCall) -> str:
        if call.state == ENDED:
            outcome = self._outcomes.get(call.outcome or "", call.outcome or "")
            return self.tr("ended: {outcome}").format(outcome=outcome) if outcome else self.tr(
                "ended")
        if call.state == TALKING and call.bridged_at is not None:
            return self.tr("talking {duration}").format(
                duration=duration_text(self._appliance_now() - call.bridged_at))
        if call.state == TALKING:
            return self.tr("talking")
        if call.state == CONFIRMED:
            return self.tr("connecting")
        return self.tr("ringing")

    def legs_text(self, call: LiveCall) -> str:
        lines = []
        for leg in call.legs:
            state = self._leg_states.get(leg.state, leg.state)
            if leg.stage == BACKUP_STAGE:
                lines.append(self.tr("{person} (backup): {state}").format(
                    person=leg.person, state=state))
            else:
                lines.append(self.tr("{person}: {state}").format(person=leg.person, state=state))
        return "\n".join(lines)

    def role_data(self, item: LiveCall, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and item.state == ENDED:
            return QGuiApplication.palette().color(QPalette.ColorGroup.Disabled,
                                                   QPalette.ColorRole.Text)
        if role == Qt.ItemDataRole.ForegroundRole and self.columns[column].key == "state":
            return QColor(RINGING_COLOUR if item.state == RINGING else ANSWERED_COLOUR)
        return None

    # --- changing -------------------------------------------------------------------------

    def apply(self, event: dict[str, Any]) -> bool:
        """One call event from the appliance's stream; whether its type is one of
        `EVENT_TYPES` (others, which a newer appliance may add, change nothing)."""
        kind = event.get("type")
        if not isinstance(kind, str) or kind not in EVENT_TYPES:
            return False
        at = _timestamp(event.get("at"))
        if at is not None:
            self._skew = self._clock() - at
        call_id = str(event.get("call_id", ""))
        if not call_id or call_id in self._gone:
            return True
        if kind == EventType.CALL_ENDED:
            self._end(call_id, event, at)
            return True
        call = self.call(call_id)
        if call is None:
            if kind not in IN_PROGRESS_EVENTS:
                # A leg's late end of a call that ended before this view connected: showing
                # it would leave a call on the list that nothing ever ends.
                return True
            call = self._add(LiveCall(call_id))
        if kind == EventType.CALL_STARTED:
            call.number = event.get("dialled") or call.number
            # "" is a withheld caller, not a missing one
            call.caller = event["caller"] if event.get("caller") is not None else call.caller
            call.arrived_at = at
        elif kind == EventType.CALL_BRIDGED:
            call.state = TALKING
            call.bridged_at = at
            call.waited_until = at or call.waited_until  # exacter than the confirmation's
        elif kind == EventType.CALL_CONFIRMED:
            self._confirm(call, event, at)
        else:
            self._apply_leg(call, kind, event)
        self._changed(call)
        return True

    def name_numbers(self, numbers: list[dict[str, Any]]) -> None:
        """The on-call numbers (the API's list): a call shows the name of the number it came
        to, as the call log does, rather than digits the office does not know by heart."""
        self.number_names = {number["number"]: number.get("name") or "" for number in numbers}
        if self.calls:
            column = self.column_index("number")
            self.dataChanged.emit(self.index(0, column), self.index(len(self.calls) - 1, column))

    def seed(self, rows: list[dict[str, Any]]) -> None:
        """The newest calls of the call log (the API's list): calls still in progress that
        the events did not tell of (they began before this view connected) join the list,
        and calls the log says have ended leave it (they ended while it was disconnected)."""
        for row in rows:
            call_id = str(row.get("call_id") or "")
            if not call_id or call_id in self._gone:
                continue
            call = self.call(call_id)
            if row.get("ended_at"):
                if call is not None and call.state != ENDED:
                    self._end(call_id, {"outcome": row.get("outcome")}, None)
                continue
            call = call or self._add(LiveCall(call_id))
            self._fill_from_log(call, row)
            self._changed(call)

    def tick(self) -> None:
        """A second has passed: the waits move on and ended calls past their time leave."""
        now = self._clock()
        for row in reversed(range(len(self.calls))):
            ended = self.calls[row].ended_locally_at
            if ended is not None and now - ended >= self._linger_s:
                self.beginRemoveRows(QModelIndex(), row, row)
                self._gone.append(self.calls.pop(row).call_id)
                self.endRemoveRows()
        if self.calls:
            first, last = self.column_index("waited"), self.column_index("state")
            self.dataChanged.emit(self.index(0, first), self.index(len(self.calls) - 1, last),
                                  [Qt.ItemDataRole.DisplayRole])

    def _add(self, call: LiveCall) -> LiveCall:
        row = len(self.calls)
        self.beginInsertRows(QModelIndex(), row, row)
        self.calls.append(call)
        self.endInsertRows()
        return call

    def _changed(self, call: LiveCall) -> None:
        row = self.calls.index(call)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))

    def _confirm(self, call: LiveCall, event: dict[str, Any], at: float | None) -> None:
        leg = self._leg(call, event)
        leg.state = LEG_CONFIRMED
        call.answered_by = leg.person
        call.waited_until = at
        if call.state == RINGING:
            call.state = CONFIRMED

    def _apply_leg(self, call: LiveCall, kind: str, event: dict[str, Any]) -> None:
        leg = self._leg(call, event)
        if kind == EventType.LEG_ANSWERED and leg.state == LEG_RINGING:
            leg.state = LEG_ANSWERED
        elif kind == EventType.LEG_ENDED:
            # A provisional result may be refined by a later leg.ended: the last word counts.
            leg.state = event.get("result") or leg.state

    def _leg(self, call: LiveCall, event: dict[str, Any]) -> LiveLeg:
        person = str(event.get("person_name") or "")
        stage = str(event.get("stage") or "")
        leg_id = event.get("leg_id")
        leg = call.leg(leg_id, person, stage)
        if leg is None:
            leg = LiveLeg(person, stage, leg_id)
            call.legs.append(leg)
        return leg

    def _end(self, call_id: str, event: dict[str, Any], at: float | None) -> None:
        call = self.call(call_id)
        if call is None:
            return  # it ended before this view knew of it: nothing to show
        call.state = ENDED
        call.outcome = event.get("outcome") or call.outcome
        if call.ended_locally_at is None:
            call.ended_locally_at = self._clock()
        if call.waited_until is None:  # the wait stops counting when the call ends
            call.waited_until = at if at is not None else self._appliance_now()
        self._changed(call)

    def _appliance_now(self) -> float:
        return self._clock() - self._skew

    def _fill_from_log(self, call: LiveCall, row: dict[str, Any]) -> None:
        """What the events have not told yet; the events, being newer, win otherwise."""
        call.number = call.number or row.get("dialled") or row.get("number")
        call.caller = call.caller if call.caller is not None else row.get("caller")
        call.arrived_at = call.arrived_at or _timestamp(row.get("arrived_at"))
        if row.get("answered_by") and call.answered_by is None:
            call.answered_by = row["answered_by"]
            call.waited_until = call.bridged_at = _timestamp(row.get("answered_at"))
            # The log keeps one answer time for "pressed 1" and "connected"; the connection
            # follows within milliseconds, so a call answered in the log is being talked on.
            call.state = TALKING
        for logged in row.get("legs") or []:
            person, stage = str(logged.get("person") or ""), str(logged.get("stage") or "")
            if call.has_leg(person, stage):
                continue
            state = logged.get("result") or (LEG_ANSWERED if logged.get("answered_at")
                                             else LEG_RINGING)
            call.legs.append(LiveLeg(person, stage, None, state))
