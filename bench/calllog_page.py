"""How fast the call log pages, filters, counts and exports with 100,000 calls.

Builds a temporary database (5 numbers, 60 people in 6 groups, 100,000 calls over two years,
3-10 legs each except calls to an unknown number, outcomes mixed) with batched raw inserts,
then times, per operation, ``--runs`` calls interleaved with the baseline, a raw
``SELECT id FROM call ORDER BY arrived_at DESC LIMIT 50`` (no models, no legs, no dicts), so
the ratio means something on a noisy machine.  The pages are the API's whole work: the calls,
their legs in one query, ``call_to_dict``.  The deep cursor pages are timed alone, after a walk
to row 90,000 (a person's: row 5,000).  Then the CSV export of every call, once plain and once under
tracemalloc (its peak says whether memory stays flat), and the database's size.

Run: .venv/bin/python bench/calllog_page.py [--calls 100000] [--runs 50]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import peewee

from paivystys.appliance.calllog.csv_export import csv_rows
from paivystys.appliance.calllog.query import (
    DEFAULT_LIMIT,
    MAX_OFFSET,
    CallFilter,
    count_calls,
    page,
)
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.query_count import count_queries
from paivystys.appliance.ringing.rule import CallOutcome, LegResult, Stage

NUMBERS = 5
GROUPS = 6
PEOPLE_PER_GROUP = 10
BASELINE_SQL = "SELECT id FROM call ORDER BY arrived_at DESC LIMIT 50"
START = dt.datetime(2024, 11, 25, tzinfo=dt.UTC)
SPAN_S = 2 * 365 * 24 * 3600
FIRST_NAMES = ["Maija", "Pekka", "Äijö", "Liisa", "Matti", "Sanna", "Jyrki", "Öljy-Kalle",
               "Tiina", "Ville"]
# answered, by backup, missed, abandoned, unknown number
OUTCOME_WEIGHTS = [(CallOutcome.ANSWERED, 70), (CallOutcome.ANSWERED_BY_BACKUP, 8),
                   (CallOutcome.MISSED, 10), (CallOutcome.ABANDONED, 10),
                   (CallOutcome.UNKNOWN_NUMBER, 2)]
BATCH = 5000


def stamp(moment: dt.datetime) -> str:
    # What sqlite3's datetime adapter writes for the monitor's aware UTC datetimes.
    return moment.isoformat(sep=" ")


def build(db: peewee.SqliteDatabase, calls: int, rng: random.Random) -> None:
    """The directory with the models, the call log with executemany in batches."""
    connection = db.connection()
    now = stamp(START)
    with db.atomic():
        connection.executemany(
            'INSERT INTO "group" (id, name, created_at) VALUES (?, ?, ?)',
            [(group, f"Ryhmä {group}", now) for group in range(1, GROUPS + 1)])
        connection.executemany(
            "INSERT INTO on_call_number (id, number, name, backup_group_id, recording, "
            "retention_days, sms_on_taken, sms_to_caller, sms_on_missed, created_at) "
            "VALUES (?, ?, ?, ?, 0, 90, 1, 1, 1, ?)",
            [(number, f"+35820{1000000 + number}", f"Päivystys {number}", GROUPS, now)
             for number in range(1, NUMBERS + 1)])
        people = GROUPS * PEOPLE_PER_GROUP
        connection.executemany(
            "INSERT INTO person (id, name, phone, on_duty, wants_sms, created_at) "
            "VALUES (?, ?, ?, 1, 1, ?)",
            [(person, f"{FIRST_NAMES[person % 10]} {person}", f"+35840{2000000 + person}", now)
             for person in range(1, people + 1)])
        connection.executemany(
            "INSERT INTO membership (person_id, group_id) VALUES (?, ?)",
            [(person, (person - 1) // PEOPLE_PER_GROUP + 1) for person in range(1, people + 1)])
        for batch in _batches(_calls(calls, rng)):
            connection.executemany(
                "INSERT INTO call (id, call_id, number_id, dialled, caller, arrived_at, "
                "answered_at, ended_at, wait_s, talk_s, outcome, answered_by_id, "
                "answered_by_name, answered_stage, recording, routing) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [call for call, _ in batch])
            connection.executemany(
                "INSERT INTO leg (call_id, person_id, person_name, phone, group_id, group_name, "
                "stage, rung_at, answered_at, ended_at, result) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [leg for _, legs in batch for leg in legs])
    # No ANALYZE: the appliance never runs it, so SQLite plans without statistics there too.
    db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _batches(rows: Iterator[tuple[tuple, list[tuple]]]) -> Iterator[list[tuple[tuple, list]]]:
    batch: list[tuple[tuple, list]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _person(person: int) -> tuple[str, str, int, str]:
    group = (person - 1) // PEOPLE_PER_GROUP + 1
    return f"{FIRST_NAMES[person % 10]} {person}", f"+35840{2000000 + person}", group, \
        f"Ryhmä {group}"


def _calls(count: int, rng: random.Random) -> Iterator[tuple[tuple, list[tuple]]]:
    """Call rows in arrival order (ids grow with time, as the monitor writes them), each with
    its leg rows.  Number n rings group n; group 6 is everyone's backup."""
    outcomes = [outcome for outcome, _ in OUTCOME_WEIGHTS]
    weights = [weight for _, weight in OUTCOME_WEIGHTS]
    arrivals = sorted(rng.uniform(0, SPAN_S) for _ in range(count))
    callers = [f"+358{rng.choice(['40', '44', '45', '50'])}{rng.randrange(10**6, 10**7)}"
               for _ in range(20_000)]
    for call_id, offset in enumerate(arrivals, start=1):
        arrived = START + dt.timedelta(seconds=offset)
        outcome = rng.choices(outcomes, weights)[0]
        number = None if outcome == CallOutcome.UNKNOWN_NUMBER else rng.randint(1, NUMBERS)
        legs: list[tuple] = []
        answered_at = ended_at = wait_s = talk_s = answered_by = name = stage = None
        if number is not None:
            main = rng.sample(range((number - 1) * PEOPLE_PER_GROUP + 1,
                                    number * PEOPLE_PER_GROUP + 1), rng.randint(3, 8))
            backup = rng.sample(range(51, 61), rng.randint(0, 2) if outcome !=
                                CallOutcome.ANSWERED_BY_BACKUP else 2)
            wait_s = round(rng.uniform(2, 30), 3)
            winner = None
            if outcome == CallOutcome.ANSWERED:
                winner, stage = rng.choice(main), Stage.MAIN
            elif outcome == CallOutcome.ANSWERED_BY_BACKUP:
                winner, stage = rng.choice(backup), Stage.BACKUP
            answered_at_dt = arrived + dt.timedelta(seconds=wait_s)
            if winner is not None:
                talk_s = round(rng.uniform(10, 900), 3)
                answered_by, name = winner, _person(winner)[0]
                answered_at = stamp(answered_at_dt)
                ended_at = stamp(answered_at_dt + dt.timedelta(seconds=talk_s))
            else:
                ended_at = stamp(answered_at_dt)
            for index, person in enumerate(main + backup):
                person_name, phone, group, group_name = _person(person)
                result = LegResult.CONFIRMED if person == winner else rng.choice(
                    [LegResult.NO_ANSWER, LegResult.NO_ANSWER, LegResult.BUSY, LegResult.DECLINED,
                     LegResult.TOO_LATE])
                legs.append((call_id, person, person_name, phone, group, group_name,
                             Stage.BACKUP if person in backup else Stage.MAIN,
                             stamp(arrived + dt.timedelta(seconds=0.1 * index)),
                             answered_at if person == winner else None, ended_at, result))
        else:
            ended_at = stamp(arrived + dt.timedelta(seconds=3))
        yield ((call_id, f"{1700000000 + call_id}.{call_id % 97}", number,
                f"020{1000000 + (number or 9)}", rng.choice(callers), stamp(arrived),
                answered_at, ended_at, wait_s, talk_s, outcome, answered_by, name, stage,
                None, "agi"), legs)


