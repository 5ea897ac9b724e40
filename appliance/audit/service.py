"""Writing and reading ``AuditEntry`` rows.  Secrets never go in: callers pass details that
are safe to show (the password field is dropped here too, whatever a caller passes)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from paivystys.appliance.db.models import AuditEntry, utcnow

SECRET_KEYS = frozenset({"password", "new_password", "old_password", "token", "secret"})


def _safe(details: dict[str, Any] | None) -> str | None:
    if not details:
        return None
    cleaned = {key: ("***" if key in SECRET_KEYS else value) for key, value in details.items()}
    return json.dumps(cleaned, ensure_ascii=False, default=str, sort_keys=True)


def record(actor: str, action: str, target: str | None = None,
           details: dict[str, Any] | None = None) -> AuditEntry:
    return AuditEntry.create(at=utcnow(), actor=actor, action=action, target=target,
                             details=_safe(details))


def entries(limit: int = 100, since: dt.datetime | None = None) -> list[dict[str, Any]]:
    query = AuditEntry.select().order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    rows = []
    for entry in query.limit(limit):
        at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=dt.UTC)
        rows.append({"id": entry.id, "at": at.isoformat(timespec="seconds"),
                     "actor": entry.actor, "action": entry.action, "target": entry.target,
                     "details": json.loads(entry.details) if entry.details else None})
    return rows
