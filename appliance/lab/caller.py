"""Callers: calls the simulated carrier places to the appliance, and what the caller heard.

A call is an AMI ``Originate`` of ``Local/dial@carrier-caller/n`` (see :mod:`.carrier`).  Its
;2 side is the caller's phone: it dials the appliance and hangs up after the caller's patience
runs out.  Its ;1 side starts once the appliance answered and reads every DTMF digit the caller
hears, which is how a test learns *who* it was bridged to (human handsets send their identity).

Every event of a call carries the call's own id (the inherited channel variable ``LABCALL``),
so any number of calls can run at once from different threads over one AMI connection.
"""

from __future__ import annotations

import base64
import queue
import re
import threading
import time
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from paivystys.appliance.ami.client import AmiClient, Headers
from paivystys.appliance.lab.carrier import (
    CALLER_DIAL_EXTEN,
    CALLER_LISTEN_EXTEN,
    CONTEXT_CALLER,
    EVENT_CALL_ANSWERED,
    EVENT_CALL_DIGIT,
    EVENT_CALL_END,
    EVENT_CALL_LISTEN_END,
    EVENT_CALL_START,
    VAR_CALL,
    VAR_CALLER_NAME64,
    VAR_CALLER_NUM64,
    VAR_CALLER_PRES,
    VAR_DIALLED,
    VAR_HEARD,
    VAR_LIMIT,
)

# The carrier starts dialling within milliseconds; this long means it never will.
START_TIMEOUT_S = 10.0
# Slack on top of the caller's own limit (the carrier hangs up at the limit by itself).
END_GRACE_S = 10.0
# After the dialling side ended, the listening side follows at once; it may not exist at all
# when the appliance answered and hung up in the same instant.
LISTEN_END_GRACE_S = 3.0
# Originate gives up on an unanswered call after its Timeout; the carrier's own limit must
# come first so that the dialling side reports the caller's hang-up, not Originate's.
ORIGINATE_SLACK_S = 5.0
_NUMBER = re.compile(r"\+?[0-9]{1,20}")
# A request user as it goes into the carrier's Dial(): URI-escaped, so that no character of it
# is Dial syntax (',' '(' ')' '&' '/' '@' arrive as %2C %28 %29 %26 %2F %40).
_ESCAPED_USER = re.compile(r"[A-Za-z0-9%._~+*#!$'=-]{1,64}")
# How long each key a caller presses sounds (AMI PlayDTMF), as a person's press does.
DTMF_PRESS_MS = 150
# CALLERID(pres) values a test may ask for; "prohib" is what a withheld number arrives as.
PRESENTATIONS = ("allowed", "prohib")


class CallerError(RuntimeError):
    """The carrier did not place the call or did not report its end in time."""


@dataclass(frozen=True)
class CallerReport:
    """What happened to one placed call, as the caller saw it.  Times are Unix seconds on the
    carrier's clock (the same machine's clock)."""

    call_id: str
    caller: str
    dialled: str
    started_at: float
    answered: bool
    answered_at: float | None
    ended_at: float
    dial_status: str  # Dial's DIALSTATUS: ANSWER, BUSY, NOANSWER, CANCEL, CONGESTION, ...
    heard_digits: str  # every DTMF digit the caller heard, in order
    hangup_cause: int | None  # Q.850 cause of the caller's channel
    sip_cause: str  # the appliance's final SIP status as Asterisk words it, "" if none
    codec: str  # the audio codec of the call with the appliance, e.g. "(g722)"; "" unanswered


class _CallEvents:
    """Routes the carrier's UserEvents to the call they belong to, by their LabCall id."""

    def __init__(self, ami: AmiClient) -> None:
        self._lock = threading.Lock()
        self._calls: dict[str, queue.Queue[Headers]] = {}
        ami.add_listener(self._on_event)

    def open(self, call_id: str) -> queue.Queue[Headers]:
        events: queue.Queue[Headers] = queue.Queue()
        with self._lock:
            self._calls[call_id] = events
        return events

    def close(self, call_id: str) -> None:
        with self._lock:
            self._calls.pop(call_id, None)

    def _on_event(self, headers: Headers) -> None:
        if headers.get("Event") != "UserEvent":
            return
        with self._lock:
            events = self._calls.get(headers.get("LabCall", ""))
        if events is not None:
            events.put(headers)


