"""The faults the soak injects while calls run, and the gate that keeps calls out of an
Asterisk restart.

Reloads change the configuration for real (through the Directory, as the API and the CLI do):
a bystander of a line nobody calls goes on or off duty, or joins or leaves its group, which
changes that line's failsafe legs and so the generated dialplan, which is reloaded.  The
FastAGI server, the call monitor and the modem service are killed with SIGKILL and started
again after a random pause; calls go on meanwhile.  The appliance's Asterisk is restarted only
while no call is in progress: the gate stops new calls and waits for the running ones.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from paivystys.appliance.directory import Directory
from paivystys.appliance.lab.environment import Lab

KILLED_SERVICES = ("agi", "monitor", "modem")
RELOAD = "reload"
ASTERISK = "asterisk"
# Outages during which the call monitor misses events: its own, and an Asterisk restart (until
# it has reconnected).
MONITOR_AWAY = ("monitor", ASTERISK)
ACTION_WEIGHTS = {RELOAD: 4, "agi": 1, "monitor": 1, "modem": 1}
GAP_S = (1.0, 4.0)  # between two faults
DOWN_S = (0.0, 3.0)  # a killed service stays down this long
RESTART_EVERY_CALLS = (20, 40)  # an Asterisk restart after this many more calls started
FIRST_RESTART_SHARE = 0.5  # the first restart comes by then in a short run
DRAIN_TIMEOUT_S = 120.0  # the longest call: two stages, prompts, talk
CHANNELS_GONE_TIMEOUT_S = 15.0
SERVICE_READY_TIMEOUT_S = 30.0


class CallGate:
    """Calls start through it; ``closed()`` keeps new ones out and waits for running ones."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._running = 0
        self._closed = False
        self.started = 0

    @contextmanager
    def call(self) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: not self._closed)
            self._running += 1
            self.started += 1
        try:
            yield
        finally:
            with self._changed:
                self._running -= 1
                self._changed.notify_all()

    @contextmanager
    def closed(self, timeout: float) -> Iterator[bool]:
        """Yields whether every running call ended within ``timeout`` s."""
        with self._changed:
            self._closed = True
            drained = self._changed.wait_for(lambda: self._running == 0, timeout)
        try:
            yield drained
        finally:
            with self._changed:
                self._closed = False
                self._changed.notify_all()


@dataclass(frozen=True)
class Outage:
    """A service was down (or, for the monitor, not yet reconnected) from ``start`` to
    ``end`` (Unix time)."""

    service: str
    start: float
    end: float


@dataclass
class ChaosRecord:
    config_changes: int = 0
    reloads: int = 0  # changes that changed the dialplan (and so reloaded it)
    kills: Counter[str] = field(default_factory=Counter)
    asterisk_restarts: int = 0
    outages: list[Outage] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def monitor_away(self, start: float, end: float) -> bool:
        """Whether the call monitor missed any part of [start, end]."""
        return any(outage.service in MONITOR_AWAY and outage.start <= end
                   and outage.end >= start for outage in self.outages)


class Chaos:
    def __init__(self, lab: Lab, gate: CallGate, rng: random.Random, bystanders: list[str],
                 bystander_group: str, total_calls: int) -> None:
        self._lab = lab
        self._gate = gate
        self._rng = rng
        self._bystanders = bystanders
        self._group = bystander_group
        self._members = set(bystanders)
        self._on_duty = set(bystanders)
        self._extensions = lab.appliance().instance_dir / "etc" / "extensions.conf"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="chaos", daemon=True)
        self._appliance = lab.appliance()  # one object across restarts: it reaps its process
        first = max(1, int(total_calls * FIRST_RESTART_SHARE))
        self._next_restart = min(first, rng.randint(*RESTART_EVERY_CALLS))
        self.record = ChaosRecord()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=DRAIN_TIMEOUT_S + 60)
        if self._thread.is_alive():
            self.record.failures.append("[chaos] the chaos thread did not stop")

    def _run(self) -> None:
        directory = Directory()
        while not self._stop.wait(self._rng.uniform(*GAP_S)):
            try:
                if self._gate.started >= self._next_restart:
                    self._restart_asterisk()
                    self._next_restart += self._rng.randint(*RESTART_EVERY_CALLS)
                    continue
                action = self._rng.choices(list(ACTION_WEIGHTS),
                                           weights=list(ACTION_WEIGHTS.values()))[0]
                if action == RELOAD:
                    self._change_configuration(directory)
                else:
                    self._kill_and_restart(action)
            except Exception as error:  # every fault the harness itself hit is a failure
                self.record.failures.append(f"[chaos] {type(error).__name__}: {error}")

    def _change_configuration(self, directory: Directory) -> None:
        before = self._extensions.read_text()
        person = self._rng.choice(self._bystanders)
        if self._rng.random() < 0.5:
            on_duty = person not in self._on_duty
            directory.change_person(person, on_duty=on_duty)
            (self._on_duty.add if on_duty else self._on_duty.discard)(person)
        elif person in self._members:
            directory.remove_member(person, self._group)
            self._members.discard(person)
        else:
            directory.add_member(person, self._group)
            self._members.add(person)
        self.record.config_changes += 1
        if self._extensions.read_text() != before:
            self.record.reloads += 1

    def _kill_and_restart(self, name: str) -> None:
        service = self._lab.services()[name]
        start = time.time()
        service.stop(kill=True)  # SIGKILL: no clean-up of any kind
        self.record.kills[name] += 1
        self._stop.wait(self._rng.uniform(*DOWN_S))
        service.start()
        self._lab.wait_services_ready(timeout=SERVICE_READY_TIMEOUT_S, only=(name,))
        self.record.outages.append(Outage(name, start, time.time()))

    def _restart_asterisk(self) -> None:
        monitor = self._lab.services()["monitor"]
        with self._gate.closed(DRAIN_TIMEOUT_S) as drained:
            if not drained:
                self.record.failures.append(
                    f"[chaos] calls still running {DRAIN_TIMEOUT_S:.0f} s after new ones were held "
                    "back for an Asterisk restart")
            leftover = wait_no_channels(self._lab, CHANNELS_GONE_TIMEOUT_S, appliance_only=True)
            if leftover:
                self.record.failures.append(
                    f"[channels] channels left on the appliance between calls: {leftover}")
            start = time.time()
            # The monitor writes its ready file at every (re)connect: gone until it is back.
            monitor.ready_file.unlink(missing_ok=True)
            self._appliance.stop()
            self._appliance.start()
            self._appliance.wait_ready()
            _wait_file(monitor.ready_file, SERVICE_READY_TIMEOUT_S,
                       f"the call monitor to reconnect (log: {monitor.log_file})")
            self.record.asterisk_restarts += 1
            self.record.outages.append(Outage(ASTERISK, start, time.time()))


def channels(lab: Lab, appliance: bool) -> list[str]:
    """The instance's channels by CoreShowChannels (the appliance's AMI user may not run CLI
    commands)."""
    ami = lab.ami(lab.appliance() if appliance else lab.carrier())
    try:
        return [f"{event.get('Channel')} {event.get('Application')}"
                f"({event.get('ApplicationData')})"
                for event in ami.action_list("CoreShowChannels")]
    finally:
        ami.close()


def wait_no_channels(lab: Lab, timeout: float, appliance_only: bool = False) -> list[str]:
    """Waits until no channel is left; returns what is still there after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        left = channels(lab, appliance=True)
        if not appliance_only:
            left += channels(lab, appliance=False)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.2)


def _wait_file(path: Path, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)
