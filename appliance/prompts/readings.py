"""What the listening line says, as lists of prompt names to play one after another.

Every name returned is a prompt of that language (``generate.PROMPTS``), generated at build
time: a count, a date, a clock time or a number is put together from words, never
synthesised during a call.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import phonenumbers

from paivystys.appliance.phones import DEFAULT_REGION
from paivystys.appliance.prompts import words as w
from paivystys.appliance.prompts.generate import LANGUAGES

MAX_COUNT = 999
NO_RECORDINGS = "pv-listen-no-recordings"
WITHHELD = "pv-listen-withheld"
# A caller the log keeps as a number: digits, perhaps after a '+' (anything else is a name or
# whatever the network sent, which is not read out).
_NUMBER = re.compile(r"\+?[0-9]+")
# Numbers of the box's own country are read in their national form ("0 4 0 ..."), as the
# on-call prompt reads them and as people there know their numbers.
_COUNTRY_PREFIX = f"+{phonenumbers.country_code_for_region(DEFAULT_REGION)}"


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"unknown prompt language {language!r}; known: {', '.join(LANGUAGES)}")


def number_words(n: int, language: str) -> list[str]:
    """``n`` (0..999) as number words: whole up to 59, beyond that hundreds, tens, unit."""
    _check_language(language)
    if not 0 <= n <= MAX_COUNT:
        raise ValueError(f"a number to read must be 0..{MAX_COUNT}, got {n}")
    if n in w.WHOLE_NUMBERS:
        return [w.number(n)]
    hundreds, rest = divmod(n, 100)
    names = [w.number(hundreds * 100)] if hundreds else []
    if rest in w.WHOLE_NUMBERS:
        return names + ([w.number(rest)] if rest else [])
    tens, unit = divmod(rest, 10)
    return names + [w.number(tens * 10)] + ([w.number(unit)] if unit else [])


def recording_count(n: int, language: str) -> list[str]:
    """"You have three recordings", "You have one recording", or that there are none; from
    a thousand on, "You have at least a thousand recordings"."""
    _check_language(language)
    if n < 0:
        raise ValueError(f"a count of recordings cannot be negative, got {n}")
    if n == 0:
        return [NO_RECORDINGS]
    if n == 1:
        return [w.ONE_RECORDING]
    if n > MAX_COUNT:
        return [w.AT_LEAST_1000]
    return [w.YOU_HAVE, *number_words(n, language), w.RECORDINGS]


def digits(number: str, language: str) -> list[str]:
    """A number digit by digit ("+" as "plus"); anything else in it is refused."""
    _check_language(language)
    if not re.fullmatch(r"[0-9+]+", number):
        raise ValueError(f"only digits and '+' can be read out, got {number!r}")
    return ["digit-plus" if char == "+" else f"digit-{char}" for char in number]


def recording_announcement(arrived_at: dt.datetime, caller: str | None, language: str,
                           time_zone: str) -> list[str]:
    """When the call came, in the site's time zone, and from whom: "torstaina viidentenä
    joulukuuta kello neljätoista nolla viisi numerosta 0 4 0 ...".  A withheld caller (None or
    empty) is said so; a caller ID that is no number (a name, a cut one) is not read out."""
    _check_language(language)
    if arrived_at.tzinfo is None or arrived_at.utcoffset() is None:
        raise ValueError(f"arrived_at must carry its time zone, got {arrived_at!r}")
    try:
        zone = zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {time_zone!r}") from None
    local = arrived_at.astimezone(zone)
    # Every language says weekday, day, month: "torstaina viidentenä joulukuuta", "Thursday,
    # the fifth of December,", "torsdagen den femte december".
    date = [w.weekday(local.weekday()), w.day(local.day), w.month(local.month)]
    return [*date, *_clock(local, language), *_caller(caller, language)]


def _clock(local: dt.datetime, language: str) -> list[str]:
    hour, minute = local.hour, local.minute
    if language == "en":
        return [w.AT, *_clock_en(hour, minute)]
    said = [w.AT, w.number(hour)]
    if language == "fi":
        # "kello neljätoista nolla viisi" (14.05), "kello neljätoista" (14.00): the minutes as
        # Finns read them off a clock, a minute under ten with its zero.
        if minute:
            said += [w.number(0), w.number(minute)] if minute < 10 else [w.number(minute)]
    elif minute:
        # "klockan fjorton och fem"
        said += [w.AND, w.number(minute)]
    return said


def _clock_en(hour: int, minute: int) -> list[str]:
    """"two oh five p.m.", "two p.m.", "noon", "twelve oh five a.m.", "midnight"."""
    if minute == 0 and hour in (0, 12):
        return [w.MIDNIGHT if hour == 0 else w.NOON]
    said = [w.number(hour % 12 or 12)]
    if minute:
        said += [w.OH, w.number(minute)] if minute < 10 else [w.number(minute)]
    return [*said, w.AM if hour < 12 else w.PM]


def _caller(caller: str | None, language: str) -> list[str]:
    if not caller:
        return [WITHHELD]
    if not _NUMBER.fullmatch(caller):
        return []
    if caller.startswith(_COUNTRY_PREFIX):
        caller = "0" + caller.removeprefix(_COUNTRY_PREFIX)
    return [w.FROM, *digits(caller, language)]
