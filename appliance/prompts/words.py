"""The words the listening line puts together: counts, dates and clock times, one prompt each.

Each word is a prompt of its own, generated like every other prompt (and replaceable by the
admin's recording of the same name), so that a reading is played as a list of files and
nothing is synthesised during a call.  Only the words a language's readings use are here:
English reads the clock in twelve hours ("two oh five p.m."), Finnish and Swedish in
twenty-four ("neljätoista nolla viisi", "fjorton och fem").
"""

from __future__ import annotations

WEEKDAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# Counts up to 59 are whole words (every minute and hour is one of them); beyond that a count
# is its hundreds, its tens and its unit, in that order.
WHOLE_NUMBERS = range(60)
TENS = range(60, 100, 10)
HUNDREDS = range(100, 1000, 100)

_FI_NUMBERS = (
    "nolla", "yksi", "kaksi", "kolme", "neljä", "viisi", "kuusi", "seitsemän", "kahdeksan",
    "yhdeksän", "kymmenen", "yksitoista", "kaksitoista", "kolmetoista", "neljätoista",
    "viisitoista", "kuusitoista", "seitsemäntoista", "kahdeksantoista", "yhdeksäntoista",
)
_FI_TENS = ("", "", "kaksikymmentä", "kolmekymmentä", "neljäkymmentä", "viisikymmentä",
            "kuusikymmentä", "seitsemänkymmentä", "kahdeksankymmentä", "yhdeksänkymmentä")
_FI_HUNDREDS = ("", "sata", "kaksisataa", "kolmesataa", "neljäsataa", "viisisataa",
                "kuusisataa", "seitsemänsataa", "kahdeksansataa", "yhdeksänsataa")
# Ordinals in the essive ("viidentenä joulukuuta": on the fifth of December).
_FI_ORDINALS = (
    "ensimmäisenä", "toisena", "kolmantena", "neljäntenä", "viidentenä", "kuudentena",
    "seitsemäntenä", "kahdeksantena", "yhdeksäntenä", "kymmenentenä", "yhdentenätoista",
    "kahdentenatoista", "kolmantenatoista", "neljäntenätoista", "viidentenätoista",
    "kuudentenatoista", "seitsemäntenätoista", "kahdeksantenatoista", "yhdeksäntenätoista",
)
_FI_TWENTIETH, _FI_THIRTIETH = "kahdentenakymmenentenä", "kolmantenakymmenentenä"

_EN_NUMBERS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)
_EN_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
            "ninety")
_EN_ORDINALS = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth", "twentieth", "twenty-first", "twenty-second",
    "twenty-third", "twenty-fourth", "twenty-fifth", "twenty-sixth", "twenty-seventh",
    "twenty-eighth", "twenty-ninth", "thirtieth", "thirty-first",
)

_SV_NUMBERS = (
    "noll", "ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio", "elva",
    "tolv", "tretton", "fjorton", "femton", "sexton", "sjutton", "arton", "nitton",
)
_SV_TENS = ("", "", "tjugo", "trettio", "fyrtio", "femtio", "sextio", "sjuttio", "åttio",
            "nittio")
_SV_HUNDREDS = ("", "hundra", "tvåhundra", "trehundra", "fyrahundra", "femhundra", "sexhundra",
                "sjuhundra", "åttahundra", "niohundra")
_SV_ORDINALS = (
    "första", "andra", "tredje", "fjärde", "femte", "sjätte", "sjunde", "åttonde", "nionde",
    "tionde", "elfte", "tolfte", "trettonde", "fjortonde", "femtonde", "sextonde", "sjuttonde",
    "artonde", "nittonde", "tjugonde", "tjugoförsta", "tjugoandra", "tjugotredje",
    "tjugofjärde", "tjugofemte", "tjugosjätte", "tjugosjunde", "tjugoåttonde", "tjugonionde",
    "trettionde", "trettioförsta",
)