# AmiClient has no way to remove a listener, so each client gets one router for good.
_routers: weakref.WeakKeyDictionary[AmiClient, _CallEvents] = weakref.WeakKeyDictionary()
_routers_lock = threading.Lock()


def _router(ami: AmiClient) -> _CallEvents:
    with _routers_lock:
        router = _routers.get(ami)
        if router is None:
            router = _routers[ami] = _CallEvents(ami)
        return router


def place_call(ami: AmiClient, caller: str, dialled: str, hangup_after: float | None = None,
               max_duration: float = 120, *, caller_name: str = "",
               presentation: str = "allowed", any_caller_id: bool = False,
               any_dialled: bool = False, heard: str = "",
               on_answer: Callable[[Headers], None] | None = None) -> CallerReport:
    """Call ``dialled`` on the appliance from ``caller`` and return once the call is over.

    ``ami`` is the *carrier's* AMI.  The caller hangs up ``hangup_after`` seconds after dialling
    (while it still rings: an abandoned call), or else waits for the appliance to end the call,
    but never longer than ``max_duration`` seconds.  Numbers are sent as given (digits with an
    optional leading +), so tests can dial national forms too; an empty ``dialled`` sends a
    request without a user, as a GSM gateway may.  ``any_dialled`` lets ``dialled`` be any
    URI-escaped user (``%22`` for a quote, ``%2C`` for a comma), as a hostile or broken network
    may send it.  ``any_caller_id`` lets the caller's number be any text at all; the caller's
    name always may be.  With a carrier that is the appliance's registrar, ``dialled`` goes in
    To and the request URI names the appliance's account.  ``heard``: where the carrier
    records what the caller hears (see :data:`.carrier.VAR_HEARD`; "" = nowhere);
    ``on_answer`` is called with the answer's event (its Channel is the caller's line).
    """
    if any_dialled:
        if not _ESCAPED_USER.fullmatch(dialled):
            raise ValueError(f"dialled must be a URI-escaped user, got {dialled!r}")
    elif dialled and not _NUMBER.fullmatch(dialled):
        raise ValueError(f"dialled must be empty or 1-20 digits with an optional leading +, "
                         f"got {dialled!r}")
    if not any_caller_id and not _NUMBER.fullmatch(caller):
        raise ValueError(f"caller must be 1-20 digits with an optional leading +, "
                         f"got {caller!r}")
    if presentation not in PRESENTATIONS:
        raise ValueError(f"presentation must be one of {PRESENTATIONS}, got {presentation!r}")
    if hangup_after is not None and not hangup_after > 0:
        raise ValueError(f"hangup_after must be more than 0 seconds, got {hangup_after!r}")
    if not max_duration > 0:
        raise ValueError(f"max_duration must be more than 0 seconds, got {max_duration!r}")
    limit = max_duration if hangup_after is None else min(hangup_after, max_duration)

    call_id = uuid.uuid4().hex[:16]
    router = _router(ami)
    events = router.open(call_id)
    try:
        ami.action(
            "Originate",
            Channel=f"Local/{CALLER_DIAL_EXTEN}@{CONTEXT_CALLER}/n",
            Context=CONTEXT_CALLER, Exten=CALLER_LISTEN_EXTEN, Priority="1",
            Timeout=str(int((limit + ORIGINATE_SLACK_S) * 1000)),
            Async="true",
            # "__" makes LABCALL follow the call onto every channel the carrier creates for it.
            Variable=[f"__{VAR_CALL}={call_id}", f"__{VAR_HEARD}={heard}",
                      f"{VAR_CALLER_NUM64}={_base64(caller)}",
                      f"{VAR_CALLER_NAME64}={_base64(caller_name)}",
                      f"{VAR_CALLER_PRES}={presentation}",
                      f"{VAR_DIALLED}={dialled}", f"{VAR_LIMIT}={limit:.3f}"],
        )
        return _follow(events, call_id, caller, dialled, limit, on_answer)
    finally:
        router.close(call_id)


