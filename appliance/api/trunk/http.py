"""GET and PUT /api/trunk, DELETE to go back to none; the password is write-only."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from paivystys.appliance.audit import record
from paivystys.appliance.trunk import get_trunk, reset_trunk, set_trunk

from ..context import Admin

router = APIRouter(prefix="/api", tags=["trunk"],
                   responses={401: {}, 403: {}, 422: {}, 503: {}})


class TrunkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: Literal["ip", "registration"]
    host: str = Field(min_length=1, max_length=253)
    port: int = Field(default=5060, ge=1, le=65535)
    transport: Literal["udp", "tcp"] = "udp"
    username: str | None = Field(default=None, max_length=128)
    password: str | None = Field(default=None, max_length=128,
                                 description="omit to keep the stored one")
    from_domain: str | None = Field(default=None, max_length=253)


def _out(settings: Any) -> dict[str, Any]:
    shown = dataclasses.asdict(settings)
    if shown.get("updated_at") is not None:
        shown["updated_at"] = shown["updated_at"].isoformat(timespec="seconds")
    return shown


@router.get("/trunk")
def show_trunk(user: Admin) -> dict[str, Any]:
    return _out(get_trunk())


@router.put("/trunk")
def change_trunk(body: TrunkIn, user: Admin) -> dict[str, Any]:
    settings = set_trunk(body.mode, body.host, body.port, body.transport, body.username,
                         body.password, body.from_domain)
    record(user.username, "trunk.set", settings.host,
           body.model_dump(exclude={"password"}) | {"password_changed": body.password is not None})
    return _out(settings)


@router.delete("/trunk")
def remove_trunk(user: Admin) -> dict[str, Any]:
    settings = reset_trunk()
    record(user.username, "trunk.reset", None)
    return _out(settings)
