from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from paivystys.appliance.prompts import LANGUAGES, PROMPTS
from paivystys.appliance.prompts.readings import (
    digits,
    number_words,
    recording_announcement,
    recording_count,
)
from paivystys.appliance.prompts.words import WORDS

HELSINKI = "Europe/Helsinki"
UTC = dt.UTC


def said(names: list[str], lang: str) -> str:
    """What the caller hears: the prompts' texts one after another."""
    return " ".join(PROMPTS[lang][name] for name in names)


def helsinki(year: int, month: int, day: int, hour: int, minute: int) -> dt.datetime:
    """A moment given as the clock in Helsinki shows it, as the log stores it (UTC)."""
    local = dt.datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(HELSINKI))
    return local.astimezone(UTC)


def when(moment: dt.datetime, lang: str, time_zone: str = HELSINKI) -> str:
    """The announcement of a withheld caller's call, without the withheld part."""
    names = recording_announcement(moment, None, lang, time_zone)
    assert names[-1] == "pv-listen-withheld"
    return said(names[:-1], lang)


# --- Finnish -----------------------------------------------------------------------------

@pytest.mark.parametrize(("day", "expected"), [
    (30, "maanantaina kolmantenakymmenentenä marraskuuta"),
    (1, "tiistaina ensimmäisenä joulukuuta"),
    (2, "keskiviikkona toisena joulukuuta"),
    (3, "torstaina kolmantena joulukuuta"),
    (4, "perjantaina neljäntenä joulukuuta"),
    (5, "lauantaina viidentenä joulukuuta"),
    (6, "sunnuntaina kuudentena joulukuuta"),
])
def test_finnish_weekdays_and_days_in_the_essive(day: int, expected: str) -> None:
    month = 11 if day == 30 else 12
    assert when(helsinki(2026, month, day, 14, 5), "fi") == \
        f"{expected} kello neljätoista nolla viisi"


@pytest.mark.parametrize(("date", "expected"), [
    ((2026, 1, 7), "keskiviikkona seitsemäntenä tammikuuta"),
    ((2026, 2, 8), "sunnuntaina kahdeksantena helmikuuta"),
    ((2026, 3, 9), "maanantaina yhdeksäntenä maaliskuuta"),
    ((2026, 4, 10), "perjantaina kymmenentenä huhtikuuta"),
    ((2026, 5, 11), "maanantaina yhdentenätoista toukokuuta"),
    ((2026, 6, 12), "perjantaina kahdentenatoista kesäkuuta"),
    ((2026, 7, 13), "maanantaina kolmantenatoista heinäkuuta"),
    ((2026, 8, 19), "keskiviikkona yhdeksäntenätoista elokuuta"),
    ((2026, 9, 20), "sunnuntaina kahdentenakymmenentenä syyskuuta"),
    ((2026, 10, 21), "keskiviikkona kahdentenakymmenentenäensimmäisenä lokakuuta"),
    ((2026, 11, 22), "sunnuntaina kahdentenakymmenentenätoisena marraskuuta"),
    ((2026, 12, 23), "keskiviikkona kahdentenakymmenentenäkolmantena joulukuuta"),
    ((2028, 2, 29), "tiistaina kahdentenakymmenentenäyhdeksäntenä helmikuuta"),
    ((2026, 12, 31), "torstaina kolmantenakymmenentenäensimmäisenä joulukuuta"),
])
def test_finnish_dates(date: tuple[int, int, int], expected: str) -> None:
    assert when(helsinki(*date, 9, 30), "fi") == f"{expected} kello yhdeksän kolmekymmentä"


@pytest.mark.parametrize(("clock", "expected"), [
    ((0, 0), "kello nolla"),
    ((0, 5), "kello nolla nolla viisi"),
    ((12, 0), "kello kaksitoista"),
    ((14, 0), "kello neljätoista"),
    ((14, 5), "kello neljätoista nolla viisi"),
    ((14, 10), "kello neljätoista kymmenen"),
    ((14, 59), "kello neljätoista viisikymmentäyhdeksän"),
    ((23, 59), "kello kaksikymmentäkolme viisikymmentäyhdeksän"),
])
def test_finnish_clock_times(clock: tuple[int, int], expected: str) -> None:
    assert when(helsinki(2026, 12, 3, *clock), "fi") == \
        f"torstaina kolmantena joulukuuta {expected}"


@pytest.mark.parametrize(("utc", "expected"), [
    # Summer time begins: 03.00 EET is 04.00 EEST.
    (dt.datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "kello kaksi viisikymmentäyhdeksän"),
    (dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "kello neljä"),
    # Summer time ends: the hour from 03.00 comes twice, said alike both times.
    (dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "kello kolme kolmekymmentä"),
    (dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "kello kolme kolmekymmentä"),
])
def test_the_clock_follows_daylight_saving_time(utc: dt.datetime, expected: str) -> None:
    day = "kahdentenakymmenentenäyhdeksäntenä maaliskuuta" if utc.month == 3 else \
        "kahdentenakymmenentenäviidentenä lokakuuta"
    assert when(utc, "fi") == f"sunnuntaina {day} {expected}"


