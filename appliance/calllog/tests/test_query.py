from __future__ import annotations

import base64
import datetime as dt
import itertools
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import peewee
import pytest

from paivystys.appliance.calllog import call_to_dict
from paivystys.appliance.calllog import query as q
from paivystys.appliance.calllog.query import (
    SORT_FIELDS,
    CallFilter,
    QueryError,
    call_chunks,
    call_detail,
    count_calls,
    page,
)
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import Call, Leg, OnCallNumber, Person
from paivystys.appliance.db.query_count import count_queries
from paivystys.appliance.errors import Invalid

T0 = dt.datetime(2025, 1, 15, 10, 0, 0, tzinfo=dt.UTC)
ALL_SORTS = [prefix + field for field in SORT_FIELDS for prefix in ("", "-")]


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


@pytest.fixture(autouse=True)
def db(tmp_path: Path) -> Iterator[peewee.SqliteDatabase]:
    database = open_database(tmp_path / "x.db")
    yield database
    database.close()


_call_ids = itertools.count(1)


def make_call(number: OnCallNumber | None, minutes: float, caller: str, *,
              outcome: str | None = None, answered_by: Person | None = None,
              stage: str = "main", wait: float | None = None, talk: float | None = None,
              legs: tuple[tuple[Person, str | None, str], ...] = ()) -> Call:
    call = Call.create(call_id=f"1700000000.{next(_call_ids)}", number=number,
                       dialled=number.number if number else "0209999999", caller=caller,
                       arrived_at=at(minutes), wait_s=wait, talk_s=talk, outcome=outcome,
                       answered_by=answered_by,
                       answered_by_name=answered_by.name if answered_by else None,
                       answered_stage=stage if answered_by else None)
    for index, (person, result, leg_stage) in enumerate(legs):
        Leg.create(call=call, person=person, person_name=person.name, phone=person.phone,
                   stage=leg_stage, rung_at=at(minutes + index / 100), result=result)
    return call


class Log:
    """Seven calls: every outcome, both numbers, an unknown number, an answer without a leg
    (failsafe routing), a call still ringing."""

    def __init__(self) -> None:
        self.huolto = OnCallNumber.create(number="+358201000001", name="Huolto")
        self.it = OnCallNumber.create(number="+358201000002", name="IT-tuki")
        self.maija = Person.create(name="Maija", phone="+358401000001")
        self.pekka = Person.create(name="Pekka", phone="+358401000002")
        self.liisa = Person.create(name="Liisa", phone="+358401000003")
        self.outi = Person.create(name="Outi", phone="+358401000004")
        self.ville = Person.create(name="Ville", phone="+358401000005")
        maija, pekka, liisa = self.maija, self.pekka, self.liisa
        self.calls = {
            "c1": make_call(self.huolto, 0, "+358401234567", outcome="answered",
                            answered_by=maija, wait=3.2, talk=60,
                            legs=((maija, "confirmed", "main"), (pekka, "no_answer", "main"))),
            "c2": make_call(self.huolto, 10, "+358451112222", outcome="missed", wait=30,
                            legs=((maija, "no_answer", "main"), (pekka, "busy", "main"))),
            "c3": make_call(self.it, 20, "+358501234000", outcome="answered_by_backup",
                            answered_by=liisa, stage="backup", wait=12, talk=30,
                            legs=((pekka, "no_answer", "main"),
                                  (liisa, "confirmed", "backup"))),
            "c4": make_call(self.it, 30, "+358401234567", outcome="abandoned", wait=5,
                            legs=((liisa, "no_answer", "main"),)),
            "c5": make_call(None, 40, "", outcome="unknown_number"),  # withheld
            "c6": make_call(self.huolto, 50, "+358409999999", outcome="answered",
                            answered_by=self.ville, wait=1, talk=5),
            "c7": make_call(self.huolto, 60, "+358441234567", legs=((maija, None, "main"),)),
        }

    def names(self, items: list[dict[str, Any]]) -> list[str]:
        by_id = {call.id: name for name, call in self.calls.items()}
        return [by_id[item["id"]] for item in items]


@pytest.fixture
def log(db: peewee.SqliteDatabase) -> Log:
    with db.atomic():
        return Log()


