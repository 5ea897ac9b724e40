"""The box's network setting (DHCP or a static IPv4 address): checked, stored, handed to the
root applier (``paivystys box network-apply``) to try, and its state as the applier reports it."""

from paivystys.appliance.network.exchange import APPLIED, FAILED, PENDING, REVERTED
from paivystys.appliance.network.service import (
    APPLYING,
    KEYS,
    NOT_APPLIED,
    PROBATION_S,
    NetworkState,
    confirm_network,
    network_state,
    revert_network,
    set_network,
    stored_setting,
)
from paivystys.appliance.network.setting import (
    DHCP,
    MODE_DHCP,
    MODE_STATIC,
    NetworkSetting,
    static_setting,
)

__all__ = [
    "APPLIED",
    "APPLYING",
    "DHCP",
    "FAILED",
    "KEYS",
    "MODE_DHCP",
    "MODE_STATIC",
    "NOT_APPLIED",
    "PENDING",
    "PROBATION_S",
    "REVERTED",
    "NetworkSetting",
    "NetworkState",
    "confirm_network",
    "network_state",
    "revert_network",
    "set_network",
    "static_setting",
    "stored_setting",
]
