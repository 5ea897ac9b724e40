"""The fault-injection soak: a few hundred calls with random handsets, several at once, while
the configuration is reloaded, the FastAGI server, the call monitor and the modem service are
killed with SIGKILL and started again, and the appliance's Asterisk is restarted between calls.

Afterwards, with everything settled: every call has exactly one complete row in the call log
with the one outcome its handsets allow; nothing but a human's 1 answered a call (the carrier
saw that person press 1, and the caller heard that person's identity digits and nobody
else's); no channel is left on either Asterisk; every SMS in the outbox went out exactly once
and the simulated modem sent nothing else.  The counts are printed and written as JSON.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from soak_chaos import CallGate, Chaos, ChaosRecord, wait_no_channels
from soak_plans import (
    HUMAN_ANSWER_S,
    HUMAN_CONFIRM_S,
    CallPlan,
    Line,
    Person,
    line_shape,
    make_plan,
)

from paivystys.appliance.calllog import call_to_dict
from paivystys.appliance.db.models import Call, OutboxMessage
from paivystys.appliance.directory import Directory
from paivystys.appliance.lab.caller import CallerReport, place_call
from paivystys.appliance.lab.carrier import EVENT_HANDSET_PRESSED, HUMAN
from paivystys.appliance.lab.handsets import HandsetEvents, Handsets
from paivystys.appliance.phones import looks_like_phone
from paivystys.appliance.ringing.rule import CallOutcome, LegResult
from paivystys.appliance.sms.kinds import ABANDONED, CALLER_CONTACT, MISSED, TAKEN
from paivystys.appliance.sms.outbox import states
from paivystys.modem.simulator import read_sent_messages

from conftest import CONFIRM_TIMEOUT, RING_TIME, Scenario, SoakSettings, new_mobile

LINES_PER_CONCURRENT_CALL = 2
BYSTANDERS = ("Sivullinen 1", "Sivullinen 2", "Sivullinen 3")
BYSTANDER_GROUP = "Sivulliset"
ROWS_TIMEOUT_S = 60.0
CHANNELS_TIMEOUT_S = 15.0
SMS_TIMEOUT_BASE_S = 60.0
SMS_TIMEOUT_PER_MESSAGE_S = 0.5
ANSWERED = (CallOutcome.ANSWERED, CallOutcome.ANSWERED_BY_BACKUP)
UNANSWERED_KINDS = {CallOutcome.MISSED: MISSED, CallOutcome.ABANDONED: ABANDONED}


@dataclass
class PlacedCall:
    plan: CallPlan
    started: float  # Unix time
    ended: float
    report: CallerReport | None
    error: str | None


def build_line(directory: Directory, rng: random.Random, index: int) -> Line:
    main_size, backup_size = line_shape(rng)
    scenario = Scenario(directory)
    main_group, backup_group = f"Kestävyys {index}", f"Kestävyys {index} vara"
    main_names = [f"Kestäjä {index}-{position}" for position in range(main_size)]
    backup_names = [f"Kestäjä {index}-v{position}" for position in range(backup_size)]
    scenario.group(main_group, *main_names)
    if backup_names:
        scenario.group(backup_group, *backup_names, backup=True)
    return Line(number=scenario.number, main_group=main_group,
                main=tuple(Person(name, scenario.people[name]) for name in main_names),
                backup_group=backup_group if backup_names else None,
                backup=tuple(Person(name, scenario.people[name]) for name in backup_names))


def place(plan: CallPlan, handsets: Handsets, carrier_ami, gate: CallGate,
          line_locks: dict[str, threading.Lock]) -> PlacedCall:
    # One call per line at a time: its people's handsets are scripted for this call.
    with line_locks[plan.line.number], gate.call():
        started = time.time()
        try:
            for handset in plan.handsets:
                handsets.set(handset.number, handset.behaviour, answer_after=handset.answer_after,
                             confirm_after=handset.confirm_after, talk=handset.talk,
                             identity=handset.identity)
            report = place_call(carrier_ami, plan.caller, plan.line.number,
                                hangup_after=plan.hangup_after)
            return PlacedCall(plan, started, time.time(), report, None)
        except Exception as error:
            return PlacedCall(plan, started, time.time(), None,
                              f"{type(error).__name__}: {error}")


@pytest.mark.soak
def test_calls_survive_reloads_kills_and_restarts(lab, carrier_ami, handsets,
                                                  soak: SoakSettings) -> None:
    # The plans' human timings assume the harness's ring and confirmation times.
    assert HUMAN_ANSWER_S[1] + HUMAN_CONFIRM_S[1] <= RING_TIME - 3
    assert HUMAN_CONFIRM_S[1] < CONFIRM_TIMEOUT
    print(f"\nsoak: {soak.calls} calls, {soak.concurrency} at once, seed {soak.seed} "
          f"(replay the same calls with --soak-seed {soak.seed}); lab in {lab.state_dir}",
          flush=True)
    rng = random.Random(soak.seed)
    directory = Directory()
    lines = [build_line(directory, rng, index)
             for index in range(LINES_PER_CONCURRENT_CALL * soak.concurrency)]
    bystanders = Scenario(directory)
    bystanders.group(BYSTANDER_GROUP, *BYSTANDERS)
    numbers = {line.number for line in lines} | {bystanders.number}
    plans = [make_plan(rng, index, rng.choice(lines), new_mobile(), RING_TIME)
             for index in range(soak.calls)]
    events = HandsetEvents(carrier_ami)
    gate = CallGate()
    chaos = Chaos(lab, gate, random.Random(soak.seed + 1), list(BYSTANDERS), BYSTANDER_GROUP,
                  soak.calls)
    line_locks = {line.number: threading.Lock() for line in lines}

    began = time.monotonic()
    chaos.start()
    try:
        with ThreadPoolExecutor(max_workers=soak.concurrency,
                                thread_name_prefix="caller") as pool:
            placed = list(pool.map(
                lambda plan: place(plan, handsets, carrier_ami, gate, line_locks), plans))
    finally:
        chaos.stop()
    calls_s = time.monotonic() - began

    failures = list(chaos.record.failures)
    lab.wait_services_ready()
    rows = wait_for_rows(placed, ROWS_TIMEOUT_S)
    failures += check_rows(placed, rows, numbers)
    for call in placed:
        failures += check_call(call, rows.get(call.plan.caller, []), events, chaos.record)
    left = wait_no_channels(lab, CHANNELS_TIMEOUT_S)
    if left:
        failures.append(f"[channels] channels left after every call ended: {left}")
    outbox, sent = wait_for_sms(lab)
    failures += check_sms_once(outbox, sent)
    failures += check_sms_per_call(placed, rows, outbox, chaos.record)

    counts = count(soak, placed, rows, chaos.record, outbox, sent, calls_s,
                   time.monotonic() - began, failures)
    soak.report.parent.mkdir(parents=True, exist_ok=True)
    # Each kill and restart with its times, to read a failure against the services' logs.
    outages = [{"service": outage.service, "down": _iso(outage.start), "back": _iso(outage.end)}
               for outage in chaos.record.outages]
    soak.report.write_text(json.dumps({**counts, "failures": failures, "outages": outages},
                                      indent=2, ensure_ascii=False) + "\n")
    print("soak counts: " + json.dumps(counts, ensure_ascii=False), flush=True)
    print(f"soak report: {soak.report.resolve()}", flush=True)
    assert not failures, (f"{len(failures)} failure(s), seed {soak.seed}, lab logs in "
                          f"{lab.state_dir / 'log'}:\n" + "\n".join(failures[:40]))


def _iso(unix_time: float) -> str:
    return datetime.fromtimestamp(unix_time, UTC).isoformat(timespec="milliseconds")


# --- the call log ----------------------------------------------------------------------------

def _caller_key(caller: str) -> str:
    return looks_like_phone(caller) or caller


def read_rows() -> dict[str, list[dict[str, Any]]]:
    """Every call-log row, by its caller's E.164 number."""
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for call in Call.select().order_by(Call.id):
        rows[_caller_key(call.caller)].append(call_to_dict(call))
    return rows


