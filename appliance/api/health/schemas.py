"""The response body of GET /api/health, which the live view's WebSocket also carries."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ServiceHealth(BaseModel):
    """What the call monitor last reported about Asterisk or the trunk."""

    ok: bool | None = Field(description="null: not known (no report, or a stale one)")
    state: str
    detail: str | None
    updated_at: str | None = Field(description="when reported, ISO 8601 in UTC")


class ModemHealth(BaseModel):
    """What the modem service last reported."""

    ok: bool | None = Field(description="null: not known (no report, or a stale one)")
    state: str
    registered: bool | None
    signal: int | None = Field(description="CSQ rssi 0..31; null: not known")
    operator: str | None
    last_error: str | None
    sim: Literal["ready", "pin_needed", "pin_refused", "puk_needed", "no_sim", "blocked",
                 "locked"] | None = Field(
        default=None, description="what the SIM waits for: ready (nothing), pin_needed (no "
        "PIN stored), pin_refused (it refused the stored PIN), puk_needed (three wrong PINs), "
        "no_sim, blocked (ten wrong PUKs or broken), locked (another code than its PIN); "
        "null: not known")
    pin_attempts_left: int | None = Field(
        default=None, description="the tries left for the code the SIM waits for, when the "
                                  "modem tells them")
    updated_at: str | None = Field(default=None, description="when reported, ISO 8601 in "
                                                             "UTC; absent: never")


class DiskHealth(BaseModel):
    ok: bool = Field(description="more than a gigabyte free")
    free_bytes: int
    total_bytes: int
    path: str


class ConfigurationHealth(BaseModel):
    """Whether every saved configuration change has reached Asterisk."""

    ok: bool
    state: str
    owed: list[str] = Field(description="Asterisk modules still to reload (empty: none)")


class BackupOut(BaseModel):
    name: str = Field(description="its name in GET /api/backups")
    created_at: str = Field(description="when it was saved, ISO 8601 in UTC")


class DatabaseHealth(BaseModel):
    """The last ``PRAGMA integrity_check`` of the database: at boot, before every backup the
    box keeps, and after a restore into a database that had failed it."""

    ok: bool | None = Field(description="null: not known (never checked, or its record "
                                        "cannot be read)")
    state: str
    checked_at: str | None = Field(description="ISO 8601 in UTC; null: never checked")
    problems: list[str] = Field(description="what SQLite found (empty: nothing)")
    last_good_backup: BackupOut | None = Field(
        description="the newest backup kept on the box, each saved only from a database that "
                    "passed the check; null: none")


class Health(BaseModel):
    asterisk: ServiceHealth
    trunk: ServiceHealth
    modem: ModemHealth
    disk: DiskHealth
    configuration: ConfigurationHealth
    database: DatabaseHealth
    sms_waiting: int = Field(description="text messages queued or being sent")
    last_backup: str | None = Field(description="ISO 8601 in UTC; null: never")
    version: str
    checked_at: str = Field(description="ISO 8601 in UTC")
