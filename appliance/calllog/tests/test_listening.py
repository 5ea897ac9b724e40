"""The listening line's calls: newest first, paged by cursor, each with its events and the
recordings they were about; a person sees only the calls the line identified them in."""

from __future__ import annotations

import base64
import datetime as dt
import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import peewee
import pytest

from paivystys.appliance.calllog.listening import listening_page
from paivystys.appliance.calllog.query import QueryError
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import (
    Call,
    ListeningCall,
    ListeningEvent,
    ListeningNumber,
    Person,
)
from paivystys.appliance.db.query_count import count_queries

_unique_ids = itertools.count(1)
T0 = dt.datetime(2026, 12, 3, 14, 5, tzinfo=dt.UTC)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


@pytest.fixture(autouse=True)
def db(tmp_path: Path) -> Iterator[peewee.SqliteDatabase]:
    database = open_database(tmp_path / "x.db")
    yield database
    database.close()


@pytest.fixture
def maija() -> Person:
    return Person.create(name="Maija", phone="+358405550101")


@pytest.fixture
def pekka() -> Person:
    return Person.create(name="Pekka", phone="+358405550102")


@pytest.fixture
def line() -> ListeningNumber:
    return ListeningNumber.create(number="+358205550199", name="Kuuntelu")


def listening_call(line: ListeningNumber | None, minutes: float, person: Person | None,
                   outcome: str | None = "listened") -> ListeningCall:
    return ListeningCall.create(
        call_id=f"1765000000.{next(_unique_ids)}", number=line, dialled="+358205550199",
        caller="+358405550101", arrived_at=at(minutes),
        ended_at=at(minutes + 2) if outcome is not None else None,
        person=person, person_name=person.name if person else None, outcome=outcome)


def recorded_call(minutes: float, caller: str, answerer: Person) -> Call:
    return Call.create(call_id=f"1764000000.{next(_unique_ids)}", dialled="+358205550100",
                       caller=caller, arrived_at=at(minutes), outcome="answered",
                       answered_by=answerer, recording=f"r-{minutes}.wav")


def test_newest_first_with_the_number_the_person_and_the_events_in_order(
        line: ListeningNumber, maija: Person) -> None:
    older = listening_call(line, 0, maija, "refused")
    newer = listening_call(line, 10, maija)
    first = recorded_call(-60, "+358401234567", maija)
    second = recorded_call(-30, "", maija)  # withheld
    ListeningEvent.create(listening_call=newer, at=at(10.5), action="deleted", call=second)
    ListeningEvent.create(listening_call=newer, at=at(10.2), action="played", call=second)
    ListeningEvent.create(listening_call=newer, at=at(11), action="played", call=first)
    items = listening_page().items
    assert [item["id"] for item in items] == [newer.id, older.id]
    assert items[0] == {
        "id": newer.id, "arrived_at": "2026-12-03T14:15:00.000+00:00",
        "ended_at": "2026-12-03T14:17:00.000+00:00", "caller": "+358405550101",
        "dialled": "+358205550199", "number_name": "Kuuntelu", "person_id": maija.id,
        "person_name": "Maija", "outcome": "listened",
        "events": [
            {"at": "2026-12-03T14:15:12.000+00:00", "action": "played",
             "call_id": second.id, "call_arrived_at": "2026-12-03T13:35:00.000+00:00",
             "call_caller": ""},
            {"at": "2026-12-03T14:15:30.000+00:00", "action": "deleted",
             "call_id": second.id, "call_arrived_at": "2026-12-03T13:35:00.000+00:00",
             "call_caller": ""},
            {"at": "2026-12-03T14:16:00.000+00:00", "action": "played",
             "call_id": first.id, "call_arrived_at": "2026-12-03T13:05:00.000+00:00",
             "call_caller": "+358401234567"}]}
    assert items[1]["events"] == [] and items[1]["outcome"] == "refused"