def timed_pairs(function: Callable[[], object], baseline: Callable[[], object],
                runs: int) -> tuple[list[float], list[float]]:
    """Each run times the function, then the baseline: both see the same machine load."""
    function()
    baseline()
    ours: list[float] = []
    base: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        middle = time.perf_counter()
        baseline()
        ours.append(middle - start)
        base.append(time.perf_counter() - middle)
    return ours, base


def p50_p95(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=20, method="inclusive")
    return statistics.median(samples) * 1000, cuts[18] * 1000


def add_person(db: peewee.SqliteDatabase, name: str, phone: str) -> int:
    cursor = db.execute_sql("INSERT INTO person (name, phone, on_duty, wants_sms, created_at) "
                            "VALUES (?, ?, 1, 1, ?)", (name, phone, stamp(START)))
    return cursor.lastrowid


def measure(db: peewee.SqliteDatabase, cases: list[tuple[str, Callable[[], object]]],
            baseline: Callable[[], object], runs: int) -> list[tuple]:
    """(name, p50, p95, baseline p50, baseline p95, SQL statements) for each case."""
    rows = []
    for name, function in cases:
        ours, base = timed_pairs(function, baseline, runs)
        rows.append((name, *p50_p95(ours), *p50_p95(base), count_queries(db, function)))
    return rows


