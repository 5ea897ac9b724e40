"""How fast the losing legs stop once the caller is bridged to the person who confirmed.

One group of six, rung all at once: three humans who answer after 1 s (the winner presses 1
1.5 s later, the other two only at 3.5 s and 4.5 s, so they are still in the prompt when the
call is taken), one voicemail that answers after 0.5 s and listens to the prompt for ever, and
two phones that never answer.  The winner talks 4 s (long enough for the caller to hear its
identity digits, the proof of who was connected) and hangs up, which ends the call.

Each person is a call of its own: the caller's channel ``Originate``s one ``PJSIP/<phone>@trunk``
channel per person (pv-ring-leg), the person who wins the claim SoftHangups every other leg and
redirects the caller to pv-connect, where the caller answers and ``Bridge``s itself to the
winner's channel.  Everything is read from the appliance's own AMI events, with their
``Timestamp`` header (manager.conf has timestampevents=yes), so the numbers are Asterisk's
clock, not Python's:

- the caller's channel: ``Uniqueid`` = ``CallId`` of the ``PvCallStart`` UserEvent; the
  bridge is its ``BridgeEnter``, and whom the caller talks to is the other channel that
  entered the same bridge (``BridgeUniqueid``);
- every person's channel: the ``PvLegEnd`` UserEvent its hangup handler sends (``CallId`` of
  the call, the channel's own ``Channel`` / ``Uniqueid``); one ``PvLegRing`` per person
  (``Person``, ``Phone``) says how many there must be;
- answered legs ("in the prompt"): ``PvLegAnswer`` (its Channel header), the winner:
  ``PvConfirmed`` (sent on the winner's channel); every other person's leg was still ringing;
- a leg is gone at its ``Hangup`` event.

Reported per loser kind: Hangup minus the caller's BridgeEnter (negative: gone before the
bridge), PvConfirmed -> BridgeEnter and PvConfirmed -> each loser's Hangup (the winner hangs
the losers up before it redirects the caller, so they are normally gone before the bridge).
The target is every loser gone within 200 ms.  A call counts as connected to the winner when
the other channel in the caller's bridge is the channel that sent PvConfirmed and that channel
rings the winner's phone; independently, the caller must hear the winner's identity digits.

Run as root: sudo .venv/bin/python bench/loser_hangup.py [--calls 10]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import threading
from dataclasses import dataclass, field

import _lab

from paivystys.appliance.ami.client import AmiClient, Headers
from paivystys.appliance.directory import Directory
from paivystys.appliance.lab.caller import place_call
from paivystys.appliance.lab.handsets import Handsets
from paivystys.appliance.ringing.events import (
    PvCallStart,
    PvConfirmed,
    PvLegAnswer,
    PvLegEnd,
    PvLegRing,
    UserEvent,
    parse,
)

NUMBER = "+358209990700"
CALLER = "+358501230001"
TARGET_S = 0.200
PERSON_CHANNEL = "PJSIP/trunk-"
EVENTS = {"BridgeEnter", "Hangup"}
USER_EVENTS = {spec.NAME for spec in (PvCallStart, PvLegRing, PvLegAnswer, PvConfirmed, PvLegEnd)}
# name -> (phone, handset script); the humans answer after 1 s, the winner presses at +1.5 s.
PEOPLE: dict[str, tuple[str, dict[str, object]]] = {
    "winner": ("+358407000001", {"behaviour": "human", "answer_after": 1.0,
                                 "confirm_after": 1.5, "talk": 4.0}),
    "late-1": ("+358407000002", {"behaviour": "human", "answer_after": 1.0,
                                 "confirm_after": 3.5, "talk": 2.0}),
    "late-2": ("+358407000003", {"behaviour": "human", "answer_after": 1.0,
                                 "confirm_after": 4.5, "talk": 2.0}),
    "voicemail": ("+358407000004", {"behaviour": "voicemail", "answer_after": 0.5}),
    "silent-1": ("+358407000005", {"behaviour": "no-answer"}),
    "silent-2": ("+358407000006", {"behaviour": "no-answer"}),
}


class EventLog:
    """The appliance's events this benchmark needs, in arrival order."""

    def __init__(self, ami: AmiClient) -> None:
        self._lock = threading.Lock()
        self.events: list[Headers] = []
        ami.add_listener(self._on_event)

    def _on_event(self, headers: Headers) -> None:
        name = headers.get("Event")
        if name in EVENTS or (name == "UserEvent" and headers.get("UserEvent") in USER_EVENTS):
            with self._lock:
                self.events.append(headers)

    def snapshot(self) -> list[Headers]:
        with self._lock:
            return list(self.events)


