"""The words of every message, in Finnish (the default), English and Swedish.

The built-in texts below are used until the admin saves an override, which lives in a
``Setting`` row keyed ``sms_template.<kind>.<lang>``.  An override is checked when it is saved,
and again when it is read: a row edited behind our back (or one that names a placeholder a
later version dropped) falls back to the built-in text instead of stopping the message.

Placeholders are plain ``str.format`` names, nothing more: no attribute or index access, no
format spec, so an admin's text can neither fail at send time nor reach into Python objects.
"""

from __future__ import annotations

import datetime as dt
import logging
import string

from paivystys.appliance.db.models import Setting
from paivystys.appliance.db.settings import SMS_LANGUAGES
from paivystys.appliance.errors import Invalid
from paivystys.appliance.phones import WITHHELD
from paivystys.appliance.sms.kinds import (
    ABANDONED,
    CALLER_CONTACT,
    DUTY_OFF,
    DUTY_ON,
    HELP,
    KINDS,
    MISSED,
    TAKEN,
)

log = logging.getLogger(__name__)

LANGUAGES = SMS_LANGUAGES
SETTING_PREFIX = "sms_template"

# {name}: the person who answered (or, in duty replies, the person texting); {caller}: the
# caller's number; {time}: when the call arrived; {number_name}: the on-call number's name;
# {contact}: the number the caller can reach the answerer at; {wait}: seconds the caller waited;
# {groups}: the texting person's groups.
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    TAKEN: ("name", "caller", "time", "number_name", "wait"),
    CALLER_CONTACT: ("name", "contact", "number_name", "time"),
    MISSED: ("caller", "time", "number_name", "wait"),
    ABANDONED: ("caller", "time", "number_name", "wait"),
    DUTY_ON: ("name", "groups"),
    DUTY_OFF: ("name", "groups"),
    HELP: ("name", "groups"),
}

# The Finnish texts name the caller after a colon ("Soittaja: ..."): in the nominative the
# withheld-number words read right too, where "numerosta {caller}" would need another case.
DEFAULTS: dict[str, dict[str, str]] = {
    TAKEN: {
        "fi": "{name} otti puhelun klo {time} ({number_name}). Soittaja: {caller}.",
        "en": "{name} took the call from {caller} at {time} ({number_name}).",
        "sv": "{name} tog samtalet från {caller} kl. {time} ({number_name}).",
    },
    CALLER_CONTACT: {
        "fi": "Kiitos soitostasi. Puheluusi vastasi {name} ({number_name}), puh. {contact}.",
        "en": "Thank you for calling. You spoke with {name} ({number_name}), tel. {contact}.",
        "sv": "Tack för ditt samtal. Du talade med {name} ({number_name}), tfn {contact}.",
    },
    MISSED: {
        "fi": "Vastaamaton puhelu klo {time} ({number_name}): kukaan ei ehtinyt vastata. "
              "Soittaja: {caller}.",
        "en": "Missed call from {caller} at {time} ({number_name}): nobody answered.",
        "sv": "Missat samtal från {caller} kl. {time} ({number_name}): ingen hann svara.",
    },
    ABANDONED: {
        "fi": "Keskeytynyt puhelu klo {time} ({number_name}): soittaja lopetti ennen "
              "vastausta. Soittaja: {caller}.",
        "en": "Abandoned call from {caller} at {time} ({number_name}): the caller hung up "
              "before anyone answered.",
        "sv": "Avbrutet samtal från {caller} kl. {time} ({number_name}): den som ringde lade "
              "på innan någon svarade.",
    },
    DUTY_ON: {
        "fi": "Olet nyt päivystysvuorossa. Vuoron lopetat lähettämällä POIS.",
        "en": "You are now on duty. Text OFF to go off duty.",
        "sv": "Du har nu jour. Skicka OFF när du vill avsluta jouren.",
    },
    DUTY_OFF: {
        "fi": "Päivystysvuorosi päättyi, eikä sinulle enää soiteta. Palaat vuoroon lähettämällä "
              "PÄÄLLE.",
        "en": "You are now off duty and will not be called. Text ON to go back on duty.",
        "sv": "Din jour har upphört och du blir inte uppringd. Skicka ON när du vill ha jour "
              "igen.",
    },
    HELP: {
        "fi": "Päivystysvaihteen komennot: PÄÄLLE (tai ON) aloittaa päivystysvuorosi, POIS "
              "(tai OFF) lopettaa sen.",
        "en": "On-call switchboard commands: ON (or PÄÄLLE) puts you on duty, OFF (or POIS) "
              "takes you off duty.",
        "sv": "Jourväxelns kommandon: ON (eller PÄÄLLE) startar din jour, OFF (eller POIS) "
              "avslutar den.",
    },
}