def cursor_at(row: int, call_filter: CallFilter | None, sort: str) -> str:
    """The cursor that starts at ``row``, found by walking up to 500 rows a page."""
    step = min(row, 500)
    cursor = None
    for _ in range(row // step):
        cursor = page(call_filter, sort, step, cursor).next_cursor
    assert cursor is not None
    return cursor


def export_all() -> int:
    """The rows exported (no field of the bench's calls holds a line break)."""
    return sum(piece.count("\r\n") for piece in csv_rows()) - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    arguments = parser.parse_args()
    rng = random.Random(20261125)

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "paivystys.db"
        db = open_database(path)
        started = time.perf_counter()
        build(db, arguments.calls, rng)
        build_s = time.perf_counter() - started
        legs = db.execute_sql("SELECT COUNT(*) FROM leg").fetchone()[0]
        size_mb = path.stat().st_size / 1e6

        def baseline() -> None:
            db.execute_sql(BASELINE_SQL).fetchall()

        last_half_year = CallFilter(since=START + dt.timedelta(days=550),
                                    until=START + dt.timedelta(days=730), number_id=2,
                                    outcome=CallOutcome.MISSED)
        person = CallFilter(visible_to_person=17)
        newcomer = CallFilter(visible_to_person=add_person(db, "Uusi Tulokas", "+358509000001"))
        deep_row = arguments.calls * 9 // 10
        person_row = arguments.calls // 20  # a person is in about a ninth of the calls
        deep = cursor_at(deep_row, None, "-arrived_at")
        deep_wait = cursor_at(deep_row, None, "-wait_s")
        deep_person = cursor_at(person_row, person, "-arrived_at")
        cases: list[tuple[str, Callable[[], object]]] = [
            ("page 1, newest first", lambda: page()),
            (f"page at row {deep_row:,} by cursor", lambda: page(cursor=deep)),
            (f"page at row {MAX_OFFSET:,} by offset", lambda: page(offset=MAX_OFFSET)),
            ("number + outcome + half year, page 1", lambda: page(last_half_year)),
            ("a person's calls, page 1", lambda: page(person)),
            ("a person on no call yet, page 1", lambda: page(newcomer)),
            (f"a person's calls, row {person_row:,} by cursor",
             lambda: page(person, cursor=deep_person)),
            ("caller digits substring, page 1", lambda: page(CallFilter(caller="1234"))),
            ("caller 040 prefix, page 1", lambda: page(CallFilter(caller="0401"))),
            ("sort -wait_s, page 1", lambda: page(sort="-wait_s")),
            (f"sort -wait_s, row {deep_row:,} by cursor",
             lambda: page(sort="-wait_s", cursor=deep_wait)),
            (f"sort -wait_s, row {MAX_OFFSET:,} by offset",
             lambda: page(sort="-wait_s", offset=MAX_OFFSET)),
            ("sort outcome, page 1", lambda: page(sort="outcome")),
            ("total, no filter", lambda: count_calls()),
            ("total, number + outcome + half year", lambda: count_calls(last_half_year)),
            ("total, a person's calls", lambda: count_calls(person)),
            ("total, caller digits substring", lambda: count_calls(CallFilter(caller="1234"))),
            ("page 1 with total, a person's calls", lambda: page(person, with_total=True)),
        ]
        rows = measure(db, cases, baseline, arguments.runs)

        started = time.perf_counter()
        exported = export_all()
        export_s = time.perf_counter() - started
        tracemalloc.start()
        export_all()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        # A small team's case: someone rung for every call (the other plan for a person).
        everyone = add_person(db, "Aina Päivystäjä", "+358509000002")
        db.execute_sql("INSERT INTO leg (call_id, person_id, person_name, phone, stage, rung_at, "
                       "result) SELECT id, ?, 'Aina Päivystäjä', '+358509000002', 'backup', "
                       "arrived_at, 'no_answer' FROM call", (everyone,))
        always = CallFilter(visible_to_person=everyone)
        deep_always = cursor_at(deep_row, always, "-arrived_at")
        rows += measure(db, [
            ("a person on every call, page 1", lambda: page(always)),
            (f"a person on every call, row {deep_row:,} by cursor",
             lambda: page(always, cursor=deep_always)),
            ("total, a person on every call", lambda: count_calls(always)),
        ], baseline, arguments.runs)
        db.close()

    print(f"database: {arguments.calls:,} calls, {legs:,} legs, {size_mb:.1f} MB "
          f"(built in {build_s:.1f} s); {arguments.runs} runs each, page of {DEFAULT_LIMIT}")
    print(f"baseline: {BASELINE_SQL}")
    print(f"{'operation':46} {'p50 ms':>8} {'p95 ms':>8} {'base p50':>9} {'base p95':>9} "
          f"{'ratio':>7} {'SQL':>4}")
    for name, p50, p95, base50, base95, queries in rows:
        print(f"{name:46} {p50:8.2f} {p95:8.2f} {base50:9.3f} {base95:9.3f} "
              f"{p50 / base50:6.0f}x {queries:4d}")
    print(f"CSV export: {exported:,} rows in {export_s:.1f} s "
          f"({exported / export_s:,.0f} rows/s); "
          f"peak Python memory during an export {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