def _follow(events: queue.Queue[Headers], call_id: str, caller: str, dialled: str,
            limit: float, on_answer: Callable[[Headers], None] | None = None) -> CallerReport:
    start = _next(events, time.monotonic() + START_TIMEOUT_S)
    if start is None or start.get("UserEvent") != EVENT_CALL_START:
        raise CallerError(f"the carrier did not start call {call_id} ({caller} -> {dialled}) "
                          f"within {START_TIMEOUT_S:.0f} s (got {start})")
    deadline = time.monotonic() + limit + END_GRACE_S
    answered_at: float | None = None
    codec = ""
    digits: list[str] = []
    end: Headers | None = None
    listening_ended = False
    while end is None or (answered_at is not None and not listening_ended):
        if end is not None:
            deadline = min(deadline, time.monotonic() + LISTEN_END_GRACE_S)
        event = _next(events, deadline)
        if event is None:
            if end is not None:
                break  # answered and hung up at once: the listening side never started
            raise CallerError(f"call {call_id} ({caller} -> {dialled}) did not end within "
                              f"{limit + END_GRACE_S:.0f} s")
        name = event.get("UserEvent")
        if name == EVENT_CALL_ANSWERED:
            answered_at = _time(event)
            codec = event.get("Codec", "")
            if on_answer is not None:
                on_answer(event)
        elif name == EVENT_CALL_DIGIT:
            digits.append(event.get("Digit", ""))
        elif name == EVENT_CALL_END:
            end = event
        elif name == EVENT_CALL_LISTEN_END:
            listening_ended = True
    cause = end.get("HangupCause", "")
    return CallerReport(
        call_id=call_id, caller=caller, dialled=dialled,
        started_at=_time(start), answered=answered_at is not None, answered_at=answered_at,
        ended_at=_time(end), dial_status=end.get("DialStatus", ""),
        heard_digits="".join(digits),
        hangup_cause=int(cause) if cause.isdigit() else None,
        sip_cause=end.get("SipCause", ""),
        codec=codec,
    )


def _base64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8", "surrogateescape")).decode("ascii")


def _next(events: queue.Queue[Headers], deadline: float) -> Headers | None:
    try:
        return events.get(timeout=max(0.0, deadline - time.monotonic()))
    except queue.Empty:
        return None


def _time(event: Headers) -> float:
    return float(event["Time"])


class LiveCall:
    """A call the caller holds while a test acts: presses keys when it chooses, hangs up when it
    chooses.  The call runs in a thread; :meth:`report` waits for its end."""

    def __init__(self, ami: AmiClient, caller: str, dialled: str, max_duration: float = 120,
                 heard: str = "") -> None:
        self._ami = ami
        self._answered = threading.Event()
        self._channel = ""
        self._outcome: list[CallerReport | BaseException] = []
        self._done = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(caller, dialled, max_duration, heard), daemon=True,
            name=f"live call {caller} -> {dialled}")
        self._thread.start()

    def _run(self, caller: str, dialled: str, max_duration: float, heard: str) -> None:
        try:
            self._outcome.append(place_call(self._ami, caller, dialled,
                                            max_duration=max_duration, heard=heard,
                                            on_answer=self._on_answer))
        except BaseException as error:  # handed to report()
            self._outcome.append(error)
        finally:
            self._done.set()
            self._answered.set()  # nobody waits for an answer that never comes

    def _on_answer(self, event: Headers) -> None:
        self._channel = event.get("Channel", "")
        self._answered.set()

    def wait_answered(self, timeout: float = START_TIMEOUT_S) -> None:
        if not self._answered.wait(timeout) or not self._channel:
            if self._outcome and isinstance(self._outcome[0], BaseException):
                raise self._outcome[0]  # the call failed: say why
            raise CallerError(f"the appliance did not answer within {timeout:.0f} s")

    def press(self, keys: str, gap: float = 0.25) -> None:
        """Press ``keys`` one after another, as the caller's phone sends them (RFC 4733)."""
        self.wait_answered()
        for key in keys:
            self._ami.action("PlayDTMF", Channel=self._channel, Digit=key,
                             Duration=str(DTMF_PRESS_MS))
            time.sleep(gap)

    def hang_up(self) -> None:
        self.wait_answered()
        self._ami.action("Hangup", Channel=self._channel, check=False)

    @property
    def ended(self) -> bool:
        return self._done.is_set()

    def report(self, timeout: float = 120) -> CallerReport:
        if not self._done.wait(timeout):
            raise CallerError(f"the call did not end within {timeout:.0f} s")
        outcome = self._outcome[0]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome
