"""The password rule: long enough and not easy to guess (zxcvbn, with the username, the
person's name and the box's own words as the first guesses)."""

from __future__ import annotations

import pytest

from paivystys.appliance.errors import Invalid
from paivystys.appliance.users.service import check_password_quality


@pytest.mark.parametrize(("password", "why"), [
    ("aaaaaaaaaa", 'Repeats like "aaa" are easy to guess'),
    ("salasana123", "made of common words, names or patterns"),
    ("Salasana2024!", "made of common words, names or patterns"),
    ("password1", "at least 10 characters"),
    ("password12", "very common password"),
    ("qwertyuiop", "common password"),
    ("asdfghjklö", "commonly used password"),
    ("1234567890", "common password"),
    ("0987654321", "too easy to guess"),
    ("toimisto2025", "made of common words"),  # the username and a year
    ("toimisto", "at least 10 characters"),
    ("Toimisto123!", "too easy to guess"),
    ("päivystys2025", "made of common words"),  # the product's name
    ("maijavirtanen1", "made of common words"),  # the person's name
    ("virtanen1975", "made of common words"),
    ("a" * 72 + "Z9#k2", "Repeats"),  # the first 72 characters are what is judged
])
def test_common_and_trivial_passwords_are_refused_saying_why(password: str, why: str) -> None:
    with pytest.raises(Invalid) as caught:
        check_password_quality(password, "toimisto", names=["Maija Virtanen"])
    assert caught.value.field == "password"
    assert caught.value.message.startswith("password: ")
    assert why in caught.value.message


def test_the_password_is_the_username() -> None:
    with pytest.raises(Invalid, match="must not be the username") as caught:
        check_password_quality(" Paivystaja01 ", "paivystaja01", field="new_password")
    assert caught.value.field == "new_password"


@pytest.mark.parametrize("password", [
    "kissa-koira-hevonen", "Kesäloma2024", "uusi-salasana-1", "Sal#a-sana",
    "t7#Lq9vR2pXw", "x" * 3 + "korppi-lentää-yöllä",
])
def test_passwords_that_are_hard_to_guess_pass(password: str) -> None:
    check_password_quality(password, "toimisto", names=["Maija Virtanen"])
