"""The response body of GET /api/audit: the audit log's rows as ``audit.entries`` reads them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class AuditEntryOut(BaseModel):
    id: int
    at: str = Field(description="when, ISO 8601 in UTC to the second")
    actor: str = Field(description='a username, "cli:<unix user>", or "system"')
    action: str = Field(description='what was done, e.g. "group.add", "login.locked"')
    target: str | None = Field(description="what it was done to; null: nothing named")
    details: dict[str, Any] | None = Field(description="what changed (secrets masked); "
                                                       "null: nothing more to say")
