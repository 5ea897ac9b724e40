"""Errors about a value: each names the field it is about and says what was wrong with which
value, so a CLI, an API or a form can show it next to the right input.  Every refusal of a
change (the directory's, the trunk's, a user account's, a backup file's) is one of these."""

from __future__ import annotations


class FieldError(Exception):
    """A value was refused, and with it the change; nothing was written (but for
    :class:`ApplyFailed`).

    ``location`` says where the value came from, in the words an HTTP API uses: "body" (the
    default: a request's document, a command's argument, a backup file) or "query"."""

    def __init__(self, field: str, message: str, *, location: str = "body") -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return self.message


class Invalid(FieldError):
    """The value itself is unacceptable (bad phone number, empty name, out of range)."""


class NotFound(FieldError):
    """The referenced number, group, person, membership, user or text does not exist."""


class Conflict(FieldError):
    """The change clashes with what is stored (duplicate name or phone, ambiguous reference)."""


class InUse(Conflict):
    """The row is referenced by others and removing it would silently change their behaviour."""


class ApplyFailed(FieldError):
    """The change is saved, but pushing it to Asterisk failed; the next change retries."""
