"""Fan-out time: from the caller's INVITE reaching the appliance to the last person's INVITE.

Measured on the wire: a loopback capture (dumpcap, ``udp port 5060``) of a full lab, parsed
with tshark.  For one call, fan-out = time of the last outgoing INVITE (appliance :5060 ->
carrier :5070, one per person, first transmission per Call-ID) minus the time of the incoming
INVITE (carrier :5070 -> appliance :5060).  Every handset is ``no-answer``; the caller hangs
up after 2 s, so each call ends by itself.

Ours: the caller's channel runs the AGI decision and then pv-stage, which loops over the people
and ``Originate``s (asynchronously) one ``PJSIP/<phone>@trunk`` call per person
(pv-ring-leg); each new channel runs pv-person-predial before its INVITE goes out.  So the
fan-out includes the AGI round trip, the per-leg dialplan loop and the Originate threads.

Baseline, in the same run and interleaved with our calls: a bench-only extension added to the
running appliance's ``pv-inbound`` over AMI (``DialplanExtensionAdd``) that does nothing but
Asterisk's plain ``Dial(PJSIP/<phone>@trunk&...)`` of the same people: no AGI, no Originate,
no prompt logic.  The ratio ours/plain is the cost of our call logic.

Run as root: sudo .venv/bin/python bench/fanout.py [--repeats 5] [--sizes 10,50,100]
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import _lab

from paivystys.appliance.ami.client import AmiClient, Headers
from paivystys.appliance.directory import Directory
from paivystys.appliance.lab.caller import place_call
from paivystys.appliance.lab.environment import Lab
from paivystys.appliance.ringing.events import PvDecision, parse

APPLIANCE_PORT = "5060"
CARRIER_PORT = "5070"
CALLER = "+358501230000"
HANGUP_AFTER_S = 2.0
# Longer than the caller's patience: the caller's hang-up, not the ring time, ends each call.
RING_TIME_S = 10
# AMI drops a line over 1024 bytes, and a 100-leg plain Dial string is ~2,600 characters: the
# bench extension builds it in pieces of this many legs, one Set() priority each.
LEGS_PER_PRIORITY = 20
BENCH_VAR = "PV_BENCH_DIAL"


@dataclass
class Target:
    """One group size: our on-call number and the bench extension ringing the same people."""

    legs: int
    number: str
    plain_exten: str
    phones: list[str] = field(default_factory=list)


@dataclass
class Placed:
    kind: str  # "ours" or "plain"
    target: Target
    dialled: str
    started: float  # wall clock, before the Originate
    ended: float  # wall clock, once every channel of the call is gone


@dataclass
class Invite:
    time: float
    src: str
    dst: str
    call_id: str
    user: str


def configure(sizes: list[int]) -> list[Target]:
    """One number and one group of ``legs`` people per size, all in a single apply."""
    directory = Directory()
    targets: list[Target] = []
    with directory.batch():
        for legs in sizes:
            target = Target(legs, number=f"+35820999{legs:04d}", plain_exten=f"999{legs:04d}")
            directory.add_number(target.number, f"Fan-out {legs}")
            group = f"fanout-{legs}"
            directory.add_group(group)
            for index in range(legs):
                phone = f"+35840{legs:03d}{index:04d}"
                directory.add_person(f"Bench {legs}-{index}", phone)
                directory.add_member(f"Bench {legs}-{index}", group)
                target.phones.append(phone)
            directory.set_number_groups(target.number, [group])
            targets.append(target)
    return targets


def add_plain_extension(ami: AmiClient, target: Target) -> None:
    """``plain_exten`` in pv-inbound: Set() the Dial string in pieces, then a bare Dial().

    Added after the last configuration change: a dialplan reload would remove it again.
    """
    pieces = [target.phones[start:start + LEGS_PER_PRIORITY]
              for start in range(0, len(target.phones), LEGS_PER_PRIORITY)]
    steps: list[tuple[str, str]] = []
    for index, piece in enumerate(pieces):
        legs = "&".join(f"PJSIP/{phone}@trunk" for phone in piece)
        value = legs if index == 0 else f"${{{BENCH_VAR}}}&{legs}"
        steps.append(("Set", f"{BENCH_VAR}={value}"))
    steps += [("Dial", f"${{{BENCH_VAR}}},{RING_TIME_S}"), ("Hangup", "")]
    for priority, (application, data) in enumerate(steps, start=1):
        ami.action("DialplanExtensionAdd", Context="pv-inbound", Extension=target.plain_exten,
                   Priority=str(priority), Application=application, ApplicationData=data,
                   Replace="yes")


class Capture:
    """dumpcap on ``lo`` into a file; tshark reads it afterwards (cheaper while calls run)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stderr = ""
        # -B: a 100-leg burst must not overflow the kernel buffer.
        self._process = subprocess.Popen(
            ["dumpcap", "-i", "lo", "-f", f"udp port {APPLIANCE_PORT}", "-B", "64", "-w",
             str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        assert self._process.stderr is not None
        # Calls placed before dumpcap captures would simply be missing from the file.
        for line in self._process.stderr:
            self.stderr += line
            if line.startswith("Capturing on"):
                return
        raise RuntimeError(f"dumpcap did not start: {self.stderr}")

    def stop(self) -> None:
        self._process.send_signal(signal.SIGINT)
        _, rest = self._process.communicate(timeout=30)
        self.stderr += rest

    def dropped(self) -> str:
        match = re.search(r"received/dropped on interface '.*?': (\d+/\d+)", self.stderr)
        return (f"packets received/dropped {match.group(1)}" if match
                else "dumpcap reported no drop count")


def read_invites(path: Path) -> list[Invite]:
    fields = ["frame.time_epoch", "udp.srcport", "udp.dstport", "sip.Call-ID", "sip.r-uri.user"]
    command = ["tshark", "-r", str(path), "-Y", 'sip.Method == "INVITE"', "-T", "fields",
               "-E", "separator=\t"]
    for name in fields:
        command += ["-e", name]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    invites = []
    for line in output.splitlines():
        epoch, src, dst, call_id, user = line.split("\t")
        invites.append(Invite(float(epoch), src, dst, call_id, user))
    return invites


def fanout_of(call: Placed, invites: list[Invite]) -> tuple[float, float, int]:
    """(first, last) outgoing INVITE after the incoming one, in seconds, and the leg count."""
    window = [invite for invite in invites if call.started <= invite.time <= call.ended]
    incoming = [invite for invite in window if invite.src == CARRIER_PORT
                and invite.dst == APPLIANCE_PORT and invite.user == call.dialled]
    if not incoming:
        raise RuntimeError(f"no incoming INVITE for {call.dialled} in the capture")
    start = incoming[0].time
    first_seen: dict[str, float] = {}  # retransmissions keep their Call-ID: count the first
    for invite in window:
        if invite.src == APPLIANCE_PORT and invite.dst == CARRIER_PORT and invite.time >= start:
            first_seen.setdefault(invite.call_id, invite.time)
    if not first_seen:
        return float("nan"), float("nan"), 0
    return min(first_seen.values()) - start, max(first_seen.values()) - start, len(first_seen)


class Decisions:
    """Which routing each of our calls took (agi or failsafe), from the PvDecision events."""

    def __init__(self, ami: AmiClient) -> None:
        self._lock = threading.Lock()
        self.routing: list[str] = []
        ami.add_listener(self._on_event)

    def _on_event(self, headers: Headers) -> None:
        event = parse(headers) if headers.get("Event") == "UserEvent" else None
        if isinstance(event, PvDecision):
            with self._lock:
                self.routing.append(event.routing or "?")


def place(kind: str, target: Target, carrier: AmiClient, quiet: list[AmiClient]) -> Placed:
    dialled = target.number if kind == "ours" else target.plain_exten
    started = time.time()
    place_call(carrier, CALLER, dialled, hangup_after=HANGUP_AFTER_S)
    _lab.wait_quiet(quiet)
    return Placed(kind, target, dialled, started, time.time())


def log_problems(lab: Lab) -> list[str]:
    """WARNING/ERROR lines of the appliance's Asterisk log, counted by their text."""
    counts: dict[str, int] = {}
    for path in (lab.appliance().instance_dir / "log").glob("messages*"):
        for line in path.read_text(errors="replace").splitlines():
            if "WARNING[" in line or "ERROR[" in line:
                text = re.sub(r"^\[[^]]*\] ", "", line)
                text = re.sub(r"\[\d+\](\[[^]]*\])?", "", text)  # thread / call ids vary
                counts[text] = counts.get(text, 0) + 1
    return [f"{count:4d} x {text[:200]}" for text, count in sorted(counts.items())]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sizes", default="10,50,100")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    _lab.isolate()

    with _lab.running_lab({"ring_time": str(RING_TIME_S)}) as lab:
        done = _lab.timed_step("configuring")
        targets = configure(sizes)
        appliance, carrier = lab.ami(lab.appliance()), lab.ami(lab.carrier())
        for target in targets:
            add_plain_extension(appliance, target)
        done()
        decisions = Decisions(appliance)
        capture = Capture(lab.state_dir / "fanout.pcapng")
        placed: list[Placed] = []
        try:
            # One discarded call of each kind: first AGI connection, first prompt files, ...
            for kind in ("ours", "plain"):
                place(kind, targets[0], carrier, [appliance, carrier])
            for repeat in range(args.repeats):
                done = _lab.timed_step(f"round {repeat + 1}/{args.repeats}")
                for target in targets:
                    # Alternate who goes first so that neither always follows a quiet pause.
                    kinds = ("ours", "plain") if repeat % 2 == 0 else ("plain", "ours")
                    for kind in kinds:
                        placed.append(place(kind, target, carrier, [appliance, carrier]))
                done()
        finally:
            capture.stop()
        problems = log_problems(lab)
        appliance.close()
        carrier.close()
        invites = read_invites(capture.path)

    results: dict[tuple[str, int], list[float]] = {}
    # Dial to the last channel gone on both sides: with the caller gone at 2 s, anything much
    # longer means legs kept ringing after the caller (until the ring time or Originate timeout).
    quiet: dict[tuple[str, int], list[float]] = {}
    for call in placed:
        quiet.setdefault((call.kind, call.target.legs), []).append(call.ended - call.started)
    firsts: dict[tuple[str, int], list[float]] = {}
    short: list[str] = []
    for call in placed:
        first, last, count = fanout_of(call, invites)
        if count != call.target.legs:
            short.append(f"{call.kind} {call.target.legs} legs: {count} INVITEs went out")
            continue
        results.setdefault((call.kind, call.target.legs), []).append(last)
        firsts.setdefault((call.kind, call.target.legs), []).append(first)

    print(f"\nfan-out, incoming INVITE -> last outgoing INVITE, ms (median / max of "
          f"{args.repeats}); {dt.date.today()}, loopback capture, {capture.dropped()}")
    print(f"{'legs':>5} | {'ours med / max':>17} | {'plain med / max':>17} | ratio (medians) | "
          f"first INVITE ours / plain (med) | all gone ours / plain (s, max)")
    for legs in sizes:
        ours, plain = results.get(("ours", legs), []), results.get(("plain", legs), [])
        ratio = (f"{_lab.median_max(ours)[0] / _lab.median_max(plain)[0]:6.2f}x"
                 if ours and plain else "-")
        first_ours, first_plain = firsts.get(("ours", legs), []), firsts.get(("plain", legs), [])
        first = (f"{_lab.median_max(first_ours)[0] * 1000:6.1f} / "
                 f"{_lab.median_max(first_plain)[0] * 1000:6.1f}"
                 if first_ours and first_plain else "-")
        gone = " / ".join(f"{max(quiet.get((kind, legs), [float('nan')])):4.1f}"
                          for kind in ("ours", "plain"))
        print(f"{legs:>5} | {_lab.fmt(ours):>17} | {_lab.fmt(plain):>17} | {ratio:>15} | "
              f"{first:>31} | {gone}")
    routings = {name: decisions.routing.count(name) for name in sorted(set(decisions.routing))}
    print(f"our calls' routing (PvDecision): {routings}")
    for line in short:
        print(f"INCOMPLETE: {line}")
    if problems:
        print("appliance Asterisk log, WARNING/ERROR lines:")
        print("\n".join(problems))
    sys.exit(1 if short else 0)


if __name__ == "__main__":
    main()