@dataclass
class CallResult:
    call_id: str
    connected_to_winner: bool = False
    confirmed_to_bridge: float | None = None
    confirmed_to_gone: list[float] = field(default_factory=list)  # every loser's Hangup
    delays: dict[str, list[float]] = field(default_factory=lambda: {"ringing": [],
                                                                     "prompt": []})
    problems: list[str] = field(default_factory=list)


def _user(event: Headers) -> UserEvent | None:
    return parse(event) if event.get("Event") == "UserEvent" else None


def analyse(call_id: str, events: list[Headers], winner_phone: str) -> CallResult:
    result = CallResult(call_id)
    bridge: float | None = None
    bridge_id = ""
    confirmed_at: float | None = None
    winner = ""  # the channel that sent PvConfirmed
    winner_person = ""
    phones: dict[str, str] = {}  # person id -> phone, from PvLegRing
    legs: dict[str, tuple[str, str]] = {}  # Uniqueid -> (Channel, Person), from PvLegEnd
    answered: set[str] = set()
    hangups: dict[str, float] = {}  # Uniqueid -> Hangup Timestamp
    entered: list[Headers] = []
    for event in events:
        name = event.get("Event")
        if name == "BridgeEnter":
            entered.append(event)
            if event.get("Uniqueid") == call_id and bridge is None:
                bridge = float(event["Timestamp"])
                bridge_id = event.get("BridgeUniqueid", "")
        elif name == "Hangup":
            hangups.setdefault(event["Uniqueid"], float(event["Timestamp"]))
        elif (user := _user(event)) is None or user.call_id != call_id:
            continue
        elif isinstance(user, PvLegRing):
            phones[user.person] = user.phone
        elif isinstance(user, PvLegEnd) and event.get("Channel", "").startswith(PERSON_CHANNEL):
            legs[event["Uniqueid"]] = (event["Channel"], user.person)
        elif isinstance(user, PvLegAnswer):
            answered.add(event["Channel"])
        elif isinstance(user, PvConfirmed):
            winner = event["Channel"]
            winner_person = user.person
            confirmed_at = float(event["Timestamp"])
    if bridge is None or not winner:
        result.problems.append(f"caller never bridged (BridgeEnter {bridge}), "
                               f"winner {winner!r}")
        return result
    # Whom the caller talks to: whoever else entered the caller's bridge.  That is the
    # winner's Local channel (Local/<person>-<group>@pv-leg-...;1), which only the winner's
    # own confirmation answers; the Local channel in turn is bridged to the person.
    partners = {event["Channel"] for event in entered if event.get("BridgeUniqueid") == bridge_id
                and event.get("Uniqueid") != call_id}
    winners_local = {partner for partner in partners
                     if partner.startswith(f"Local/{winner_person}-")}
    result.connected_to_winner = (len(partners) == 1 and partners == winners_local
                                  and phones.get(winner_person) == winner_phone)
    if not result.connected_to_winner:
        result.problems.append(f"person {winner_person} ({phones.get(winner_person)}) "
                               f"confirmed on {winner}, but the caller's bridge holds "
                               f"{sorted(partners) or 'nobody else'}")
    if confirmed_at is not None:
        result.confirmed_to_bridge = bridge - confirmed_at
    if len(phones) != len(PEOPLE) or len(legs) != len(PEOPLE):
        result.problems.append(f"{len(phones)} people rung, {len(legs)} person legs ended, "
                               f"expected {len(PEOPLE)}")
    for uniqueid, (channel, _) in legs.items():
        if channel == winner:
            continue
        kind = "prompt" if channel in answered else "ringing"
        if uniqueid not in hangups:
            result.problems.append(f"no Hangup event for the {kind} leg {channel}")
            continue
        result.delays[kind].append(hangups[uniqueid] - bridge)
        if confirmed_at is not None:
            result.confirmed_to_gone.append(hangups[uniqueid] - confirmed_at)
    return result


