"""How long the "incoming-call" AGI takes with 100 people in the number's groups.

Builds a temporary database, starts the real FastAGI server in-process and plays Asterisk over
TCP (connect, environment, answer every command, until the server closes).  Times, per request:

- incoming-call: the full request, connect to close;
- baseline: the same client against a handler that sets one variable and reads no database, so
  the difference is ours and the ratio means something on a noisy machine;
- decide(): the decision function alone (database reads + assembly, no AGI).

Run: .venv/bin/python bench/agi_decision.py [--requests 2000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from paivystys.agi.handlers.incoming_call import IncomingCallHandler
from paivystys.agi.registry import AgiHandler, HandlerContext, Registry
from paivystys.agi.server import FastAgiServer
from paivystys.agi.tests.fake_asterisk import agi_env, run_agi
from paivystys.appliance.asterisk.variables import AGI_INCOMING_CALL, DECISION
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import Group, Membership, NumberGroup, OnCallNumber, Person
from paivystys.appliance.db.query_count import count_queries
from paivystys.appliance.ringing.lookup import decide
from paivystys.appliance.ringing.rule import IncomingCall

NUMBER = "+358401234567"
MAIN_PEOPLE = 100
BACKUP_PEOPLE = 20  # half of them are also in a main group
WARMUP = 50


class SetOneVariable(AgiHandler):
    def execute(self) -> None:
        self.agi.set_variable(DECISION, "ring")


def build_directory() -> OnCallNumber:
    groups = [Group.create(name=f"group {index}") for index in range(3)]
    backup = Group.create(name="backup")
    number = OnCallNumber.create(number=NUMBER, name="bench", backup_group=backup,
                                 recording=True)
    for position, group in enumerate(groups):
        NumberGroup.create(number=number, group=group, position=position)
    for index in range(MAIN_PEOPLE):
        person = Person.create(name=f"person {index}", phone=f"+35840{1000000 + index}")
        Membership.create(person=person, group=groups[index % 3])
        if index % 5 == 0:  # every fifth is in two groups and must be rung once
            Membership.create(person=person, group=groups[(index + 1) % 3])
        if index < BACKUP_PEOPLE // 2:
            Membership.create(person=person, group=backup)
    for index in range(BACKUP_PEOPLE // 2):
        person = Person.create(name=f"backup {index}", phone=f"+35850{1000000 + index}")
        Membership.create(person=person, group=backup)
    return number


def timed(function: Callable[[], object], count: int) -> list[float]:
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return samples


def percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    p50, p95, p99 = (cuts[index] * 1000 for index in (49, 94, 98))
    worst = max(samples) * 1000
    return f"p50 {p50:6.3f} ms   p95 {p95:6.3f} ms   p99 {p99:6.3f} ms   max {worst:6.3f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    count = parser.parse_args().requests
    # The server logs a line per call at INFO; keep that cost in, but out of the terminal.
    logging.basicConfig(level=logging.INFO, stream=open(os.devnull, "w"))  # noqa: SIM115

    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "paivystys.db")
        number = build_directory()
        recordings = PurePosixPath("/srv/instance/recordings")
        registry = Registry()
        registry.register(AGI_INCOMING_CALL, IncomingCallHandler)
        registry.register("baseline", SetOneVariable)
        server = FastAgiServer(("127.0.0.1", 0), HandlerContext(db, recordings), registry)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        address = server.server_address[:2]
        variables = {"PV_NUMBER_ID": str(number.id), "PV_DIALLED": NUMBER,
                     "PV_CALL_ID": "1700000000.7"}
        incoming_env, baseline_env = agi_env(AGI_INCOMING_CALL), agi_env("baseline")

        def incoming() -> None:
            run_agi(address, incoming_env, variables)

        def baseline() -> None:
            run_agi(address, baseline_env)

        call = IncomingCall(str(number.id), NUMBER, "1700000000.7", "+358501112222")
        now = dt.datetime.now(dt.UTC)

        def decision() -> None:
            decide(call, recordings, now)

        check = run_agi(address, incoming_env, variables).variables
        main_legs, backup_legs = (len(check[name].split("&")) for name in
                                  ("PV_MAIN_LEGS", "PV_BACKUP_LEGS"))
        timed(incoming, WARMUP)
        timed(baseline, WARMUP)
        # Interleaved in blocks so that both see the same machine load.
        incoming_samples: list[float] = []
        baseline_samples: list[float] = []
        for _ in range(count // 100):
            incoming_samples += timed(incoming, 100)
            baseline_samples += timed(baseline, 100)
        server.shutdown()
        server.server_close()

        with db.connection_context():
            queries = count_queries(db, decision)
            timed(decision, WARMUP)
            decision_samples = timed(decision, count)
        db.close()

    print(f"directory: {MAIN_PEOPLE} people in 3 groups (every 5th in two), backup group of "
          f"{BACKUP_PEOPLE} (10 also in the main groups); decision {check[DECISION]}: "
          f"{main_legs} main legs, {backup_legs} backup legs; {queries} SQL queries per decision")
    print(f"{count} requests each, over TCP to the in-process FastAGI server")
    print(f"incoming-call (connect..close): {percentiles(incoming_samples)}")
    print(f"baseline, 1 SET (connect..close): {percentiles(baseline_samples)}")
    print(f"decide() alone:                 {percentiles(decision_samples)}")
    ratio = statistics.median(incoming_samples) / statistics.median(baseline_samples)
    print(f"incoming-call / baseline at p50: {ratio:.2f}x")


if __name__ == "__main__":
    main()
