"""Finnish and English ways of writing the call log's times, durations, numbers and phones."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale

from paivystys.gui.formatting import (
    format_caller,
    format_date,
    format_datetime,
    format_decimal,
    format_duration,
    format_integer,
    format_phone,
    format_time,
)

FINNISH = QLocale(QLocale.Language.Finnish, QLocale.Country.Finland)
ENGLISH = QLocale(QLocale.Language.English)  # what QLocale(English) means: en_US
BRITISH = QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)


def utc(*fields: int) -> dt.datetime:
    return dt.datetime(*fields, tzinfo=dt.UTC)


def spaced(text: str) -> str:
    # CLDR puts a narrow no-break space before "AM"/"PM" and no-break spaces in numbers;
    # compare them as plain spaces so the tests read as the user sees them.
    return text.replace("\u202f", " ").replace("\xa0", " ")


@pytest.fixture
def helsinki(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The PC's clock in Finnish time, whatever this machine's zone is."""
    monkeypatch.setenv("TZ", "Europe/Helsinki")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(("number", "finnish", "english"), [
    ("+358405550111", "040 555 0111", "+358 40 555 0111"),  # mobile
    ("+3584090000001", "040 9000 0001", "+358 40 9000 0001"),  # a 10-digit mobile
    ("+35891234567", "09 123 4567", "+358 9 123 4567"),  # Helsinki landline
    ("+358912345678", "09 1234 5678", "+358 9 1234 5678"),
    ("+35818123456", "018 123 456", "+358 18 123 456"),  # Åland: +358 too, region AX
    ("+358205550100", "020 555 0100", "+358 20 555 0100"),  # company number
    ("+358800123456", "0800 123 456", "+358 800 123 456"),  # free service number
    ("+358100100", "0100 100", "+358 100 100"),
])
def test_finnish_numbers_national_in_finnish_international_in_english(
        number: str, finnish: str, english: str) -> None:
    assert format_phone(number, FINNISH) == finnish
    assert format_phone(number, ENGLISH) == english


@pytest.mark.parametrize(("number", "shown"), [
    ("+46701234567", "+46 70 123 45 67"),
    ("+12025550123", "+1 202-555-0123"),
    ("+442079460958", "+44 20 7946 0958"),
])
def test_foreign_numbers_are_always_international(number: str, shown: str) -> None:
    assert format_phone(number, FINNISH) == shown
    assert format_phone(number, ENGLISH) == shown


@pytest.mark.parametrize("given", [
    "anonymous", "+35840123", "12345", "0401234567", "+358 garbage", "112", "+10"])
def test_what_is_not_a_valid_e164_number_is_shown_as_given(given: str) -> None:
    assert format_phone(given, FINNISH) == given
    assert format_phone(given, ENGLISH) == given


def test_spaced_e164_is_read_too() -> None:
    assert format_phone("+358 40 5550111", FINNISH) == "040 555 0111"


def test_no_number_is_empty() -> None:
    assert format_phone(None, FINNISH) == format_phone("", ENGLISH) == ""


def test_a_caller_is_a_number_words_for_a_withheld_one_or_the_networks_text() -> None:
    assert format_caller("+358405550111", FINNISH) == "040 555 0111"
    assert format_caller("", ENGLISH) == "withheld number"
    assert format_caller(None, ENGLISH) == ""
    # a caller ID that is no number, as the network sent it, on one line
    assert format_caller("Matti\r\nEvent: x", ENGLISH) == "Matti  Event: x"


def test_a_datetime_in_local_time_across_the_spring_change(helsinki: None) -> None:
    # 29 March 2026: Finnish clocks jump from 03.00 EET to 04.00 EEST.
    before, after = utc(2026, 3, 29, 0, 59), utc(2026, 3, 29, 1, 0)
    assert format_datetime(before, FINNISH) == "29.3.2026 2.59"
    assert format_datetime(after, FINNISH) == "29.3.2026 4.00"
    assert spaced(format_datetime(before, ENGLISH)) == "3/29/2026 2:59 AM"
    assert spaced(format_datetime(after, ENGLISH)) == "3/29/2026 4:00 AM"


def test_the_autumn_change_shows_the_repeated_hour_twice(helsinki: None) -> None:
    # 25 October 2026: 04.00 EEST becomes 03.00 EET, so 03.30 happens twice.
    assert format_datetime(utc(2026, 10, 25, 0, 30), FINNISH) == "25.10.2026 3.30"
    assert format_datetime(utc(2026, 10, 25, 1, 30), FINNISH) == "25.10.2026 3.30"
    assert format_time(utc(2026, 10, 25, 1, 30, 7), FINNISH) == "3.30.07"


def test_dates_and_times(helsinki: None) -> None:
    moment = utc(2026, 11, 26, 12, 5, 9)  # 14.05.09 in Helsinki (EET)
    assert format_date(moment, FINNISH) == "26.11.2026"
    assert format_date(dt.date(2026, 1, 2), FINNISH) == "2.1.2026"
    assert format_date(moment, ENGLISH) == "11/26/2026"  # four digits, not Qt's "11/26/26"
    assert format_date(moment, BRITISH) == "26/11/2026"
    assert format_time(moment, FINNISH) == "14.05.09"  # no "UTC+2" as in Qt's long format
    assert spaced(format_time(moment, ENGLISH)) == "2:05:09 PM"
    assert format_time(moment, BRITISH) == "14:05:09"
    assert format_datetime(moment, BRITISH) == "26/11/2026 14:05"


def test_a_naive_datetime_is_already_local(helsinki: None) -> None:
    assert format_datetime(dt.datetime(2026, 7, 1, 9, 5), FINNISH) == "1.7.2026 9.05"


@pytest.mark.parametrize(("seconds", "shown"), [
    (0, "0 s"), (4.4, "4 s"), (45.6, "46 s"), (59.6, "1 min 0 s"), (65, "1 min 5 s"),
    (600, "10 min 0 s"), (3725, "1 h 2 min 5 s"), (7200, "2 h 0 min 0 s"),
])
def test_durations_have_units(seconds: float, shown: str) -> None:
    assert format_duration(seconds, FINNISH) == shown
    assert format_duration(seconds, ENGLISH) == shown


def test_decimals_and_counts_use_the_locales_marks() -> None:
    assert spaced(format_decimal(1234.56, FINNISH)) == "1 234,6"
    assert format_decimal(1234.56, ENGLISH) == "1,234.6"
    assert format_decimal(12, FINNISH, decimals=2) == "12,00"
    assert spaced(format_integer(100_000, FINNISH)) == "100 000"
    assert format_integer(100_000, ENGLISH) == "100,000"