def test_the_date_is_the_sites_not_utcs() -> None:
    new_year = dt.datetime(2026, 12, 31, 22, 30, tzinfo=UTC)  # 00.30 in Helsinki
    assert when(new_year, "fi") == "perjantaina ensimmäisenä tammikuuta kello nolla kolmekymmentä"
    assert when(new_year, "fi", "Europe/Stockholm") == \
        "torstaina kolmantenakymmenentenäensimmäisenä joulukuuta kello kaksikymmentäkolme " \
        "kolmekymmentä"
    in_another_offset = dt.datetime(2026, 12, 3, 14, 5, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert when(in_another_offset, "fi") == \
        "torstaina kolmantena joulukuuta kello neljätoista nolla viisi"


def test_a_time_without_its_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="must carry its time zone"):
        recording_announcement(dt.datetime(2026, 12, 3, 12, 5), None, "fi", HELSINKI)


@pytest.mark.parametrize("time_zone", ["Mars/Olympus_Mons", "../../etc/passwd", ""])
def test_an_unknown_time_zone_is_refused_not_taken_for_utc(time_zone: str) -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        recording_announcement(ARRIVED, None, "fi", time_zone)


@pytest.mark.parametrize(("n", "expected"), [
    (0, "Sinulla ei ole tallenteita."),
    (1, "Sinulla on yksi tallenne."),
    (2, "Sinulla on kaksi tallennetta."),
    (3, "Sinulla on kolme tallennetta."),
    (11, "Sinulla on yksitoista tallennetta."),
    (21, "Sinulla on kaksikymmentäyksi tallennetta."),
    (59, "Sinulla on viisikymmentäyhdeksän tallennetta."),
    (60, "Sinulla on kuusikymmentä tallennetta."),
    (61, "Sinulla on kuusikymmentä yksi tallennetta."),
    (99, "Sinulla on yhdeksänkymmentä yhdeksän tallennetta."),
    (100, "Sinulla on sata tallennetta."),
    (101, "Sinulla on sata yksi tallennetta."),
    (110, "Sinulla on sata kymmenen tallennetta."),
    (345, "Sinulla on kolmesataa neljäkymmentäviisi tallennetta."),
    (999, "Sinulla on yhdeksänsataa yhdeksänkymmentä yhdeksän tallennetta."),
    (1000, "Sinulla on ainakin tuhat tallennetta."),
    (10**9, "Sinulla on ainakin tuhat tallennetta."),
])
def test_finnish_counts_take_the_partitive_after_all_but_one(n: int, expected: str) -> None:
    assert said(recording_count(n, "fi"), "fi") == expected


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        recording_count(-1, "fi")


@pytest.mark.parametrize("n", [-1, 1000])
def test_number_words_go_from_0_to_999(n: int) -> None:
    with pytest.raises(ValueError, match=r"0\.\.999"):
        number_words(n, "fi")


# --- the caller --------------------------------------------------------------------------

ARRIVED = dt.datetime(2026, 12, 3, 12, 5, tzinfo=UTC)  # 14.05 in Helsinki


def caller_part(caller: str | None, lang: str = "fi") -> str:
    names = recording_announcement(ARRIVED, caller, lang, HELSINKI)
    date_and_time = recording_announcement(ARRIVED, "not a number", lang, HELSINKI)
    assert names[:len(date_and_time)] == date_and_time
    return said(names[len(date_and_time):], lang)


def test_a_number_of_the_country_is_read_in_its_national_form() -> None:
    assert caller_part("+358401234567") == \
        "numerosta nolla neljä nolla yksi kaksi kolme neljä viisi kuusi seitsemän"
    assert caller_part("+358401234567", "sv") == \
        "från nummer noll fyra noll ett två tre fyra fem sex sju"


def test_other_numbers_are_read_as_logged() -> None:
    assert caller_part("+46701234567", "en") == \
        "from number plus four six seven zero one two three four five six seven"
    assert caller_part("112") == "numerosta yksi yksi kaksi"


@pytest.mark.parametrize("caller", [None, ""])
def test_a_withheld_caller_is_said_so(caller: str | None) -> None:
    assert caller_part(caller) == "salaisesta numerosta."
    assert caller_part(caller, "en") == "from a withheld number."
    assert caller_part(caller, "sv") == "från ett dolt nummer."


@pytest.mark.parametrize("caller", [
    "Matti Meikäläinen", "040(1234567", "+358401234…", "1;Hangup()", "1\n2", "١٢٣", "+",
    "12+34", " 0401234567",
])
def test_a_caller_id_that_is_no_number_is_not_read_out(caller: str) -> None:
    assert caller_part(caller) == ""


