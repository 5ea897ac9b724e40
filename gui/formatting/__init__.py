"""Dates, times, durations, numbers and phone numbers as the chosen language writes them.

Every function takes the QLocale of the language the user chose, so the same call log reads
"26.11.2026 14.05", "040 555 0111" and "1,5" in Finnish and "11/26/2026 2:05 PM",
"+358 40 555 0111" and "1.5" in (US) English.  Dates and times come from Qt's locale data
(CLDR), which for Finnish is what Kielitoimisto recommends, with two deliberate changes:

- years always have four digits: a call log spans years, and "11/26/26" could be any of them;
- a time with seconds drops the time zone that Qt's long format adds: every time shown is the
  PC's local time, and "UTC+2" after each leg would only be noise.

Durations are written with units ("45 s", "3 min 5 s", "1 h 2 min 5 s") rather than as
"3:05" or Finnish "3.05": next to the arrival time "14.05" a bare "3.05" reads as a time of
day, while the SI units are the same in Finnish and English and cannot be misread.

Phone numbers come from the appliance in E.164.  A Finnish number is written nationally for a
Finnish locale and internationally otherwise; a foreign number always internationally (the
national form of a Swedish number means nothing to a Finn dialling it); anything
`phonenumbers` cannot make sense of is shown exactly as given.
"""

from __future__ import annotations

import datetime as dt
import re

import phonenumbers
from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QLocale, QTime

FINNISH_COUNTRY_CODE = 358  # Finland and Åland share it (and the trunk prefix 0)
_QUOTED = re.compile(r"('(?:[^']|'')*')")  # literal text in a Qt date/time format
_TWO_DIGIT_YEAR = re.compile(r"(?<!y)yy(?!y)")
_TIME_ZONE = re.compile(r"\s*t+")
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")


def _outside_quotes(format_: str, pattern: re.Pattern[str], replacement: str) -> str:
    """`pattern` replaced in a Qt format string, leaving its quoted literal text alone."""
    parts = _QUOTED.split(format_)
    return "".join(part if index % 2 else pattern.sub(replacement, part)
                   for index, part in enumerate(parts)).strip()


def _local(moment: dt.datetime) -> QDateTime:
    # Python converts with the operating system's time zone rules, the same the user's clock
    # shows; a naive datetime is taken to be local time already.
    local = moment.astimezone() if moment.tzinfo is not None else moment
    return QDateTime(QDate(local.year, local.month, local.day),
                     QTime(local.hour, local.minute, local.second))


def date_time_format(locale: QLocale) -> str:
    return _outside_quotes(locale.dateTimeFormat(QLocale.FormatType.ShortFormat),
                           _TWO_DIGIT_YEAR, "yyyy")


def date_format(locale: QLocale) -> str:
    return _outside_quotes(locale.dateFormat(QLocale.FormatType.ShortFormat),
                           _TWO_DIGIT_YEAR, "yyyy")


def time_format(locale: QLocale) -> str:
    """Hours, minutes and seconds: Qt's long time format without its time zone."""
    return _outside_quotes(locale.timeFormat(QLocale.FormatType.LongFormat), _TIME_ZONE, "")


def format_datetime(moment: dt.datetime, locale: QLocale) -> str:
    """Local date and time to the minute: Finnish "26.11.2026 14.05"."""
    return locale.toString(_local(moment), date_time_format(locale))


def format_date(moment: dt.date, locale: QLocale) -> str:
    """A date (a datetime's local date): Finnish "26.11.2026"."""
    if isinstance(moment, dt.datetime):
        return locale.toString(_local(moment).date(), date_format(locale))
    return locale.toString(QDate(moment.year, moment.month, moment.day), date_format(locale))


def format_time(moment: dt.datetime, locale: QLocale) -> str:
    """Local time to the second (legs ring seconds apart): Finnish "14.05.09"."""
    return locale.toString(_local(moment).time(), time_format(locale))


def format_duration(seconds: float, locale: QLocale) -> str:
    """Whole seconds with units: "45 s", "3 min 5 s", "1 h 2 min 5 s"."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    values = {"hours": locale.toString(hours), "minutes": locale.toString(minutes),
              "seconds": locale.toString(secs)}
    if hours:
        text = QCoreApplication.translate("Formatting", "{hours} h {minutes} min {seconds} s")
    elif minutes:
        text = QCoreApplication.translate("Formatting", "{minutes} min {seconds} s")
    else:
        text = QCoreApplication.translate("Formatting", "{seconds} s")
    return text.format(**values)


def format_decimal(value: float, locale: QLocale, decimals: int = 1) -> str:
    """A decimal number with the locale's decimal mark and grouping: Finnish "1 234,5"."""
    return locale.toString(float(value), "f", decimals)


def format_integer(value: int, locale: QLocale) -> str:
    """A count with the locale's grouping: Finnish "100 000", English "100,000"."""
    return locale.toString(value)


def _grouped(digits: str) -> str:
    """A Finnish subscriber number in groups of three, ending in groups of four so that no
    group is shorter than three, as Kielitoimisto writes them: "12 345", "123 456",
    "123 4567", "1234 5678", "123 123 4567"."""
    if len(digits) <= 4:
        return digits
    if len(digits) == 5:
        return f"{digits[:2]} {digits[2:]}"
    fours = len(digits) % 3
    threes = (len(digits) - 4 * fours) // 3
    groups, start = [], 0
    for size in [3] * threes + [4] * fours:
        groups.append(digits[start:start + size])
        start += size
    return " ".join(groups)


def format_phone(number: str | None, locale: QLocale) -> str:
    """An E.164 number the way a reader of `locale` dials it; unparsable text as given."""
    if not number:
        return ""
    # Only E.164 (spaces allowed) is reformatted: phonenumbers would read letters as a
    # keypad's digits and turn a caller id such as "+358 garbage" into a number.
    compact = number.replace(" ", "")
    if not _E164.fullmatch(compact):
        return number
    try:
        parsed = phonenumbers.parse(compact, None)
    except phonenumbers.NumberParseException:  # "+10": E.164-shaped, no such country
        return number
    if not phonenumbers.is_valid_number(parsed):
        return number
    if parsed.country_code != FINNISH_COUNTRY_CODE:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    # phonenumbers knows where a Finnish area code ends ("040 5550111", "0600 123456") but
    # leaves the subscriber number in one block, which Finns group.
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    area, _, subscriber = national.partition(" ")
    grouped = " ".join(filter(None, (area, _grouped(subscriber.replace(" ", "")))))
    if _finnish(locale):
        return grouped
    return f"+{FINNISH_COUNTRY_CODE} {grouped.removeprefix('0')}"


def format_caller(caller: str | None, locale: QLocale) -> str:
    """A caller from the call log: the appliance keeps a withheld caller as "", and any other
    caller ID that is no number as the network sent it (line breaks shown as spaces)."""
    if caller == "":
        return QCoreApplication.translate("Formatting", "withheld number")
    if caller is None:
        return ""
    text = "".join(char if char.isprintable() else " " for char in caller)
    return format_phone(text, locale)


def _finnish(locale: QLocale) -> bool:
    # The territory, not the language: Finnish, Swedish or English as written in Finland all
    # dial Finnish numbers nationally; QLocale(Finnish) is fi_FI.
    return locale.territory() == QLocale.Country.Finland
