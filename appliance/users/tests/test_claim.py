"""The set-up code: its form, how a typed one is read, where and how it is kept."""

from __future__ import annotations

import math
import re
import stat
from pathlib import Path

import pytest

from paivystys.appliance.users import claim

SHOWN = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}")


def test_a_code_is_four_groups_of_an_unambiguous_alphabet_with_80_bits() -> None:
    codes = {claim.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(SHOWN.fullmatch(code) for code in codes)
    assert not set("ILOU") & set("".join(codes))
    bits = claim.GROUPS * claim.GROUP_LENGTH * math.log2(len(claim.ALPHABET))
    assert bits == 80
    # Every character of the alphabet turns up: the choice is not skewed to a part of it.
    assert set("".join(codes).replace("-", "")) == set(claim.ALPHABET)


@pytest.mark.parametrize("typed", ["7KQ2-M9XD-3FRT-HB8W", "7kq2m9xd3frthb8w",
                                   " 7KQ2 M9XD 3FRT HB8W\n", "7KQ2-M9XD-3FRT-HB8W".lower()])
def test_a_code_is_read_as_typed(typed: str) -> None:
    assert claim.normalized(typed) == "7KQ2M9XD3FRTHB8W"


def test_letters_left_out_are_read_as_the_digits_they_look_like() -> None:
    assert claim.normalized("O1I0-LLoo-iI10-0000") == claim.normalized("0110-1100-1110-0000")


def test_the_code_is_kept_private_and_the_same_until_withdrawn(tmp_path: Path) -> None:
    code = claim.setup_code(tmp_path)
    kept = tmp_path / claim.CODE_FILE
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert claim.setup_code(tmp_path) == code == claim.kept_code(tmp_path)
    assert claim.withdraw(tmp_path) is True
    assert claim.kept_code(tmp_path) is None and not kept.exists()
    assert claim.withdraw(tmp_path) is False
    assert claim.setup_code(tmp_path) != code  # a new code once the old one was used


@pytest.mark.parametrize(("mode", "content"), [
    (0o644, None),  # others may have read it: no longer a secret
    (0o600, "not a code\n"), (0o600, ""), (0o600, "7KQ2M9XD3FRTHB8W\n")])
def test_a_kept_code_others_could_read_or_that_is_no_code_is_replaced(
        tmp_path: Path, mode: int, content: str | None) -> None:
    kept = tmp_path / claim.CODE_FILE
    old = claim.setup_code(tmp_path)
    if content is not None:
        kept.write_text(content)
    kept.chmod(mode)
    new = claim.setup_code(tmp_path)
    assert new != old and SHOWN.fullmatch(new)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