def test_digits_are_read_one_by_one() -> None:
    assert digits("+3580", "fi") == ["digit-plus", "digit-3", "digit-5", "digit-8", "digit-0"]
    assert digits("0123456789", "sv") == [f"digit-{d}" for d in range(10)]


@pytest.mark.parametrize("hostile", ["", "12a", "1 2", "1\n", "١٢", "*#", "../digit-1", "1,2"])
def test_digits_refuse_anything_but_digits_and_plus(hostile: str) -> None:
    with pytest.raises(ValueError, match="only digits"):
        digits(hostile, "fi")


@pytest.mark.parametrize("language", ["de", "", "FI", "../fi", "fi\n"])
def test_unknown_languages_are_refused(language: str) -> None:
    for reading in (lambda: recording_count(2, language), lambda: digits("1", language),
                    lambda: recording_announcement(ARRIVED, None, language, HELSINKI)):
        with pytest.raises(ValueError, match="unknown prompt language"):
            reading()


# --- English and Swedish -----------------------------------------------------------------

@pytest.mark.parametrize(("moment", "expected"), [
    ((2026, 12, 3, 14, 5), "Thursday, the third of December, at two oh five p.m."),
    ((2026, 12, 1, 14, 0), "Tuesday, the first of December, at two p.m."),
    ((2026, 12, 2, 12, 0), "Wednesday, the second of December, at noon"),
    ((2026, 12, 22, 12, 30), "Tuesday, the twenty-second of December, at twelve thirty p.m."),
    ((2026, 12, 31, 0, 0), "Thursday, the thirty-first of December, at midnight"),
    ((2026, 12, 31, 0, 5), "Thursday, the thirty-first of December, at twelve oh five a.m."),
    ((2026, 3, 21, 9, 59), "Saturday, the twenty-first of March, at nine fifty-nine a.m."),
    ((2026, 5, 11, 23, 10), "Monday, the eleventh of May, at eleven ten p.m."),
])
def test_english_dates_and_times(moment: tuple[int, int, int, int, int], expected: str) -> None:
    assert when(helsinki(*moment), "en") == expected


@pytest.mark.parametrize(("moment", "expected"), [
    ((2026, 12, 3, 14, 5), "torsdagen den tredje december klockan fjorton och fem"),
    ((2026, 12, 1, 14, 0), "tisdagen den första december klockan fjorton"),
    ((2026, 12, 2, 12, 0), "onsdagen den andra december klockan tolv"),
    ((2026, 12, 21, 0, 0), "måndagen den tjugoförsta december klockan noll"),
    ((2026, 12, 31, 0, 1), "torsdagen den trettioförsta december klockan noll och ett"),
    ((2026, 3, 29, 23, 59), "söndagen den tjugonionde mars klockan tjugotre och femtionio"),
    ((2026, 1, 9, 8, 30), "fredagen den nionde januari klockan åtta och trettio"),
    ((2026, 6, 20, 17, 45), "lördagen den tjugonde juni klockan sjutton och fyrtiofem"),
])
def test_swedish_dates_and_times(moment: tuple[int, int, int, int, int], expected: str) -> None:
    assert when(helsinki(*moment), "sv") == expected


@pytest.mark.parametrize(("lang", "counts"), [
    ("en", {0: "You have no recordings.", 1: "You have one recording.",
            3: "You have three recordings.", 21: "You have twenty-one recordings.",
            345: "You have three hundred forty-five recordings.",
            1000: "You have at least a thousand recordings."}),
    ("sv", {0: "Du har inga inspelningar.", 1: "Du har en inspelning.",
            3: "Du har tre inspelningar.", 21: "Du har tjugoett inspelningar.",
            345: "Du har trehundra fyrtiofem inspelningar.",
            1000: "Du har minst tusen inspelningar."}),
])
def test_english_and_swedish_counts(lang: str, counts: dict[int, str]) -> None:
    for n, expected in counts.items():
        assert said(recording_count(n, lang), lang) == expected


# --- every name is a prompt --------------------------------------------------------------

def every_reading(lang: str) -> list[list[str]]:
    """Every count, every minute of a day, every day of a leap year, every digit."""
    start = helsinki(2028, 1, 1, 0, 0)
    readings = [recording_count(n, lang) for n in range(1001)]
    readings += [recording_announcement(start + dt.timedelta(minutes=m), "+460123456789",
                                        lang, HELSINKI) for m in range(24 * 60)]
    readings += [recording_announcement(start + dt.timedelta(days=d), "", lang, HELSINKI)
                 for d in range(366)]
    return readings


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_name_a_reading_returns_is_a_prompt_of_its_language(lang: str) -> None:
    used = {name for reading in every_reading(lang) for name in reading}
    assert used <= set(PROMPTS[lang])
    # and no word is generated that no reading says
    assert set(WORDS[lang]) <= used


def test_numbers_are_whole_words_up_to_59() -> None:
    assert number_words(59, "fi") == ["number-59"]
    assert number_words(60, "fi") == ["number-60"]
    assert number_words(999, "fi") == ["number-900", "number-90", "number-9"]
