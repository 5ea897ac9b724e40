from __future__ import annotations

import pytest

from paivystys.appliance.errors import Invalid
from paivystys.appliance.phones import (
    e164,
    is_landline,
    looks_like_phone,
    normalise_caller,
    parse_on_call_number,
    parse_person_phone,
)


@pytest.mark.parametrize("typed", ["040 123 4567", "0401234567", "040-123 45 67",
                                   "+358 40 123 4567", "+358401234567", "00358401234567"])
def test_person_phone_forms_normalise_to_e164(typed: str) -> None:
    assert e164(parse_person_phone(typed)) == "+358401234567"


def test_foreign_numbers_are_kept_in_their_own_country() -> None:
    # Operator independent (F9): an on-call person abroad keeps their own number.
    assert e164(parse_person_phone("+46 70 123 45 67")) == "+46701234567"


@pytest.mark.parametrize(("typed", "expected"), [
    ("", "phone: a phone number is required"),
    ("   ", "phone: a phone number is required"),
    ("abc", "phone: 'abc' is not a phone number"),
    ("112", "phone: '112' is an emergency number"),
    ("118", "phone: '118' is a short number"),
    ("+3584012", "phone: '+3584012' is a short number"),
    ("040123456789012", "phone: '040123456789012' is too long"),
    ("0600 12345", "phone: '0600 12345' is a premium rate number"),
    ("+358 40 12345678 9", "phone: '+358 40 12345678 9' is not a valid phone number"),
])
def test_bad_person_phones_are_rejected_naming_field_and_value(typed: str, expected: str) -> None:
    with pytest.raises(Invalid) as caught:
        parse_person_phone(typed)
    assert caught.value.field == "phone"
    assert str(caught.value).startswith(expected)


def test_on_call_number_accepts_service_numbers_but_not_short_ones() -> None:
    assert parse_on_call_number("020 123 4567") == "+358201234567"
    assert parse_on_call_number("0600 12345") == "+35860012345"
    with pytest.raises(Invalid, match=r"number: '10022' is a short number"):
        parse_on_call_number("10022")


def test_landline_detection() -> None:
    assert is_landline("+35891234567")
    assert not is_landline("+358401234567")


def test_looks_like_phone_only_for_valid_numbers() -> None:
    assert looks_like_phone("040 123 4567") == "+358401234567"
    assert looks_like_phone("12") is None
    assert looks_like_phone("Huolto") is None


@pytest.mark.parametrize(("raw", "expected"), [
    ("+358451234567", "+358451234567"),
    ("0451234567", "+358451234567"),
    ("358451234567", "+358451234567"),
    ("00358451234567", "+358451234567"),
    ("anonymous", "anonymous"),
    ("", ""),
    ("112", "112"),
])
def test_caller_numbers_are_logged_in_e164_when_possible(raw, expected):
    assert normalise_caller(raw) == expected
