"""The SIP trunk to the phone network: its validated settings and its state in Asterisk."""

from paivystys.appliance.trunk.service import (
    TrunkSettings,
    check_trunk,
    get_trunk,
    reset_trunk,
    set_trunk,
)
from paivystys.appliance.trunk.status import TrunkStatus, trunk_status

__all__ = [
    "TrunkSettings",
    "TrunkStatus",
    "check_trunk",
    "get_trunk",
    "reset_trunk",
    "set_trunk",
    "trunk_status",
]
