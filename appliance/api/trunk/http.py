"""GET and PUT /api/trunk, DELETE to go back to none; the password is write-only.  A change
is audited as the admin's and applied to Asterisk (503 when that fails: the change is saved)."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from paivystys.appliance.api.context import Admin, AdminChanges
from paivystys.appliance.trunk import TrunkSettings, get_trunk, reset_trunk, set_trunk

router = APIRouter(prefix="/api", tags=["trunk"],
                   responses={401: {}, 403: {}, 422: {}, 503: {}})


class TrunkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: Literal["ip", "registration", "gateway"] = Field(
        description="ip: the operator knows the box by its address; registration: the box "
                    "registers with username and password; gateway: a GSM-to-SIP gateway at "
                    "a LAN address (host), whose calls go to default_number")
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
    dtmf_mode: Literal["rfc4733", "info", "inband", "auto"] | None = Field(
        default=None, description="how the operator sends keys; omit to keep the stored mode")
    default_number: str | None = Field(
        default=None, max_length=32,
        description="the on-call number for calls that name no number the box knows (a "
                    "gateway needs one); omit to keep the stored one, empty for none")
    external_address: str | None = Field(
        default=None, max_length=253,
        description="behind the office router (NAT): its public address or host name; omit "
                    "to keep the stored one, empty for none")
    local_networks: list[Annotated[str, Field(max_length=64)]] | None = Field(
        default=None, max_length=16,
        description="the networks (CIDR) the box reaches directly, told its own address "
                    "instead of the external one; omit to keep the stored ones, [] for none")


class TrunkOut(BaseModel):
    """The trunk as stored, without its passwords: only whether each is set."""

    mode: Literal["ip", "registration", "gateway"]
    host: str
    port: int
    transport: Literal["udp", "tcp"]
    username: str | None
    from_domain: str | None
    has_password: bool
    configured: bool = Field(description="false while no trunk is set: the lab's carrier is "
                                         "used")
    updated_at: str | None = Field(description="when it was last set (ISO 8601), or null")
    operator_addresses: list[str]
    inbound_username: str | None
    has_inbound_password: bool
    dtmf_mode: Literal["rfc4733", "info", "inband", "auto"]
    default_number: str | None
    external_address: str | None
    local_networks: list[str]


def _out(settings: TrunkSettings) -> TrunkOut:
    shown = dataclasses.asdict(settings)
    if settings.updated_at is not None:
        shown["updated_at"] = settings.updated_at.isoformat(timespec="seconds")
    return TrunkOut.model_validate(shown)


@router.get("/trunk", response_model=TrunkOut)
def show_trunk(user: Admin) -> TrunkOut:
    return _out(get_trunk())


@router.put("/trunk", response_model=TrunkOut)
def change_trunk(body: TrunkIn, changes: AdminChanges) -> TrunkOut:
    return _out(set_trunk(body.mode, body.host, body.port, body.transport, body.username,
                          body.password, body.from_domain,
                          operator_addresses=body.operator_addresses,
                          inbound_username=body.inbound_username,
                          inbound_password=body.inbound_password, dtmf_mode=body.dtmf_mode,
                          default_number=body.default_number,
                          external_address=body.external_address,
                          local_networks=body.local_networks, changes=changes))


@router.delete("/trunk", response_model=TrunkOut)
def remove_trunk(changes: AdminChanges) -> TrunkOut:
    return _out(reset_trunk(changes=changes))
