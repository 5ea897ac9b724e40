"""In-process publish/subscribe of call events, for consumers that react to calls as they
happen (the SMS outbox, the console's live view).

Delivery is synchronous, on the publisher's thread (the monitor's event thread), in publish
order.  A subscriber that raises is logged and skipped: a consumer's bug must never stop the
call log.  Subscribers that do slow work (sending an SMS) should hand it to their own thread.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CallStarted:
    call_id: str
    at: dt.datetime
    number_id: int | None
    dialled: str
    caller: str


@dataclass(frozen=True)
class LegRinging:
    call_id: str
    at: dt.datetime
    leg_id: int
    person_id: int | None
    person_name: str
    group_name: str | None
    phone: str
    stage: str


@dataclass(frozen=True)
class _PersonOnLeg:
    call_id: str
    at: dt.datetime
    leg_id: int
    person_id: int | None
    person_name: str
    stage: str


@dataclass(frozen=True)
class LegAnswered(_PersonOnLeg):
    """The person picked up and hears the prompt; not yet confirmed."""


@dataclass(frozen=True)
class CallConfirmed(_PersonOnLeg):
    """A person pressed 1 and won the call; the caller is bridged to them next."""


@dataclass(frozen=True)
class CallBridged:
    """Caller and the winner talk (the caller channel entered the bridge)."""

    call_id: str
    at: dt.datetime


@dataclass(frozen=True)
class LegEnded(_PersonOnLeg):
    result: str


@dataclass(frozen=True)
class CallEnded:
    """The call is over; ``call`` is its final ``Call`` row and ``legs`` its ``Leg`` rows, as
    dicts (foreign keys as ids), so consumers need no database access."""

    call_id: str
    at: dt.datetime
    outcome: str
    call: dict[str, Any]
    legs: tuple[dict[str, Any], ...]


CallEvent = (CallStarted | LegRinging | LegAnswered | CallConfirmed | CallBridged | LegEnded
             | CallEnded)
Subscriber = Callable[[Any], None]


class EventBus:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[tuple[Subscriber, tuple[type, ...]]] = []

    def subscribe(self, callback: Subscriber, *event_types: type) -> Callable[[], None]:
        """Call ``callback(event)`` for each published event of ``event_types`` (all events if
        none are given).  Returns a function that unsubscribes."""
        entry = (callback, event_types)
        with self._lock:
            self._subscribers.append(entry)

        def unsubscribe() -> None:
            with self._lock:
                if entry in self._subscribers:
                    self._subscribers.remove(entry)

        return unsubscribe

    def publish(self, event: CallEvent) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for callback, event_types in subscribers:
            if event_types and not isinstance(event, event_types):
                continue
            try:
                callback(event)
            except Exception:
                log.exception("bus subscriber %r failed on %s", callback, type(event).__name__)
