"""The unit of work of a configuration change: validate, write, audit, apply.

A caller (the CLI, the API, the SMS duty commands, a restore) makes one :class:`Changes` for
whoever is changing something and runs each change in :meth:`Changes.change`:

1. the values are checked (by the caller, before or inside the block; a :class:`FieldError`
   names the field): a refused change writes nothing and audits nothing;
2. the block's writes and the audit row saying who did what run in one transaction;
3. after the commit, the configuration is applied to Asterisk (``apply``: regenerate and
   reload, which calls in progress survive) when any change of the transaction needs it.

If applying fails the change stays saved: a second audit row (``apply.failed``) says it was
not applied and why, and the caller gets :class:`ApplyFailed` (the CLI exits non-zero with
the reason, the API answers 503).  The next applied change applies it too, since every apply
regenerates the whole configuration from the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import peewee

from paivystys.appliance.asterisk import apply as asterisk
from paivystys.appliance.audit import record
from paivystys.appliance.db.models import database_proxy
from paivystys.appliance.errors import ApplyFailed, Conflict

log = logging.getLogger(__name__)

Apply = Callable[[], None]

SYSTEM = "system"  # the actor of changes the appliance makes itself (lab mode's demo set-up)
APPLY_FAILED = "apply.failed"


@dataclass
class Change:
    """One change as the audit log shows it; the block running it may fill in ``target`` and
    ``details`` once it knows them (e.g. the name of the row it looked up)."""

    action: str  # e.g. "number.add", "trunk.set"
    target: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    reaches_asterisk: bool = True  # False: nothing Asterisk reads changes (a user account)


class Changes:
    """Changes made by ``actor`` ("admin", "cli:root", "sms:+358401234567"); ``apply`` makes
    Asterisk follow the database (None: :func:`~paivystys.appliance.asterisk.apply.
    apply_configuration`, which regenerates and reloads the appliance's own instance).

    Not shared between threads: one per request, command or message."""

    def __init__(self, actor: str, apply: Apply | None = None) -> None:
        self.actor = actor
        # Looked up now rather than at import, so that a test can stand in for Asterisk.
        self._apply = apply if apply is not None else asterisk.apply_configuration
        self._depth = 0
        self._done: list[Change] = []  # committed with the running transaction

    @contextmanager
    def change(self, action: str, target: str | None = None,
               details: dict[str, Any] | None = None, *,
               reaches_asterisk: bool = True) -> Iterator[Change]:
        """Run the block's writes as one change: its audit row is written in the same
        transaction, after the block (which may fill in the :class:`Change`)."""
        change = Change(action, target, dict(details or {}), reaches_asterisk)
        with self.transaction():
            yield change
            record(self.actor, change.action, change.target, change.details)
            self._done.append(change)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Several changes as one: one transaction and, after it, at most one apply."""
        outermost = self._depth == 0
        self._depth += 1
        try:
            with database_proxy.atomic():
                try:
                    yield
                except peewee.IntegrityError as exc:
                    # Only reachable when another writer raced us past the checks.
                    raise Conflict("database", "the change conflicts with a concurrent "
                                               f"change: {exc}") from exc
        except BaseException:
            if outermost:
                self._done.clear()
            raise
        finally:
            self._depth -= 1
        if outermost:
            done, self._done = self._done, []
            if any(change.reaches_asterisk for change in done):
                self._apply_committed(done)

    def _apply_committed(self, done: list[Change]) -> None:
        try:
            self._apply()
        except Exception as exc:
            log.warning("saved but not applied to Asterisk (%s): %s",
                        ", ".join(change.action for change in done), exc)
            record(self.actor, APPLY_FAILED, None,
                   {"saved": [_describe(change) for change in done], "error": str(exc)})
            # Whatever went wrong in Asterisk, the database change stands; say so plainly.
            raise ApplyFailed("asterisk", "the change is saved, but applying it to Asterisk "
                                          f"failed: {exc}") from exc


def _describe(change: Change) -> str:
    return change.action if change.target is None else f"{change.action} {change.target}"
