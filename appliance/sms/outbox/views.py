"""Outbox rows as plain data, for the CLI and (later) the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from paivystys.appliance.db.models import ModemHealth, OutboxMessage


def _iso(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.isoformat(timespec="seconds")


def message_to_dict(message: OutboxMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "recipient": message.recipient,
        "reason": message.reason,
        "call_id": message.call.call_id if message.call_id else None,
        "state": message.state,
        "text": message.text,
        "encoding": message.encoding,
        "parts": message.parts,
        "attempts": message.attempts,
        "last_error": message.last_error,
        "created_at": _iso(message.created_at),
        "sent_at": _iso(message.sent_at),
        "delivered_at": _iso(message.delivered_at),
        "failed_at": _iso(message.failed_at),
    }


def modem_health_to_dict() -> dict[str, Any] | None:
    """None when no modem service has ever run against this database."""
    row = ModemHealth.get_or_none(ModemHealth.id == 1)
    if row is None:
        return None
    return {"device": row.device, "connected": row.connected, "registered": row.registered,
            "operator": row.operator, "signal": row.signal, "last_error": row.last_error,
            "updated_at": _iso(row.updated_at)}
