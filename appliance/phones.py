"""Phone number parsing: everything is stored E.164, whatever form the admin typed."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import PhoneNumberType, ValidationResult

from paivystys.appliance.errors import Invalid

DEFAULT_REGION = "FI"

# Numbers a person can actually pick up.  Premium-rate, pager or voicemail-access numbers would
# cost money or never reach a human, which the on-call promise (a human answers) rules out.
PERSON_TYPES = frozenset({
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
    PhoneNumberType.VOIP,
    PhoneNumberType.PERSONAL_NUMBER,
    PhoneNumberType.UAN,
})

_TYPE_NAMES = {value: name.lower().replace("_", " ") for name, value in
               vars(PhoneNumberType).items() if isinstance(value, int)}


def _parse(field: str, value: str) -> phonenumbers.PhoneNumber:
    text = str(value).strip()
    if not text:
        raise Invalid(field, f"{field}: a phone number is required")
    if phonenumbers.shortnumberinfo.is_emergency_number(text, DEFAULT_REGION):
        raise Invalid(field, f"{field}: {text!r} is an emergency number, not a phone number")
    try:
        parsed = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise Invalid(field, f"{field}: {text!r} is not a phone number") from None
    if not phonenumbers.is_valid_number(parsed):
        # Finnish subscriber numbers have at least 7 digits after the trunk prefix; anything
        # shorter is a service or operator short code that only works dialled locally.
        if len(str(parsed.national_number)) <= 6:
            raise Invalid(field, f"{field}: {text!r} is a short number; "
                                 "a full phone number with area or operator code is required")
        if phonenumbers.is_possible_number_with_reason(parsed) == ValidationResult.TOO_LONG:
            raise Invalid(field, f"{field}: {text!r} is too long to be a phone number")
        raise Invalid(field, f"{field}: {text!r} is not a valid phone number")
    return parsed


def e164(parsed: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def parse_on_call_number(value: str, field: str = "number") -> str:
    """An on-call number callers dial: any valid full number (service numbers included)."""
    return e164(_parse(field, value))


def parse_person_phone(value: str, field: str = "phone") -> phonenumbers.PhoneNumber:
    """A person's phone: a valid number of a kind a human answers."""
    parsed = _parse(field, value)
    kind = phonenumbers.number_type(parsed)
    if kind not in PERSON_TYPES:
        raise Invalid(field, f"{field}: {value.strip()!r} is a {_TYPE_NAMES.get(kind, 'special')} "
                             "number; a person needs a mobile or landline number")
    return parsed


def is_landline(phone: str) -> bool:
    """Whether a stored E.164 number is certainly a landline (cannot receive SMS)."""
    return phonenumbers.number_type(phonenumbers.parse(phone)) == PhoneNumberType.FIXED_LINE


def looks_like_phone(value: str) -> str | None:
    """The E.164 form of ``value`` when it is a valid phone number, else None (for lookups)."""
    try:
        parsed = phonenumbers.parse(str(value).strip(), DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    return e164(parsed) if phonenumbers.is_valid_number(parsed) else None


# The call log's one representation of a withheld caller (no number passed on).
WITHHELD = ""
# A caller ID read as a phone number: digits, perhaps a leading '+', spaces, dashes, brackets.
_NUMBER_FORM = re.compile(r"\+?[0-9][0-9 ()-]*")


def normalise_caller(raw: str) -> str:
    """A caller's (or an SMS sender's) number as the appliance keeps it: E.164 when it is
    written as a number and is a possible one (the trunk may send national or bare-digit
    forms), otherwise exactly as received (a short number, a name, an alphanumeric sender)."""
    text = raw.strip()
    if not _NUMBER_FORM.fullmatch(text):
        return text
    candidates = [text] if text.startswith(("+", "0")) else [f"+{text}", text]
    for candidate in candidates:
        try:
            parsed = phonenumbers.parse(candidate, DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(parsed):
            return e164(parsed)
    return text
