"""What GET and POST /api/update answer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class UpdateOut(BaseModel):
    installed_version: str = Field(description="the version running now (dpkg's on a box)")
    architecture: str | None = Field(description="the Debian architecture packages must be "
                                                 "for; null where updates are not taken")
    updates: bool = Field(description="whether this switchboard takes updates at all")
    why_not: str | None = Field(description="why it takes none (e.g. lab mode)")
    state: Literal["none", "waiting", "installing", "installed", "failed"] = Field(
        description="the last update: none; waiting (uploaded, the installer has not begun); "
                    "installing; installed; failed (reason says why)")
    version: str | None = Field(description="the version the last update installs")
    from_version: str | None
    requested_by: str | None
    requested_at: str | None
    started_at: str | None
    finished_at: str | None
    reason: str | None = Field(description="why the last update failed")