@pytest.fixture(params=["gathered", "walked"])
def person_plan(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both forms of the person condition: each must find the same calls."""
    walk = request.param == "walked"
    monkeypatch.setattr(q, "_walk_is_shorter", lambda person_id, limit: walk)
    return request.param


def walk_pages(call_filter: CallFilter | None = None, sort: str = q.DEFAULT_SORT,
               limit: int = 2) -> list[dict[str, Any]]:
    """Every page by following next_cursor."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        result = page(call_filter, sort, limit, cursor)
        assert len(result.items) <= limit
        items += result.items
        cursor = result.next_cursor
        if cursor is None:
            return items


def ids(items: list[dict[str, Any]]) -> list[int]:
    return [item["id"] for item in items]


def test_default_page_is_newest_first_in_call_to_dict_form(log: Log) -> None:
    result = page()
    assert log.names(result.items) == ["c7", "c6", "c5", "c4", "c3", "c2", "c1"]
    assert result.items == [call_to_dict(Call.get_by_id(item["id"])) for item in result.items]
    assert result.next_cursor is None and result.total is None
    json.dumps(result.items)


def test_legs_are_included_in_ring_order(log: Log) -> None:
    item = next(item for item in page().items if item["id"] == log.calls["c3"].id)
    assert [(leg["person"], leg["stage"], leg["result"]) for leg in item["legs"]] == [
        ("Pekka", "main", "no_answer"), ("Liisa", "backup", "confirmed")]
    assert item["legs"][0]["rung_at"] == "2025-01-15T10:20:00.000+00:00"
    assert item["number"] == "+358201000002" and item["number_name"] == "IT-tuki"
    unknown = next(item for item in page().items if item["id"] == log.calls["c5"].id)
    assert unknown["legs"] == [] and unknown["number"] == "0209999999"


def test_a_page_costs_the_same_queries_however_many_calls(
        log: Log, db: peewee.SqliteDatabase) -> None:
    # calls, their legs, their numbers: whatever the page size
    assert count_queries(db, lambda: page(limit=1)) == 3
    assert count_queries(db, lambda: page(limit=7)) == 3
    assert count_queries(db, lambda: page(limit=7, with_total=True)) == 4


def test_an_answerer_without_a_stored_name_comes_from_the_person(log: Log) -> None:
    Call.update(answered_by_name=None).where(Call.id == log.calls["c6"].id).execute()
    assert page().items[1]["answered_by"] == "Ville"


def test_time_range_is_half_open(log: Log) -> None:
    result = page(CallFilter(since=at(10), until=at(30)))
    assert log.names(result.items) == ["c3", "c2"]
    assert log.names(page(CallFilter(since=at(30))).items) == ["c7", "c6", "c5", "c4"]
    assert log.names(page(CallFilter(until=at(10))).items) == ["c1"]
    # a stored time with microseconds sorts between whole seconds
    assert log.names(page(CallFilter(since=at(29.99), until=at(30.01))).items) == ["c4"]


def test_naive_and_other_zone_bounds(log: Log) -> None:
    naive = CallFilter(since=dt.datetime(2025, 1, 15, 10, 10), until=dt.datetime(2025, 1, 15,
                                                                                  10, 30))
    helsinki = dt.timezone(dt.timedelta(hours=2))
    local = CallFilter(since=at(10).astimezone(helsinki), until=at(30).astimezone(helsinki))
    assert log.names(page(naive).items) == log.names(page(local).items) == ["c3", "c2"]


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("number_id", "huolto", ["c7", "c6", "c2", "c1"]),
    ("number_id", "it", ["c4", "c3"]),
    ("answered_by_id", "maija", ["c1"]),
    ("answered_by_id", "ville", ["c6"]),
    ("outcome", "answered", ["c6", "c1"]),
    ("outcome", "unknown_number", ["c5"]),
    ("person_id", "maija", ["c7", "c2", "c1"]),
    ("person_id", "pekka", ["c3", "c2", "c1"]),
    ("person_id", "ville", ["c6"]),
    ("person_id", "outi", []),
    ("caller", "1234", ["c7", "c4", "c3", "c1"]),
    ("caller", "040 123 4567", ["c4", "c1"]),
    ("caller", "+358 40 123-45-67", ["c4", "c1"]),
    ("caller", "00358401234567", ["c4", "c1"]),
    ("caller", "040", ["c6", "c4", "c1"]),
    ("caller", "+35844", ["c7"]),
    ("caller", "(045) 111", ["c2"]),
    ("caller", "withheld", ["c5"]),
    ("caller", " Withheld ", ["c5"]),
])
def test_each_filter_alone(log: Log, person_plan: str, field: str, value: str,
                           expected: list[str]) -> None:
    argument: Any = value
    if field.endswith("_id"):
        argument = getattr(log, value).id
    result = page(CallFilter(**{field: argument}), with_total=True)
    assert log.names(result.items) == expected
    assert result.total == len(expected)


