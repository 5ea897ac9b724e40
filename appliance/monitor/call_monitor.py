"""Turns Asterisk's AMI events into the call log (``Call`` and ``Leg`` rows) as they arrive.

Every event is written in its own transaction, so a killed monitor loses at most the event in
hand; every handler is idempotent, so a repeated event changes nothing.  Times come from the
event's ``Timestamp`` header (manager.conf ``timestampevents=yes``), stored in UTC.

The dialplan's UserEvents (``appliance.ringing.events``, each with ``CallId``, read into their
typed form by ``events.parse``) carry the call logic; one standard event of the caller channel
(``Uniqueid`` == CallId) adds what only Asterisk knows: ``BridgeEnter`` (caller and winner
start talking = ``answered_at``).  The end is the
caller's hangup handler's ``PvCallEnd``: the handler is in place before ``PvCallStart`` is
sent, so every call the monitor knows sends it, and a call whose Asterisk stopped is closed by
:meth:`CallMonitor.reconcile`.  Not ``Hangup``: Asterisk writes a channel's caller ID into its
events as it is, and a caller that hangs up before the dialplan has cleaned its caller ID
would bring network text (line breaks, a whole made-up event) into the monitor's stream.

Some events race: a leg's ``PvLegEnd`` comes from that leg's Local channel and may arrive after
the caller's ``PvCallEnd``.  Ending a call therefore closes its open legs provisionally, and a
late ``PvLegEnd`` refines them (its ``LegEnded`` is published again).  Likewise a call closed by
:meth:`CallMonitor.reconcile` is ended again, properly, if its own end event turns up after all.
What the rows cannot hold (the decision, which stage is ringing) lives in memory; after a
monitor restart it is rebuilt from the rows as far as they tell.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import peewee
from peewee import Model
from playhouse.shortcuts import model_to_dict

from paivystys.appliance.ami.client import AmiClient
from paivystys.appliance.db.models import Call, Group, Leg, OnCallNumber, Person
from paivystys.appliance.monitor.caller_id import caller_from_network
from paivystys.appliance.ringing import events
from paivystys.appliance.ringing.bus import (
    CallBridged,
    CallConfirmed,
    CallEnded,
    CallEvent,
    CallStarted,
    EventBus,
    LegAnswered,
    LegEnded,
    LegRinging,
)
from paivystys.appliance.ringing.results import call_outcome, leg_result_from_end
from paivystys.appliance.ringing.rule import LegResult, Routing, Verdict

log = logging.getLogger(__name__)

# Ended calls stay in memory this long (in calls) for their late events.
REMEMBERED_CALLS = 500
BUSY_ATTEMPTS = 3

Event = dict[str, str]
M = TypeVar("M", bound=Model)
E = TypeVar("E", bound=events.UserEvent)
CallHandler = Callable[[Call, "_CallState", E, dt.datetime], None]
# A handler of one kind of UserEvent, given the event and its time.
UserEventHandler = Callable[[Any, dt.datetime], None]


@dataclass
class _CallState:
    """What the rows do not hold about a call."""

    decision: str | None = None
    open_stages: set[str] = field(default_factory=set)
    legs: dict[tuple[str, str], int] = field(default_factory=dict)  # (person, stage) -> leg id
    explicit_results: set[int] = field(default_factory=set)  # decided by prompt or confirmation
    provisional_legs: set[int] = field(default_factory=set)  # closed without their PvLegEnd
    bridged: bool = False
    closed_by_reconcile: bool = False

    @classmethod
    def from_rows(cls, call: Call) -> _CallState:
        """Best effort for a call begun before this monitor started: legs still open mean
        their stage still rings."""
        state = cls(bridged=call.answered_at is not None)
        for leg in call.legs:
            if leg.person_id is not None:
                state.legs[(str(leg.person_id), leg.stage)] = leg.id
            if leg.result is not None:
                state.explicit_results.add(leg.id)
            if leg.ended_at is None:
                state.open_stages.add(leg.stage)
        return state


class CallMonitor:
    def __init__(self, bus: EventBus) -> None:
        self._bus = bus
        # Events arrive on the AMI event thread, reconcile() runs on the service's thread.
        self._lock = threading.RLock()
        self._states: OrderedDict[str, _CallState] = OrderedDict()
        self._outbox: list[CallEvent] = []
        self._warned_no_timestamp = False
        # Every kind of UserEvent the dialplan sends has its handler here.
        self.user_event_handlers: dict[type[events.UserEvent], UserEventHandler] = {
            events.PvCallStart: self._on_call_start,
            events.PvDecision: self._for_call(self._on_decision),
            events.PvRecording: self._for_call(self._on_recording),
            events.PvStageStart: self._for_call(self._on_stage_start),
            events.PvStageEnd: self._for_call(self._on_stage_end),
            events.PvLegRing: self._for_call(self._on_leg_ring),
            events.PvLegAnswer: self._for_call(self._on_leg_answer),
            events.PvLegResult: self._for_call(self._on_leg_result),
            events.PvConfirmed: self._for_call(self._on_confirmed),
            events.PvLegEnd: self._for_call(self._on_leg_end),
            events.PvCallEnd: self._for_call(self._on_call_end),
        }

    # --- entry points ---------------------------------------------------------------------

    def handle_event(self, event: Event) -> None:
        """Apply one AMI event (headers as a dict); anything not about a known call is
        ignored."""
        with self._lock:
            for attempt in range(1, BUSY_ATTEMPTS + 1):
                try:
                    with Call._meta.database.atomic():
                        self._apply(event)
                    break
                except peewee.OperationalError as error:
                    self._outbox.clear()  # rolled back: nothing happened
                    # Locked beyond busy_timeout (another process held the database that
                    # long): the handlers are idempotent, so the event is applied again.
                    if "locked" not in str(error) or attempt == BUSY_ATTEMPTS:
                        raise
                    log.warning("database busy; applying %s again", event.get("Event"))
                except Exception:
                    self._outbox.clear()
                    raise
            self._publish_outbox()

    def reconcile(self, ami: AmiClient) -> list[str]:
        """Close calls left open whose caller channel Asterisk no longer has (the monitor or
        Asterisk stopped mid-call).  Run after each (re)connect; returns the closed call ids."""
        with self._lock:
            # Listed before asking Asterisk: a call that starts in between is then not
            # mistaken for a lost one.
            open_ids = {call.call_id for call in Call.select(Call.call_id)
                        .where(Call.ended_at.is_null())}
        if not open_ids:
            return []
        live = {event.get("Uniqueid", "") for event in ami.action_list("CoreShowChannels")}
        lost = sorted(open_ids - live)
        with self._lock:
            for call_id in lost:
                with Call._meta.database.atomic():
                    self._close_lost_call(call_id)
                self._publish_outbox()
        return lost

    def announce_again(self, call_id: str) -> None:
        """Publish an ended call's confirmation and end once more, from its rows.

        For a call the journal still holds although the log has it complete: the monitor
        stopped after logging its end and before everything that follows the end (the SMS
        rows, then forgetting the journal entry) had run.  Subscribers are idempotent (the
        outbox keys its rows by call and kind), so what was done already is not done twice.
        """
        with self._lock:
            call = Call.get_or_none(Call.call_id == call_id)
            if call is None or call.ended_at is None:
                return
            winner = None
            if call.answered_by_id is not None:
                winner = Leg.get_or_none((Leg.call == call)
                                         & (Leg.result == LegResult.CONFIRMED))
            if winner is not None:
                self._emit(CallConfirmed(call.call_id, call.answered_at or call.ended_at,
                                         winner.id, winner.person_id, winner.person_name,
                                         winner.stage))
            self._emit_call_ended(call, call.ended_at)
            self._publish_outbox()

    # --- dispatch -------------------------------------------------------------------------

    def _apply(self, event: Event) -> None:
        name = event.get("Event")
        if name == "UserEvent":
            self._apply_user_event(event)
        elif name == "BridgeEnter":
            call = self._known_call(event.get("Uniqueid", ""))
            if call is not None:
                self._on_caller_bridged(call, self._state(call), self._event_time(event))

    def _apply_user_event(self, headers: Event) -> None:
        event = events.parse(headers)
        if event is not None:
            self.user_event_handlers[type(event)](event, self._event_time(headers))

    def _for_call(self, handler: CallHandler[E]) -> Callable[[E, dt.datetime], None]:
        """The handler of an event about a call the log has; events of other calls are
        ignored."""

        def handle(event: E, at: dt.datetime) -> None:
            call = Call.get_or_none(Call.call_id == event.call_id)
            if call is None:
                log.debug("%s for unknown call %r ignored", event.NAME, event.call_id)
                return
            handler(call, self._state(call), event, at)

        return handle

    # --- the call -------------------------------------------------------------------------

    def _on_call_start(self, event: events.PvCallStart, at: dt.datetime) -> None:
        call_id = event.call_id
        if not call_id or Call.get_or_none(Call.call_id == call_id) is not None:
            return
        number = _row_by_id(OnCallNumber, event.number_id)
        caller = caller_from_network(event.caller64, event.caller_length, event.presentation)
        # Who decided is not known yet: PvDecision tells.
        Call.create(call_id=call_id, number=number, dialled=event.dialled, caller=caller,
                    arrived_at=at, routing=Routing.AGI)
        self._states[call_id] = _CallState()
        self._remember(call_id)
        self._emit(CallStarted(call_id, at, number.id if number else None, event.dialled,
                               caller))

    def _on_decision(self, call: Call, state: _CallState, event: events.PvDecision,
                     at: dt.datetime) -> None:
        state.decision = event.decision
        # An empty decision means the AGI failed and the dialplan rings the failsafe legs.
        routing = event.routing or (Routing.AGI if state.decision else Routing.FAILSAFE)
        # Only a ringing call is recorded (MixMonitor runs after this decision); PvRecording
        # confirms it.
        ringing = state.decision == Verdict.RING
        recording = (event.recording if ringing else None) or call.recording
        if (call.routing, call.recording) != (routing, recording):
            call.routing, call.recording = routing, recording
            call.save()

    def _on_recording(self, call: Call, state: _CallState, event: events.PvRecording,
                      at: dt.datetime) -> None:
        if event.file and call.recording != event.file:
            call.recording = event.file
            call.save()

    def _on_stage_start(self, call: Call, state: _CallState, event: events.PvStageStart,
                        at: dt.datetime) -> None:
        if call.ended_at is None:
            state.open_stages.add(event.stage)

    def _on_stage_end(self, call: Call, state: _CallState, event: events.PvStageEnd,
                      at: dt.datetime) -> None:
        state.open_stages.discard(event.stage)

    def _on_caller_bridged(self, call: Call, state: _CallState, at: dt.datetime) -> None:
        if call.answered_stage is None or state.bridged:
            return  # not our Dial's bridge, or already counted
        state.bridged = True
        call.answered_at = at
        call.save()
        self._emit(CallBridged(call.call_id, at))

    def _on_call_end(self, call: Call, state: _CallState, event: events.PvCallEnd,
                     at: dt.datetime) -> None:
        self._end_call(call, state, at, dial_status=event.dial_status)

    def _end_call(self, call: Call, state: _CallState, at: dt.datetime, dial_status: str) -> None:
        if call.ended_at is not None and not state.closed_by_reconcile:
            return
        state.closed_by_reconcile = False
        self._close_open_legs(call, state, at)
        outcome = call_outcome(winner_stage=call.answered_stage, decision=state.decision,
                               dial_status=dial_status, stage_ringing=bool(state.open_stages))
        call.ended_at = at
        call.outcome = outcome
        call.wait_s = _seconds(call.arrived_at, call.answered_at or at)
        call.talk_s = _seconds(call.answered_at, at) if call.answered_at else None
        call.save()
        self._emit_call_ended(call, at)

    def _close_lost_call(self, call_id: str) -> None:
        call = Call.get_or_none(Call.call_id == call_id)
        if call is None or call.ended_at is not None:
            return
        state = self._state(call)
        last_known = _last_known_time(call)
        log.warning("call %s has no channel in Asterisk any more; closing it as of its last "
                    "event (%s)", call_id, last_known.isoformat())
        self._end_call(call, state, last_known, dial_status="")
        # Nobody knows how long they talked or waited after the last event.
        call.talk_s = None
        if call.answered_at is None:
            call.wait_s = None
        call.save()
        state.closed_by_reconcile = True

    def _emit_call_ended(self, call: Call, at: dt.datetime) -> None:
        legs = tuple(model_to_dict(leg, recurse=False)
                     for leg in Leg.select().where(Leg.call == call).order_by(Leg.id))
        self._emit(CallEnded(call.call_id, at, call.outcome, model_to_dict(call, recurse=False),
                             legs))

    # --- the legs -------------------------------------------------------------------------

    def _on_leg_ring(self, call: Call, state: _CallState,
                     event: events.PvLegRing | events.PvConfirmed, at: dt.datetime) -> None:
        if self._find_leg(call, state, event) is not None:
            return
        person = _row_by_id(Person, event.person)
        group = _row_by_id(Group, event.group)
        leg = Leg.create(
            call=call, person=person, stage=event.stage, rung_at=at,
            person_name=person.name if person else f"#{event.person}",
            phone=event.phone or (person.phone if person else ""),
            group=group, group_name=group.name if group else None)
        state.legs[(event.person, event.stage)] = leg.id
        self._emit(LegRinging(call.call_id, at, leg.id, leg.person_id, leg.person_name,
                              leg.group_name, leg.phone, leg.stage))

    def _on_leg_answer(self, call: Call, state: _CallState, event: events.PvLegAnswer,
                       at: dt.datetime) -> None:
        leg = self._find_leg(call, state, event)
        if leg is None or leg.answered_at is not None:
            return
        leg.answered_at = at
        leg.save()
        self._emit(LegAnswered(call.call_id, at, leg.id, leg.person_id, leg.person_name,
                               leg.stage))

    def _on_leg_result(self, call: Call, state: _CallState, event: events.PvLegResult,
                       at: dt.datetime) -> None:
        result = event.result
        leg = self._find_leg(call, state, event)
        if leg is None or result not in set(LegResult):
            log.warning("call %s: unusable %s", call.call_id, event)
            return
        if leg.result == LegResult.CONFIRMED:
            return  # the prompt's later word cannot undo a won call
        state.explicit_results.add(leg.id)
        if leg.result != result:
            leg.result = result
            leg.save()

    def _on_confirmed(self, call: Call, state: _CallState, event: events.PvConfirmed,
                      at: dt.datetime) -> None:
        leg = self._find_leg(call, state, event)
        if leg is None:
            # Its ringing came while the monitor was away (the journal it read on coming back
            # held no confirmation yet): the person who won still took the call.
            log.warning("call %s: %s for a leg not seen ringing; logging the leg now",
                        call.call_id, event.NAME)
            self._on_leg_ring(call, state, event, at)
            leg = self._find_leg(call, state, event)
            if leg is None:
                return
        state.explicit_results.add(leg.id)
        if leg.result != LegResult.CONFIRMED:
            leg.result = LegResult.CONFIRMED
            leg.save()
        if call.answered_stage is not None:
            if call.answered_by_id != leg.person_id or call.answered_stage != leg.stage:
                log.warning("call %s: second confirmation (%s) after %s won", call.call_id,
                            leg.person_name, call.answered_by_name)
            return
        # The bridge follows within milliseconds; BridgeEnter then sets the exact time.
        call.answered_at = at
        call.answered_by = leg.person_id
        call.answered_by_name = leg.person_name
        call.answered_stage = leg.stage
        call.save()
        self._emit(CallConfirmed(call.call_id, at, leg.id, leg.person_id, leg.person_name,
                                 leg.stage))

    def _on_leg_end(self, call: Call, state: _CallState, event: events.PvLegEnd,
                    at: dt.datetime) -> None:
        leg = self._find_leg(call, state, event)
        if leg is None or (leg.ended_at is not None and leg.id not in state.provisional_legs):
            return
        state.provisional_legs.discard(leg.id)
        if leg.id not in state.explicit_results:
            leg.result = leg_result_from_end(
                event.dial_status, event.hangup_cause,
                answered=leg.answered_at is not None,
                other_leg_confirmed=_other_leg_confirmed(call, leg))
        leg.ended_at = at
        leg.save()
        self._emit(LegEnded(call.call_id, at, leg.id, leg.person_id, leg.person_name, leg.stage,
                            leg.result))

    def _close_open_legs(self, call: Call, state: _CallState, at: dt.datetime) -> None:
        """Legs whose PvLegEnd has not come yet end with the call, provisionally."""
        for leg in Leg.select().where((Leg.call == call) & Leg.ended_at.is_null()):
            if leg.id not in state.explicit_results:
                leg.result = leg_result_from_end(
                    "", "", answered=leg.answered_at is not None,
                    other_leg_confirmed=_other_leg_confirmed(call, leg))
            leg.ended_at = at
            leg.save()
            state.provisional_legs.add(leg.id)
            self._emit(LegEnded(call.call_id, at, leg.id, leg.person_id, leg.person_name,
                                leg.stage, leg.result))

    def _find_leg(self, call: Call, state: _CallState, event: events.LegEvent) -> Leg | None:
        key = (event.person, event.stage)
        leg_id = state.legs.get(key)
        if leg_id is not None:
            return Leg.get_or_none(Leg.id == leg_id)
        person = _row_by_id(Person, key[0])
        person_match = (Leg.person == person) if person else (
            Leg.person.is_null() & (Leg.person_name == f"#{key[0]}"))
        leg = Leg.get_or_none((Leg.call == call) & (Leg.stage == key[1]) & person_match)
        if leg is not None:
            state.legs[key] = leg.id
        return leg

    # --- helpers --------------------------------------------------------------------------

    def _known_call(self, call_id: str) -> Call | None:
        return Call.get_or_none(Call.call_id == call_id) if call_id else None

    def _state(self, call: Call) -> _CallState:
        state = self._states.get(call.call_id)
        if state is None:
            state = self._states[call.call_id] = _CallState.from_rows(call)
            self._remember(call.call_id)
        return state

    def _remember(self, call_id: str) -> None:
        self._states.move_to_end(call_id)
        while len(self._states) > REMEMBERED_CALLS:
            self._states.popitem(last=False)

    def _event_time(self, event: Event) -> dt.datetime:
        try:
            return dt.datetime.fromtimestamp(float(event["Timestamp"]), dt.UTC)
        except (KeyError, ValueError):
            if not self._warned_no_timestamp:
                self._warned_no_timestamp = True
                log.warning("AMI events lack a Timestamp (manager.conf timestampevents=yes?); "
                            "using the monitor's clock")
            return dt.datetime.now(dt.UTC)

    def _emit(self, event: CallEvent) -> None:
        # Published only after the transaction commits, so consumers find the rows.
        self._outbox.append(event)

    def _publish_outbox(self) -> None:
        events, self._outbox = self._outbox, []
        for event in events:
            self._bus.publish(event)


def _row_by_id(model: type[M], raw_id: str) -> M | None:
    """The row named by an event's id header; None when empty, malformed or deleted."""
    try:
        return model.get_or_none(model.id == int(raw_id))
    except ValueError:
        return None


def _other_leg_confirmed(call: Call, leg: Leg) -> bool:
    return Leg.select().where((Leg.call == call) & (Leg.id != leg.id)
                              & (Leg.result == LegResult.CONFIRMED)).exists()


def _last_known_time(call: Call) -> dt.datetime:
    times = [call.arrived_at, call.answered_at]
    for leg in call.legs:
        times += [leg.rung_at, leg.answered_at, leg.ended_at]
    return max(t for t in times if t is not None)


def _seconds(start: dt.datetime, end: dt.datetime) -> float:
    return round((end - start).total_seconds(), 3)