def test_a_call_in_progress_an_unknown_caller_a_removed_number_and_a_removed_call(
        line: ListeningNumber, maija: Person) -> None:
    going = listening_call(line, 5, None, outcome=None)
    gone_number = listening_call(None, 3, maija)
    recorded = recorded_call(-10, "+358401234567", maija)
    ListeningEvent.create(listening_call=gone_number, at=at(3.5), action="played",
                          call=recorded)
    recorded.delete_instance()
    items = {item["id"]: item for item in listening_page().items}
    assert items[going.id]["ended_at"] is None and items[going.id]["outcome"] is None
    assert items[going.id]["person_id"] is None and items[going.id]["person_name"] is None
    assert items[gone_number.id]["number_name"] is None
    assert items[gone_number.id]["events"] == [{
        "at": "2026-12-03T14:08:30.000+00:00", "action": "played", "call_id": None,
        "call_arrived_at": None, "call_caller": None}]


def test_a_person_sees_only_the_calls_the_line_identified_them_in(
        line: ListeningNumber, maija: Person, pekka: Person) -> None:
    hers = listening_call(line, 0, maija)
    listening_call(line, 1, pekka)
    listening_call(line, 2, None, "refused")  # an unknown personal number: nobody's
    assert [item["id"] for item in listening_page(visible_to_person=maija.id).items] == [
        hers.id]
    page = listening_page(visible_to_person=pekka.id, with_total=True)
    assert page.total == 1 and page.items[0]["person_id"] == pekka.id
    assert listening_page(with_total=True).total == 3
    nobody = Person.create(name="Uusi", phone="+358405550103")
    assert listening_page(visible_to_person=nobody.id, with_total=True).total == 0


def test_pages_by_cursor_through_ties_and_stays_with_the_person(
        line: ListeningNumber, maija: Person, pekka: Person) -> None:
    made = [listening_call(line, minutes // 2, maija if minutes % 3 else pekka).id
            for minutes in range(12)]  # pairs arrive at the same moment
    seen: list[int] = []
    cursor = None
    while True:
        page = listening_page(limit=4, cursor=cursor)
        seen += [item["id"] for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    # Made in arrival order, ids rising: newest first is the reverse, ties by id.
    assert seen == made[::-1]
    # Maija's cursor used for Pekka's listing still shows only Pekka's calls.
    hers = listening_page(limit=2, visible_to_person=maija.id)
    theirs = listening_page(limit=10, cursor=hers.next_cursor, visible_to_person=pekka.id)
    assert {item["person_id"] for item in theirs.items} == {pekka.id}


def test_a_page_costs_the_same_queries_however_many_events(
        db: peewee.SqliteDatabase, line: ListeningNumber, maija: Person) -> None:
    recorded = recorded_call(-10, "+358401234567", maija)
    for minutes in range(20):
        call = listening_call(line, minutes, maija)
        for second in range(5):
            ListeningEvent.create(listening_call=call, at=at(minutes) + dt.timedelta(
                seconds=second), action="played", call=recorded)
    assert count_queries(db, lambda: listening_page(limit=20)) == 2


@pytest.mark.parametrize("cursor", [
    "", "not a cursor", "bm90IGEgY3Vyc29y", "ä", "' OR 1=1 --",
    base64.urlsafe_b64encode(json.dumps(["2026-12-03", 0]).encode()).decode(),
    base64.urlsafe_b64encode(json.dumps([1, 2]).encode()).decode(),
    base64.urlsafe_b64encode(json.dumps(["x", 1, 2]).encode()).decode(),
    base64.urlsafe_b64encode(json.dumps({"a": 1}).encode()).decode(),
])
def test_a_damaged_or_hostile_cursor_names_the_cursor(cursor: str, maija: Person) -> None:
    with pytest.raises(QueryError) as refused:
        listening_page(cursor=cursor)
    assert refused.value.field == "cursor"


@pytest.mark.parametrize(("arguments", "field"), [
    ({"limit": 0}, "limit"), ({"limit": 501}, "limit"), ({"limit": True}, "limit"),
    ({"limit": "5"}, "limit"), ({"visible_to_person": 0}, "visible_to_person"),
    ({"visible_to_person": "1 OR 1"}, "visible_to_person"),
])
def test_bad_arguments_name_themselves(arguments: dict, field: str) -> None:
    with pytest.raises(QueryError) as refused:
        listening_page(**arguments)
    assert refused.value.field == field