def test_filters_combine(log: Log, person_plan: str) -> None:
    both = CallFilter(number_id=log.huolto.id, person_id=log.pekka.id)
    assert log.names(page(both).items) == ["c2", "c1"]
    narrow = CallFilter(number_id=log.huolto.id, outcome="answered", since=at(0), until=at(50),
                        caller="040")
    assert log.names(page(narrow).items) == ["c1"]
    assert count_calls(narrow) == 1


def test_a_person_sees_the_calls_they_answered_or_were_rung_for(log: Log,
                                                               person_plan: str) -> None:
    def visible(person: Person, **extra: Any) -> list[str]:
        return log.names(walk_pages(CallFilter(visible_to_person=person.id, **extra)))

    assert visible(log.maija) == ["c7", "c2", "c1"]  # rung (one still ringing) and answered
    assert visible(log.liisa) == ["c4", "c3"]
    assert visible(log.ville) == ["c6"]  # answered without a leg (failsafe routing)
    assert visible(log.outi) == []
    # visibility limits every other filter
    assert visible(log.maija, number_id=log.it.id) == []
    assert visible(log.maija, person_id=log.pekka.id) == ["c2", "c1"]
    assert visible(log.liisa, outcome="answered") == []
    assert count_calls(CallFilter(visible_to_person=log.maija.id)) == 3


def test_call_detail_is_none_for_no_such_call_and_for_not_yours(log: Log) -> None:
    c3 = log.calls["c3"].id
    assert call_detail(c3) == call_to_dict(Call.get_by_id(c3))
    assert call_detail(c3, visible_to_person=log.liisa.id) == call_detail(c3)
    assert call_detail(c3, visible_to_person=log.pekka.id) is not None  # rung
    assert call_detail(c3, visible_to_person=log.maija.id) is None
    assert call_detail(log.calls["c6"].id, visible_to_person=log.ville.id)["answered_by"] == \
        "Ville"
    assert call_detail(9999) is None
    assert call_detail(9999, visible_to_person=log.maija.id) is None
    with pytest.raises(QueryError) as error:
        call_detail(c3, visible_to_person=0)
    assert error.value.field == "visible_to_person"


def reference_order(calls: list[Call], sort: str) -> list[int]:
    """The documented order: the field, then the id, the same way; calls without a value
    last both ways for wait_s and talk_s, lowest (SQLite's own order) for outcome."""
    field = sort.removeprefix("-")
    descending = sort.startswith("-")
    pairs = [(getattr(call, field), call.id) for call in calls]
    present = sorted((pair for pair in pairs if pair[0] is not None), reverse=descending)
    missing = sorted((pair for pair in pairs if pair[0] is None), key=lambda pair: pair[1],
                     reverse=descending)
    nulls_last = field in ("wait_s", "talk_s") or descending
    return [call_id for _, call_id in (present + missing if nulls_last else missing + present)]


@pytest.mark.parametrize("sort", ALL_SORTS)
def test_sort_by_each_field_both_ways(log: Log, sort: str) -> None:
    expected = reference_order(list(Call.select()), sort)
    assert ids(page(sort=sort).items) == expected
    assert ids(walk_pages(sort=sort, limit=2)) == expected


def test_sort_examples(log: Log) -> None:
    assert log.names(page(sort="-talk_s").items)[:3] == ["c1", "c3", "c6"]
    assert log.names(page(sort="talk_s").items) == ["c6", "c3", "c1", "c2", "c4", "c5", "c7"]
    assert log.names(page(sort="outcome").items)[:2] == ["c7", "c4"]  # still ringing first
    assert log.names(page(sort="-outcome").items)[-1] == "c7"


@pytest.fixture
def crowded(db: peewee.SqliteDatabase) -> tuple[Person, Person]:
    """45 calls in groups of ten that arrived at the same instant, with repeated and missing
    values in every sort field; Maija rung for every third, Pekka answered every fifth."""
    with db.atomic():
        return _crowd()