# What {caller} says when the caller withheld the number (no digits came through).
WITHHELD_CALLER = {"fi": "salainen numero", "en": "a withheld number", "sv": "ett dolt nummer"}
# Finns and Swedes write clock times with a dot ("klo 14.05", "kl. 14.05").
TIME_FORMATS = {"fi": "%H.%M", "en": "%H:%M", "sv": "%H.%M"}


class TemplateError(Invalid):
    """A template change was refused; ``field`` is the template's setting key."""


def setting_key(kind: str, lang: str) -> str:
    return f"{SETTING_PREFIX}.{kind}.{lang}"


def template(kind: str, lang: str) -> str:
    """The text in effect: the admin's override when there is a usable one, else built-in."""
    _check_names(kind, lang)
    row = Setting.get_or_none(Setting.key == setting_key(kind, lang))
    if row is None:
        return DEFAULTS[kind][lang]
    try:
        return check_template(kind, lang, row.value)
    except TemplateError as error:
        log.warning("stored template unusable, using the built-in text: %s", error)
        return DEFAULTS[kind][lang]


def set_template(kind: str, lang: str, text: str) -> str:
    """Save the admin's text (surrounding whitespace dropped) and return it as saved."""
    clean = check_template(kind, lang, text)
    Setting.insert(key=setting_key(kind, lang), value=clean).on_conflict_replace().execute()
    return clean


def reset_template(kind: str, lang: str) -> str:
    """Drop the admin's override; returns the built-in text now in effect."""
    _check_names(kind, lang)
    Setting.delete().where(Setting.key == setting_key(kind, lang)).execute()
    return DEFAULTS[kind][lang]


def render(kind: str, lang: str, **values: object) -> str:
    """The message text.  Values the template does not use are ignored, so callers pass every
    value the kind allows and the admin decides which ones the text shows."""
    text = template(kind, lang)
    used = _placeholders(setting_key(kind, lang), text)
    missing = [name for name in used if name not in values]
    if missing:
        raise KeyError(f"{setting_key(kind, lang)}: no value given for "
                       f"{', '.join('{' + name + '}' for name in missing)}")
    return text.format_map({name: str(values[name]) for name in used})


# A caller ID that is no number (a name, or whatever a network sent) is shown this far at
# most, with its control characters as spaces: it is the network's text in our message.
CALLER_TEXT_LIMIT = 24


def caller_display(caller: str, lang: str) -> str:
    """The caller as the message shows them: the number as logged (E.164, or a short number
    as received), words for a withheld one, or the start of a caller ID that is no number."""
    if caller == WITHHELD:
        return WITHHELD_CALLER[lang]
    text = " ".join("".join(char if char.isprintable() else " " for char in caller).split())
    if len(text) > CALLER_TEXT_LIMIT:
        return text[:CALLER_TEXT_LIMIT - 1] + "…"
    return text or WITHHELD_CALLER[lang]


def clock_time(moment: dt.datetime, lang: str) -> str:
    """``moment`` (already in the site's time zone) as the language writes a clock time."""
    return moment.strftime(TIME_FORMATS[lang])


def _check_names(kind: str, lang: str) -> None:
    field = setting_key(kind, lang)
    if kind not in KINDS:
        raise TemplateError(field, f"{field}: unknown message kind {kind!r}; "
                                   f"known: {', '.join(KINDS)}")
    if lang not in LANGUAGES:
        raise TemplateError(field, f"{field}: unknown language {lang!r}; "
                                   f"known: {', '.join(LANGUAGES)}")


def check_template(kind: str, lang: str, text: str) -> str:
    """The text as saved (surrounding whitespace dropped), or a TemplateError naming the
    setting key: what set_template and a restored backup's override go through."""
    _check_names(kind, lang)
    field = setting_key(kind, lang)
    clean = str(text).strip()
    if not clean:
        raise TemplateError(field, f"{field}: the text is empty")
    allowed = PLACEHOLDERS[kind]
    listed = ", ".join("{" + name + "}" for name in allowed)
    for name in _placeholders(field, clean):
        if name not in allowed:
            raise TemplateError(field, f"{field}: unknown placeholder {{{name}}}; "
                                       f"allowed: {listed}")
    return clean


def _placeholders(field: str, text: str) -> list[str]:
    """The placeholder names ``text`` uses, in order; anything but a bare ``{name}`` is
    refused, naming the field."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as error:
        raise TemplateError(field, f"{field}: malformed placeholder ({error}); a placeholder "
                                   "is a name in braces like {name}, and a brace meant as text "
                                   "is written twice: {{ or }}") from None
    names: list[str] = []
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        shown = "{" + name + (f"!{conversion}" if conversion else "") + (
            f":{spec}" if spec else "") + "}"
        if not name.isidentifier():
            raise TemplateError(field, f"{field}: malformed placeholder {shown}; a placeholder "
                                       "is a name in braces like {name}")
        if spec or conversion:
            raise TemplateError(field, f"{field}: placeholder {shown} takes no format or "
                                       f"conversion; write {{{name}}}")
        names.append(name)
    return names
