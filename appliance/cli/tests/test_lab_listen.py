"""`paivystys lab listen`'s script of keys and pauses (the call itself: tests/calls)."""

from __future__ import annotations

import pytest

from paivystys.appliance.cli import CommandError
from paivystys.appliance.cli.lab import listen_steps


def test_keys_and_pauses_in_order() -> None:
    assert listen_steps(["w4", "2580#", "w0.5", "2", "*", "#"]) == [
        4.0, "2580#", 0.5, "2", "*", "#"]


@pytest.mark.parametrize("step", ["", "w", "wx", "w-1", "w601", "12a", "1;2", "$(reboot)",
                                  "１２", "w1e9", "wnan", "A"])
def test_anything_else_is_refused_naming_the_step(step: str) -> None:
    with pytest.raises(CommandError) as refused:
        listen_steps(["1", step])
    assert repr(step) in str(refused.value)