def _crowd() -> tuple[Person, Person]:
    number = OnCallNumber.create(number="+358201000009", name="Ruuhka")
    maija = Person.create(name="Maija", phone="+358401000001")
    pekka = Person.create(name="Pekka", phone="+358401000002")
    for index in range(45):
        minutes = index // 10 + (0.5 / 60 if index // 10 == 3 else 0)  # one group at :30.5 s
        make_call(number, minutes, "+358401234567",
                  outcome=[None, "answered", "missed", "answered"][index % 4],
                  answered_by=pekka if index % 5 == 0 else None,
                  wait=[None, 1.5, 2.0][index % 3], talk=[None, 10.0][index % 2],
                  legs=((maija, "no_answer", "main"),) if index % 3 == 0 else ())
    return maija, pekka


@pytest.mark.parametrize("sort", ALL_SORTS)
@pytest.mark.parametrize("limit", [1, 4, 7])
def test_cursor_walk_sees_every_call_once_despite_ties(crowded: tuple[Person, Person],
                                                       sort: str, limit: int) -> None:
    expected = reference_order(list(Call.select()), sort)
    walked = ids(walk_pages(sort=sort, limit=limit))
    assert walked == expected
    assert len(set(walked)) == 45


@pytest.mark.parametrize("sort", ALL_SORTS)
def test_cursor_walk_with_filters_and_a_person(crowded: tuple[Person, Person],
                                               person_plan: str, sort: str) -> None:
    maija, pekka = crowded
    for call_filter in (CallFilter(outcome="answered"), CallFilter(visible_to_person=maija.id),
                        CallFilter(person_id=pekka.id, since=at(1), until=at(4))):
        matching = [call for call in Call.select() if call.id in
                    {item["id"] for item in page(call_filter, limit=q.MAX_LIMIT).items}]
        assert ids(walk_pages(call_filter, sort, limit=3)) == reference_order(matching, sort)
        assert len(matching) == count_calls(call_filter) > 0


def test_offset_pages_match_cursor_pages(crowded: tuple[Person, Person]) -> None:
    for sort in ("-arrived_at", "wait_s"):
        walked = ids(walk_pages(sort=sort, limit=4))
        by_offset = [item["id"] for offset in range(0, 45, 4)
                     for item in page(sort=sort, limit=4, offset=offset).items]
        assert by_offset == walked
    # an offset page still hands out a cursor to go on from
    result = page(limit=4, offset=40)
    assert result.next_cursor is not None
    assert len(page(limit=4, cursor=result.next_cursor).items) == 1


def test_totals(crowded: tuple[Person, Person]) -> None:
    maija, _ = crowded
    assert page(limit=1, with_total=True).total == 45 == count_calls()
    assert page(CallFilter(visible_to_person=maija.id), with_total=True).total == 15
    assert page(CallFilter(outcome="missed"), limit=1, with_total=True).total == 11


def test_the_walk_is_chosen_for_a_person_on_many_calls(crowded: tuple[Person, Person]) -> None:
    maija, pekka = crowded
    outi = Person.create(name="Outi", phone="+358401000004")
    # 45 calls, a page of 1: walking wins above isqrt(45) = 6 of the person's calls
    assert q._walk_is_shorter(maija.id, 1)  # 15
    assert not q._walk_is_shorter(maija.id, 5)  # isqrt(225) = 15
    assert not q._walk_is_shorter(outi.id, 1)
    assert not q._walk_is_shorter(pekka.id, 1)  # answered 9, rung for none: gathered is cheap


