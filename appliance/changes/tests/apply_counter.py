"""A stand-in for applying the configuration to Asterisk that counts how often it ran."""

from __future__ import annotations


class Counter:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1
