"""GET and PUT /api/network, POST /api/network/confirm and /api/network/revert (admin).

Each change is audited as the admin's.  A new setting is stored and handed to the box's root
applier, which tries it beside the addresses the box has; the answer says its state, and the
console then confirms it *through the new address* (a confirmation arriving at any other
address is refused: it would prove nothing about the new one), or the box goes back by itself.
Where nothing applies the setting (lab mode) the state is ``not_applied``, with the reason.
"""

from __future__ import annotations

import ipaddress

from fastapi import APIRouter, Request

from paivystys.appliance import network
from paivystys.appliance.api.context import Admin, AdminChanges, Config
from paivystys.appliance.api.network.schemas import (
    DecisionIn,
    NetworkOut,
    NetworkSettingIn,
    NetworkSettingOut,
)
from paivystys.appliance.errors import Invalid

router = APIRouter(prefix="/api", tags=["network"], responses={401: {}, 403: {}})


def _setting_out(setting: network.NetworkSetting) -> NetworkSettingOut:
    return NetworkSettingOut.model_validate(setting.to_json())


def _out(state: network.NetworkState) -> NetworkOut:
    return NetworkOut(
        setting=_setting_out(state.setting), state=state.state, reason=state.reason,
        in_use=None if state.in_use is None else _setting_out(state.in_use),
        interface=state.interface, request_id=state.request_id,
        new_addresses=list(state.new_addresses), kept_addresses=list(state.kept_addresses),
        confirm_within_s=state.confirm_within_s, decided=state.decided,
        probation_s=network.PROBATION_S)


def arrival_address(request: Request) -> str | None:
    """The box's address this request came to (the connection's own end), IPv4 as written
    even when it came over an IPv6 socket."""
    server = request.scope.get("server")
    if not server:
        return None
    try:
        address = ipaddress.ip_address(str(server[0]))
    except ValueError:
        return str(server[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


@router.get("/network", response_model=NetworkOut)
def show_network(user: Admin, config: Config) -> NetworkOut:
    return _out(network.network_state(config.state_dir))


@router.put("/network", response_model=NetworkOut, responses={409: {}, 422: {}, 503: {}})
def change_network(body: NetworkSettingIn, changes: AdminChanges, config: Config) -> NetworkOut:
    """Store the setting and have the box try it (409 while another one is on trial)."""
    if body.mode == network.MODE_STATIC:
        setting = network.static_setting(body.address, body.gateway, body.dns)
    else:
        for field in ("address", "gateway", "dns"):
            if getattr(body, field) is not None:
                raise Invalid(field, f"{field}: DHCP takes no {field}: the DHCP server gives it")
        setting = network.DHCP
    return _out(network.set_network(setting, changes, config.state_dir))


@router.post("/network/confirm", response_model=NetworkOut,
             responses={409: {"description": "nothing on trial, another request on trial, or "
                                             "not through the new address"}, 503: {}})
def confirm_network(body: DecisionIn, request: Request, changes: AdminChanges,
                    config: Config) -> NetworkOut:
    """Keep the setting on trial: only through one of its new addresses."""
    return _out(network.confirm_network(body.request_id, arrival_address(request), changes,
                                        config.state_dir))


@router.post("/network/revert", response_model=NetworkOut, responses={409: {}, 503: {}})
def revert_network(body: DecisionIn, changes: AdminChanges, config: Config) -> NetworkOut:
    """Give up the setting on trial now: the box goes back to the setting it keeps."""
    return _out(network.revert_network(body.request_id, changes, config.state_dir))