def cursor_of(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def test_a_real_cursor_decodes(log: Log) -> None:
    cursor = page(limit=2).next_cursor
    assert cursor is not None and cursor.isascii() and "=" not in cursor
    assert log.names(page(limit=2, cursor=cursor).items) == ["c5", "c4"]
    assert log.names(page(limit=2, cursor=cursor_of(
        ["-arrived_at", "2025-01-15 10:40:00+00:00", log.calls["c5"].id])).items) == ["c4",
                                                                                      "c3"]


@pytest.mark.parametrize("cursor", [
    "garbage!!",
    "",
    "é",
    base64.urlsafe_b64encode(b"not json").decode(),
    base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    cursor_of({"sort": "-arrived_at"}),
    cursor_of(["-arrived_at", "2025-01-15 10:40:00+00:00"]),
    cursor_of(["-wait_s", 3.5, 4]),  # another sort's
    cursor_of(["-arrived_at", 5, 3]),
    cursor_of(["-arrived_at", "yesterday", 3]),
    cursor_of(["-arrived_at", None, 3]),
    cursor_of(["-arrived_at", "2025-01-15 10:40:00+00:00", "3"]),
    cursor_of(["-arrived_at", "2025-01-15 10:40:00+00:00", True]),
    cursor_of(["-arrived_at", "2025-01-15 10:40:00+00:00", 0]),
])
def test_a_tampered_cursor_is_refused_naming_cursor(log: Log, cursor: str) -> None:
    with pytest.raises(QueryError) as error:
        page(cursor=cursor)
    assert error.value.field == "cursor"
    assert str(error.value).startswith("cursor: ")


def test_a_cut_cursor_and_a_bad_key_type_are_refused(log: Log) -> None:
    cursor = page(limit=2).next_cursor
    assert cursor is not None
    for bad in (cursor[:-3], cursor[1:], cursor + "A"):
        with pytest.raises(QueryError, match=r"^cursor: "):
            page(limit=2, cursor=bad)
    for key in ("NaN", "Infinity", "true", '"3"'):
        bad = base64.urlsafe_b64encode(f'["-wait_s",{key},3]'.encode()).decode()
        with pytest.raises(QueryError, match=r"^cursor: "):
            page(sort="-wait_s", cursor=bad)
    assert page(sort="-wait_s", cursor=cursor_of(["-wait_s", None, 3])).items is not None


@pytest.mark.parametrize(("call", "field"), [
    (lambda: page(sort="duration"), "sort"),
    (lambda: page(sort="--arrived_at"), "sort"),
    (lambda: page(sort="+arrived_at"), "sort"),
    (lambda: page(sort="id"), "sort"),
    (lambda: CallFilter(outcome="lost"), "outcome"),
    (lambda: CallFilter(outcome="Answered"), "outcome"),
    (lambda: CallFilter(caller="anonymous"), "caller"),
    (lambda: CallFilter(caller="+"), "caller"),
    (lambda: CallFilter(caller="٣٤٥"), "caller"),
    (lambda: CallFilter(since=at(10), until=at(10)), "until"),
    (lambda: CallFilter(since="2025-01-15"), "since"),
    (lambda: CallFilter(number_id=0), "number_id"),
    (lambda: CallFilter(person_id="3"), "person_id"),
    (lambda: CallFilter(answered_by_id=True), "answered_by_id"),
    (lambda: CallFilter(visible_to_person=-1), "visible_to_person"),
    (lambda: page(limit=0), "limit"),
    (lambda: page(limit=q.MAX_LIMIT + 1), "limit"),
    (lambda: page(offset=-1), "offset"),
    (lambda: page(offset=q.MAX_OFFSET + 1), "offset"),
    (lambda: page(offset=2, cursor=cursor_of(["-arrived_at", "2025-01-15 10:40:00+00:00", 3])),
     "offset"),
    (lambda: call_chunks(sort="nope"), "sort"),
    (lambda: call_chunks(chunk=0), "chunk"),
    (lambda: call_detail("3"), "call_id"),
])
def test_a_bad_value_is_refused_naming_its_field(call: Callable[[], object],
                                                 field: str) -> None:
    with pytest.raises(QueryError) as error:
        call()
    assert error.value.field == field
    assert error.value.message.startswith(f"{field}: ")
    assert isinstance(error.value, Invalid)  # the one field-error type: the API answers 422
    assert error.value.location == "query"


def test_unknown_sort_lists_the_choices() -> None:
    with pytest.raises(QueryError, match="arrived_at, -arrived_at, wait_s"):
        page(sort="duration")


def test_chunks_walk_every_call(crowded: tuple[Person, Person]) -> None:
    chunks = list(call_chunks(sort="talk_s", chunk=10))
    assert [len(chunk) for chunk in chunks] == [10, 10, 10, 10, 5]
    assert [call.id for chunk in chunks for call in chunk] == reference_order(
        list(Call.select()), "talk_s")
    assert list(call_chunks(CallFilter(outcome="abandoned"))) == []
