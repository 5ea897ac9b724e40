"""Errors of the directory: each names the field it is about and says what was wrong with which
value, so a CLI, an API or a form can show it next to the right input."""

from __future__ import annotations


class DirectoryError(Exception):
    """A change was refused; nothing was written."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        return self.message


class Invalid(DirectoryError):
    """The value itself is unacceptable (bad phone number, empty name, out of range)."""


class NotFound(DirectoryError):
    """The referenced number, group, person or membership does not exist."""


class Conflict(DirectoryError):
    """The change clashes with what is stored (duplicate name or phone, ambiguous reference)."""


class InUse(Conflict):
    """The row is referenced by others and removing it would silently change their behaviour."""


class ApplyFailed(DirectoryError):
    """The change is saved, but pushing it to Asterisk failed; the next change retries."""