def wait_for_rows(placed: list[PlacedCall], timeout: float) -> dict[str, list[dict[str, Any]]]:
    """The rows once every placed call has an ended one (or after ``timeout`` s)."""
    deadline = time.monotonic() + timeout
    while True:
        rows = read_rows()
        complete = all(any(row["ended_at"] for row in rows.get(call.plan.caller, []))
                       for call in placed)
        if complete or time.monotonic() > deadline:
            return rows
        time.sleep(0.5)


def check_rows(placed: list[PlacedCall], rows: dict[str, list[dict[str, Any]]],
               numbers: set[str]) -> list[str]:
    """No row on the soak's numbers that no placed call accounts for."""
    callers = {call.plan.caller for call in placed}
    return [f"[rows] call-log row of a call nobody placed: {row}"
            for caller, found in rows.items() if caller not in callers
            for row in found if row["number"] in numbers]


def _handset_events(events: HandsetEvents, plan: CallPlan, phone: str) -> list[dict[str, str]]:
    """What ``phone``'s handset did in this call (its events name the caller)."""
    return [event for event in events.of(phone)
            if _caller_key(event.get("Caller", "")) == plan.caller]


def check_call(call: PlacedCall, rows: list[dict[str, Any]], events: HandsetEvents,
               record: ChaosRecord) -> list[str]:
    plan = call.plan
    where = plan.describe()
    if call.error is not None:
        return [f"[caller] {where}: the caller's side failed: {call.error}"]
    assert call.report is not None
    if len(rows) != 1:
        return [f"[rows] {where}: {len(rows)} call-log rows, not 1: {rows}"]
    [row] = rows
    if row["ended_at"] is None or row["outcome"] is None:
        return [f"[rows] {where}: incomplete row {row}"]
    failures = []
    heard = call.report.heard_digits
    if row["outcome"] != plan.expected_outcome:
        did = {person.name: [event["UserEvent"]
                             for event in _handset_events(events, plan, person.phone)]
               for person in plan.line.people}
        failures.append(f"[outcome] {where}: outcome {row['outcome']}, expected "
                        f"{plan.expected_outcome}; heard {heard!r}; handsets {did}; row {row}")
    if row["outcome"] in ANSWERED:
        failures += _check_answerer(call, row, events)
    elif heard:
        failures.append(f"[heard] {where}: unanswered ({row['outcome']}) but the caller "
                        f"heard {heard!r}")
    if not record.monitor_away(call.started, call.ended):
        confirmed = [leg for leg in row["legs"] if leg["result"] == LegResult.CONFIRMED]
        wanted = 1 if row["outcome"] in ANSWERED else 0
        if len(confirmed) != wanted or (wanted and confirmed[0]["person"] != row["answered_by"]):
            failures.append(f"[legs] {where}: confirmed legs {confirmed} for a call "
                            f"{row['outcome']} by {row['answered_by']}")
    return failures