def _compound(units: tuple[str, ...], tens: tuple[str, ...], n: int) -> str:
    """``n`` (0..99) as one word: Finnish and Swedish write their numbers together."""
    if n < len(units):
        return units[n]
    return tens[n // 10] + (units[n % 10] if n % 10 else "")


def _fi_number(n: int) -> str:
    if n >= 100:
        return _FI_HUNDREDS[n // 100]
    return _compound(_FI_NUMBERS, _FI_TENS, n)


def _fi_ordinal(day: int) -> str:
    if day < 20:
        return _FI_ORDINALS[day - 1]
    tens = _FI_TWENTIETH if day < 30 else _FI_THIRTIETH
    return tens + (_FI_ORDINALS[day % 10 - 1] if day % 10 else "")


def _en_number(n: int) -> str:
    if n >= 100:
        return f"{_EN_NUMBERS[n // 100]} hundred"
    if n < len(_EN_NUMBERS):
        return _EN_NUMBERS[n]
    return _EN_TENS[n // 10] + (f"-{_EN_NUMBERS[n % 10]}" if n % 10 else "")


def _sv_number(n: int) -> str:
    if n >= 100:
        return _SV_HUNDREDS[n // 100]
    return _compound(_SV_NUMBERS, _SV_TENS, n)


def number(n: int) -> str:
    return f"number-{n}"


def weekday(index: int) -> str:
    """The weekday prompt of ``date.weekday()`` (Monday is 0)."""
    return f"weekday-{WEEKDAY_KEYS[index]}"


def day(n: int) -> str:
    return f"day-{n}"


def month(n: int) -> str:
    return f"month-{n}"


# Words that join the others; not every language has every one.
AT = "time-at"  # kello / at / klockan
OH = "time-oh"  # English minutes 1..9: "two oh five"
AM, PM, NOON, MIDNIGHT = "time-am", "time-pm", "time-noon", "time-midnight"
AND = "time-and"  # Swedish: "fjorton och fem"
YOU_HAVE = "pv-listen-you-have"
RECORDINGS = "pv-listen-recordings"  # after a count other than one (Finnish: the partitive)
ONE_RECORDING = "pv-listen-one-recording"
AT_LEAST_1000 = "pv-listen-at-least-1000-recordings"  # counts beyond what the words say
FROM = "pv-listen-from"  # before the caller's number

_FI = {
    **{number(n): _fi_number(n) for n in (*WHOLE_NUMBERS, *TENS, *HUNDREDS)},
    **{weekday(i): text for i, text in enumerate((
        "maanantaina", "tiistaina", "keskiviikkona", "torstaina", "perjantaina", "lauantaina",
        "sunnuntaina"))},
    **{day(n): _fi_ordinal(n) for n in range(1, 32)},
    # The partitive: "viidentenä joulukuuta".
    **{month(n): text for n, text in enumerate((
        "tammikuuta", "helmikuuta", "maaliskuuta", "huhtikuuta", "toukokuuta", "kesäkuuta",
        "heinäkuuta", "elokuuta", "syyskuuta", "lokakuuta", "marraskuuta", "joulukuuta"),
        start=1)},
    AT: "kello",
    YOU_HAVE: "Sinulla on",
    RECORDINGS: "tallennetta.",
    ONE_RECORDING: "Sinulla on yksi tallenne.",
    AT_LEAST_1000: "Sinulla on ainakin tuhat tallennetta.",
    FROM: "numerosta",
}

_EN = {
    # Twelve-hour clock: no hour or minute is zero, and a count of zero has its own prompt.
    **{number(n): _en_number(n) for n in (*WHOLE_NUMBERS[1:], *TENS, *HUNDREDS)},
    **{weekday(i): text.capitalize() + "," for i, text in enumerate(WEEKDAY_KEYS)},
    **{day(n): f"the {text}" for n, text in enumerate(_EN_ORDINALS, start=1)},
    **{month(n): f"of {text}," for n, text in enumerate((
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December"), start=1)},
    AT: "at",
    OH: "oh",
    AM: "a.m.",
    PM: "p.m.",
    NOON: "noon",
    MIDNIGHT: "midnight",
    YOU_HAVE: "You have",
    RECORDINGS: "recordings.",
    ONE_RECORDING: "You have one recording.",
    AT_LEAST_1000: "You have at least a thousand recordings.",
    FROM: "from number",
}

_SV = {
    **{number(n): _sv_number(n) for n in (*WHOLE_NUMBERS, *TENS, *HUNDREDS)},
    **{weekday(i): text for i, text in enumerate((
        "måndagen", "tisdagen", "onsdagen", "torsdagen", "fredagen", "lördagen", "söndagen"))},
    **{day(n): f"den {text}" for n, text in enumerate(_SV_ORDINALS, start=1)},
    **{month(n): text for n, text in enumerate((
        "januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
        "oktober", "november", "december"), start=1)},
    AT: "klockan",
    AND: "och",
    YOU_HAVE: "Du har",
    RECORDINGS: "inspelningar.",
    ONE_RECORDING: "Du har en inspelning.",
    AT_LEAST_1000: "Du har minst tusen inspelningar.",
    FROM: "från nummer",
}

WORDS: dict[str, dict[str, str]] = {"fi": _FI, "en": _EN, "sv": _SV}
