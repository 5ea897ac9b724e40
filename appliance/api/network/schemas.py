"""Request and response bodies of /api/network."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from paivystys.appliance.api.auth.schemas import Strict

Mode = Literal["dhcp", "static"]
State = Literal["applied", "applying", "pending", "reverted", "failed", "not_applied"]


class NetworkSettingIn(Strict):
    mode: Mode = Field(description="dhcp: the address from the LAN's DHCP server; static: the "
                                   "address, gateway and DNS servers below")
    address: str | None = Field(default=None, max_length=64,
                                description="static: the box's IPv4 address with its prefix "
                                            "length, e.g. 192.168.1.50/24")
    gateway: str | None = Field(default=None, max_length=64,
                                description="static: the router, on the box's network")
    dns: list[Annotated[str, Field(max_length=64)]] | None = Field(
        default=None, max_length=8, description="static: one or two DNS servers")


class NetworkSettingOut(BaseModel):
    mode: Mode
    address: str | None = None
    gateway: str | None = None
    dns: list[str] = []


class NetworkOut(BaseModel):
    """The setting an admin wants, and what became of it.  A new setting is tried before it
    is kept: the box answers at its new address (and still at its old ones) until an admin
    confirms it through the new address, or goes back by itself after ``probation_s``."""

    setting: NetworkSettingOut = Field(description="as stored: the setting an admin wants")
    state: State = Field(description="applied; applying: handed to the box, not tried yet; "
                                     "pending: on trial, confirm it through a new address; "
                                     "reverted: given up, the box is back on in_use; failed; "
                                     "not_applied: stored where nothing applies it (lab mode)")
    reason: str | None = Field(description="why, when reverted, failed or not applied")
    in_use: NetworkSettingOut | None = Field(
        description="the setting the box keeps across restarts; null where not known (lab "
                    "mode, or its file was written by hand)")
    interface: str | None = Field(description="the box's network port it is for")
    request_id: str | None = Field(description="the last request: confirm or go back by it")
    new_addresses: list[str] = Field(description="on trial: where the box answers with it")
    kept_addresses: list[str] = Field(description="on trial: where the box also answers, until "
                                                  "it is confirmed or given up")
    confirm_within_s: int | None = Field(description="on trial: seconds left to confirm it")
    decided: bool = Field(description="on trial: a confirmation or a going back is on its way")
    probation_s: int = Field(description="how long a new setting is on trial")


class DecisionIn(Strict):
    request_id: str = Field(max_length=32, description="the request on trial, as GET answers it")