def _check_answerer(call: PlacedCall, row: dict[str, Any], events: HandsetEvents) -> list[str]:
    plan, heard = call.plan, call.report.heard_digits
    where = plan.describe()
    person = next((p for p in plan.line.people if p.name == row["answered_by"]), None)
    if person is None:
        return [f"[answerer] {where}: answered by {row['answered_by']!r}, nobody of this line"]
    handset = plan.script_of(person.phone)
    if handset.behaviour != HUMAN:
        return [f"[answerer] {where}: answered by {person.name}, whose handset is a "
                f"{handset.behaviour}"]
    failures = []
    if person not in plan.possible_answerers:
        failures.append(f"[answerer] {where}: answered by {person.name}, not a human of the stage "
                        f"that must take it")
    pressed = [event for event in _handset_events(events, plan, person.phone)
               if event["UserEvent"] == EVENT_HANDSET_PRESSED and event.get("Digit") == "1"]
    if not pressed:
        failures.append(f"[answerer] {where}: answered by {person.name}, whose handset "
                        "never pressed 1 in this call")
    identity = handset.identity or ""
    repeated = identity * (len(heard) // max(1, len(identity)) + 2)
    if identity not in heard or heard not in repeated:
        failures.append(f"[answerer] {where}: answered by {person.name} (identity "
                        f"{identity}), but the caller heard {heard!r}")
    return failures


# --- SMS -------------------------------------------------------------------------------------

def wait_for_sms(lab) -> tuple[list[OutboxMessage], list]:
    """The outbox once nothing in it is still to be sent, and the simulated modem's sent log
    once it holds as many messages as the outbox says were sent."""
    rows: list[OutboxMessage] = []
    sent: list = []
    deadline = None
    while True:
        rows = list(OutboxMessage.select().order_by(OutboxMessage.id))
        if deadline is None:
            deadline = (time.monotonic() + SMS_TIMEOUT_BASE_S
                        + SMS_TIMEOUT_PER_MESSAGE_S * len(rows))
        sent = read_sent_messages(lab.modem_sent_log)
        done = [row for row in rows if row.state in (states.SENT, states.DELIVERED)]
        settled = not any(row.state in states.OPEN_STATES for row in rows)
        if (settled and len(sent) >= len(done)) or time.monotonic() > deadline:
            return rows, sent
        time.sleep(0.5)


def check_sms_once(outbox: list[OutboxMessage], sent: list) -> list[str]:
    failures = [f"[sms] SMS {row.key} to {row.recipient} not sent: {row.state} "
                f"({row.attempts} attempts, last error {row.last_error!r})"
                for row in outbox if row.state not in (states.SENT, states.DELIVERED)]
    wanted = Counter((row.recipient, row.text) for row in outbox
                     if row.state in (states.SENT, states.DELIVERED))
    got = Counter((message.recipient, message.text) for message in sent)
    for recipient, text in sorted(got.keys() | wanted.keys()):
        if got[(recipient, text)] != wanted[(recipient, text)]:
            failures.append(f"[sms] SMS to {recipient} went out {got[(recipient, text)]} time(s), "
                            f"the outbox has it {wanted[(recipient, text)]} time(s): {text!r}")
    failures += [f"[sms] SMS to {message.recipient} went out incomplete: {message.text!r}"
                 for message in sent if not message.complete]
    return failures


def check_sms_per_call(placed: list[PlacedCall], rows: dict[str, list[dict[str, Any]]],
                       outbox: list[OutboxMessage], record: ChaosRecord) -> list[str]:
    """Each call's messages: the caller's after an answered call; for a call the monitor saw
    whole, also "taken" to everyone else of the stages rung, or "missed"/"abandoned" to each
    person rung (a call replayed from the journal has only its winner's leg)."""
    by_call: dict[int, list[OutboxMessage]] = defaultdict(list)
    for message in outbox:
        if message.call_id is not None:
            by_call[message.call_id].append(message)
    failures = []
    for call in placed:
        found = rows.get(call.plan.caller, [])
        if call.error is not None or len(found) != 1 or found[0]["outcome"] is None:
            continue  # reported already
        row, plan = found[0], call.plan
        messages = by_call[row["id"]]
        kinds = Counter(message.reason for message in messages)
        recipients = {kind: sorted(m.recipient for m in messages if m.reason == kind)
                      for kind in kinds}
        expected: dict[str, list[str]] = {}
        if row["outcome"] in ANSWERED:
            expected[CALLER_CONTACT] = [plan.caller]
        whole = not record.monitor_away(call.started, call.ended)
        if whole and row["outcome"] in ANSWERED:
            rung = plan.line.main + (plan.line.backup
                                     if row["outcome"] == CallOutcome.ANSWERED_BY_BACKUP else ())
            others = sorted(p.phone for p in rung if p.name != row["answered_by"])
            if others:
                expected[TAKEN] = others
        elif whole and row["outcome"] in UNANSWERED_KINDS:
            rung = sorted({leg["phone"] for leg in row["legs"]})
            missing = {p.phone for p in plan.line.main} - set(rung)
            if missing:
                failures.append(f"[legs] {plan.describe()}: main group's {sorted(missing)} "
                                "never rung")
            expected[UNANSWERED_KINDS[row["outcome"]]] = rung
        compared = recipients if whole else {kind: recipients.get(kind, [])
                                             for kind in expected}
        if compared != expected:
            failures.append(f"[sms] {plan.describe()}: {row['outcome']}, SMS {recipients}, "
                            f"expected {expected}")
    return failures


# --- counts ----------------------------------------------------------------------------------

def count(soak: SoakSettings, placed: list[PlacedCall], rows: dict[str, list[dict[str, Any]]],
          record: ChaosRecord, outbox: list[OutboxMessage], sent: list, calls_s: float,
          total_s: float, failures: list[str]) -> dict[str, Any]:
    outcomes: Counter[str] = Counter()
    routing: Counter[str] = Counter()
    for call in placed:
        for row in rows.get(call.plan.caller, []):
            outcomes[row["outcome"] or "incomplete"] += 1
            routing[row["routing"]] += 1
    return {
        "seed": soak.seed,
        "concurrency": soak.concurrency,
        "calls_placed": len(placed),
        "caller_side_errors": sum(call.error is not None for call in placed),
        "answered": outcomes[CallOutcome.ANSWERED],
        "answered_by_backup": outcomes[CallOutcome.ANSWERED_BY_BACKUP],
        "missed": outcomes[CallOutcome.MISSED],
        "abandoned": outcomes[CallOutcome.ABANDONED],
        "other_outcomes": {k: n for k, n in outcomes.items()
                           if k not in (*ANSWERED, *UNANSWERED_KINDS)},
        "routed_failsafe": routing["failsafe"],
        "calls_while_monitor_away": sum(record.monitor_away(call.started, call.ended)
                                        for call in placed),
        "config_changes": record.config_changes,
        "reloads": record.reloads,
        "kills": {name: record.kills[name] for name in ("agi", "monitor", "modem")},
        "asterisk_restarts": record.asterisk_restarts,
        "sms_in_outbox": len(outbox),
        "sms_sent": len(sent),
        "sms_parts_sent": sum(len(message.parts) for message in sent),
        "sms_by_kind": dict(Counter(row.reason for row in outbox)),
        "calls_seconds": round(calls_s, 1),
        "total_seconds": round(total_s, 1),
        "failure_count": len(failures),
        "failures_by_kind": dict(Counter(failure.split("]", 1)[0].lstrip("[")
                                         for failure in failures)),
    }
