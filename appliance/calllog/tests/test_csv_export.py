from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import peewee
import pytest

from paivystys.appliance.calllog.csv_export import csv_rows, legs_summary
from paivystys.appliance.calllog.query import CallFilter, QueryError
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import Call, Leg, OnCallNumber, Person
from paivystys.appliance.db.settings import set_setting

WINTER = dt.datetime(2025, 1, 15, 10, 0, 0, tzinfo=dt.UTC)  # Helsinki +02:00
SUMMER = dt.datetime(2025, 7, 1, 21, 30, 0, 250000, tzinfo=dt.UTC)  # +03:00, next day there
HEADER = ["id", "arrived_at (Europe/Helsinki)", "number", "number_name", "caller", "outcome",
          "answered_by", "answered_stage", "wait_s", "talk_s",
          "answered_at (Europe/Helsinki)", "ended_at (Europe/Helsinki)", "legs", "routing",
          "recording", "call_id", "dialled"]


@pytest.fixture(autouse=True)
def db(tmp_path: Path) -> Iterator[peewee.SqliteDatabase]:
    database = open_database(tmp_path / "x.db")
    yield database
    database.close()


def parse(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


def export(call_filter: CallFilter | None = None, sort: str = "-arrived_at",
           chunk: int = 500) -> str:
    return "".join(csv_rows(call_filter, sort, chunk))


@pytest.fixture
def answered() -> Call:
    number = OnCallNumber.create(number="+358201234567", name="Huolto; Päivystys")
    maija = Person.create(name='Maija "Mape" Mäki', phone="+358401000001")
    pekka = Person.create(name="Pekka\nPoika", phone="+358401000002")
    call = Call.create(call_id="1700000000.1", number=number, dialled="0201234567",
                       caller="+358451234567", arrived_at=WINTER,
                       answered_at=WINTER + dt.timedelta(seconds=4.567),
                       ended_at=WINTER + dt.timedelta(seconds=64.5), wait_s=4.5671,
                       talk_s=59.933, outcome="answered", answered_by=maija,
                       answered_by_name=maija.name, answered_stage="main",
                       recording="2025/01/15/1700000000.1.wav")
    Leg.create(call=call, person=pekka, person_name=pekka.name, phone=pekka.phone,
               stage="main", rung_at=WINTER, ended_at=WINTER, result="no_answer")
    Leg.create(call=call, person=maija, person_name=maija.name, phone=maija.phone,
               stage="main", rung_at=WINTER + dt.timedelta(seconds=0.1), result="confirmed")
    Leg.create(call=call, person=None, person_name="Liisa", phone="+358401000003",
               stage="backup", rung_at=WINTER + dt.timedelta(seconds=30), result=None)
    return call


def test_header_bom_and_a_row(answered: Call) -> None:
    text = export()
    assert text.startswith("\ufeffid;arrived_at (Europe/Helsinki);number;")
    assert "\r\n" in text and text.endswith("\r\n")
    header, row = parse(text)
    assert header == HEADER
    assert dict(zip(header, row, strict=True)) == {
        "id": str(answered.id),
        "arrived_at (Europe/Helsinki)": "2025-01-15 12:00:00",
        "number": "'+358201234567",
        "number_name": "Huolto; Päivystys",
        "caller": "'+358451234567",
        "outcome": "answered",
        "answered_by": 'Maija "Mape" Mäki',
        "answered_stage": "main",
        "wait_s": "4,57",
        "talk_s": "59,93",
        "answered_at (Europe/Helsinki)": "2025-01-15 12:00:04",
        "ended_at (Europe/Helsinki)": "2025-01-15 12:01:04",
        "legs": 'Pekka\nPoika: no_answer; Maija "Mape" Mäki: confirmed; Liisa (backup): ringing',
        "routing": "agi",
        "recording": "2025/01/15/1700000000.1.wav",
        "call_id": "1700000000.1",
        "dialled": "'0201234567",  # digits alone: Excel would drop the 0
    }


def test_fields_are_quoted_only_when_needed(answered: Call) -> None:
    line = export().split("\r\n")[1]
    assert line.startswith(f"{answered.id};2025-01-15 12:00:00;'+358201234567;"
                           '"Huolto; Päivystys";')
    assert ';"Maija ""Mape"" Mäki";main;4,57;' in line


def test_formula_starts_are_defused() -> None:
    for index, caller in enumerate(["=HYPERLINK(\"http://x\")", "-2+3", "@SUM(A1)", "\tx",
                                    "anonymous", ""]):
        Call.create(call_id=str(index), dialled="+358201111111", caller=caller,
                    arrived_at=WINTER + dt.timedelta(minutes=index))
    callers = [row[4] for row in parse(export())[1:]]
    assert callers == ["", "anonymous", "'\tx", "'@SUM(A1)", "'-2+3",
                       "'=HYPERLINK(\"http://x\")"]


def test_times_follow_the_time_zone_setting() -> None:
    Call.create(call_id="summer", dialled="x", caller="y", arrived_at=SUMMER,
                outcome="missed", wait_s=30.0)
    assert parse(export())[1][1] == "2025-07-02 00:30:00"
    set_setting("time_zone", "UTC")
    header, row = parse(export())
    assert header[1] == "arrived_at (UTC)" and row[1] == "2025-07-01 21:30:00"
    assert row[8:10] == ["30,00", ""]


def test_all_rows_stream_in_chunks_in_the_listing_order(db: peewee.SqliteDatabase) -> None:
    with db.atomic():
        for index in range(23):
            # four calls share each instant: the keyset must still see each once
            Call.create(call_id=str(index), dialled="x", caller="+358401234567",
                        arrived_at=WINTER + dt.timedelta(minutes=index // 4),
                        wait_s=float(index % 5))
    pieces = list(csv_rows(chunk=5))
    assert len(pieces) == 1 + 5  # the header, then chunks of 5, 5, 5, 5, 3
    assert pieces[0].count("\r\n") == 1 and pieces[-1].count("\r\n") == 3
    rows = parse("".join(pieces))[1:]
    expected = [call.id for call in Call.select().order_by(Call.arrived_at.desc(),
                                                           Call.id.desc())]
    assert [int(row[0]) for row in rows] == expected
    by_wait = [int(row[0]) for row in parse(export(sort="wait_s", chunk=4))[1:]]
    assert by_wait == [call.id for call in Call.select().order_by(Call.wait_s, Call.id)]


def test_the_listing_filter_and_visibility_apply(answered: Call) -> None:
    other = Person.create(name="Outi", phone="+358401000009")
    missed = Call.create(call_id="2", dialled="x", caller="+358409999999", arrived_at=WINTER,
                         outcome="missed")
    assert len(parse(export())) == 3
    assert [row[0] for row in parse(export(CallFilter(outcome="missed")))[1:]] == [
        str(missed.id)]
    mine = parse(export(CallFilter(visible_to_person=answered.answered_by_id)))
    assert [row[0] for row in mine[1:]] == [str(answered.id)]
    assert parse(export(CallFilter(visible_to_person=other.id))) == [HEADER]


def test_an_empty_log_is_the_header_alone() -> None:
    assert export() == "\ufeff" + ";".join(HEADER) + "\r\n"


def test_bad_arguments_fail_before_the_first_piece() -> None:
    with pytest.raises(QueryError) as error:
        csv_rows(sort="length")
    assert error.value.field == "sort"
    with pytest.raises(QueryError):
        csv_rows(chunk=0)


def test_legs_summary_marks_backup_and_unfinished_legs() -> None:
    legs = [{"person": "Maija", "stage": "main", "result": "confirmed"},
            {"person": "Pekka", "stage": "backup", "result": None}]
    assert legs_summary(legs) == "Maija: confirmed; Pekka (backup): ringing"
    assert legs_summary([]) == ""
