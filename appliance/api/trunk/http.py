"""GET and PUT /api/trunk, DELETE to go back to none; the password is write-only."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from paivystys.appliance.api.context import Admin
from paivystys.appliance.audit import record
from paivystys.appliance.trunk import get_trunk, reset_trunk, set_trunk

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
    operator_addresses: list[Annotated[str, Field(max_length=253)]] | None = Field(
        default=None, max_length=16,
        description="where else the operator's calls come from (addresses, networks, host "
                    "names); omit to keep the stored ones, [] for none")
    inbound_username: str | None = Field(
        default=None, max_length=128,
        description="the user name the operator answers the box's challenge with; omit to "
                    "keep the stored one, empty to stop challenging the operator")
    inbound_password: str | None = Field(default=None, max_length=128,
                                         description="omit to keep the stored one")


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
                         body.password, body.from_domain,
                         operator_addresses=body.operator_addresses,
                         inbound_username=body.inbound_username,
                         inbound_password=body.inbound_password)
    record(user.username, "trunk.set", settings.host,
           body.model_dump(exclude={"password", "inbound_password"})
           | {"password_changed": body.password is not None,
              "inbound_password_changed": body.inbound_password is not None})
    return _out(settings)


@router.delete("/trunk")
def remove_trunk(user: Admin) -> dict[str, Any]:
    settings = reset_trunk()
    record(user.username, "trunk.reset", None)
    return _out(settings)