def configure() -> None:
    directory = Directory()
    with directory.batch():
        directory.add_number(NUMBER, "Loser hang-up")
        directory.add_group("losers")
        for name, (phone, _) in PEOPLE.items():
            directory.add_person(f"Bench {name}", phone)
            directory.add_member(f"Bench {name}", "losers")
        directory.set_number_groups(NUMBER, ["losers"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--dump", help="also write the events used, one JSON object a line")
    args = parser.parse_args()
    _lab.isolate()

    # Ring time and confirm timeout far beyond the scenario: only the winner ends anything.
    with _lab.running_lab({"ring_time": "30", "confirm_timeout": "20"}) as lab:
        configure()
        appliance, carrier = lab.ami(lab.appliance()), lab.ami(lab.carrier())
        handsets = Handsets(carrier)
        for phone, script in PEOPLE.values():
            handsets.set(phone, **script)  # type: ignore[arg-type]
        log = EventLog(appliance)
        # One discarded call: the first one pays for loading prompts and the AGI connection.
        place_call(carrier, CALLER, NUMBER)
        _lab.wait_quiet([appliance, carrier])
        first = len(log.snapshot())
        done = _lab.timed_step(f"{args.calls} calls")
        heard: list[str] = []
        for _ in range(args.calls):
            heard.append(place_call(carrier, CALLER, NUMBER).heard_digits)
            _lab.wait_quiet([appliance, carrier])
        done()
        appliance.close()
        carrier.close()
        events = log.snapshot()[first:]

    if args.dump:
        with open(args.dump, "w") as out:
            out.writelines(json.dumps(event) + "\n" for event in events)
    call_ids = [user.call_id for user in map(_user, events) if isinstance(user, PvCallStart)]
    results = [analyse(call_id, events, PEOPLE["winner"][0]) for call_id in call_ids]
    delays: dict[str, list[float]] = {"ringing": [], "prompt": []}
    confirmed = [r.confirmed_to_bridge for r in results if r.confirmed_to_bridge is not None]
    gone = [value for r in results for value in r.confirmed_to_gone]
    for result in results:
        for kind, values in result.delays.items():
            delays[kind] += values

    print(f"\nlosing legs, caller's BridgeEnter -> leg's Hangup, ms (AMI Timestamps); "
          f"{len(results)} calls, {dt.date.today()}")
    over = f"over {TARGET_S * 1000:.0f} ms"
    print(f"{'loser kind':<22} | {'legs':>4} | {'median / max':>17} | {over}")
    for kind, label in (("ringing", "ringing (cancelled)"), ("prompt", "in the prompt")):
        values = delays[kind]
        late = sum(1 for value in values if value > TARGET_S)
        print(f"{label:<22} | {len(values):>4} | {_lab.fmt(values):>17} | {late}")
    print(f"{'PvConfirmed -> bridge':<22} | {len(confirmed):>4} | {_lab.fmt(confirmed):>17} |")
    print(f"{'PvConfirmed -> loser':<22} | {len(gone):>4} | {_lab.fmt(gone):>17} |")
    # A human handset sends its identity (last 4 digits) once bridged: proof of who talked.
    identity = PEOPLE["winner"][0][-4:]
    reached = sum(1 for digits in heard if identity in digits)
    print(f"callers who heard the winner's identity {identity}: {reached} of {len(heard)}")
    connected = sum(1 for result in results if result.connected_to_winner)
    print(f"callers bridged to the winner's channel: {connected} of {len(results)}")
    failed = reached != len(heard) or connected != len(results) or len(results) != len(heard)
    for result in results:
        for line in result.problems:
            failed = True
            print(f"call {result.call_id}: {line}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
