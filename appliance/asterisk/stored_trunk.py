"""The trunk pjsip.conf is generated from: the stored ``Trunk`` row, or the lab's carrier
(:data:`~paivystys.appliance.asterisk.pjsip.LAB_TRUNK`) while none is stored.

:mod:`paivystys.appliance.trunk` validates and writes that row; this reads it, so that the
configuration generator needs nothing of the trunk's service (which applies its changes
through the generator)."""

from __future__ import annotations

from paivystys.appliance.asterisk.pjsip import LAB_TRUNK, TrunkSpec
from paivystys.appliance.db.models import Trunk

TRUNK_ID = 1  # the one row
# Between the items of a list column (the operator addresses, the local networks).
OPERATOR_ADDRESS_SEPARATOR = ","


def stored_addresses(text: str | None) -> tuple[str, ...]:
    """The items of a list column (operator addresses, local networks), in order."""
    return tuple(item for item in (text or "").split(OPERATOR_ADDRESS_SEPARATOR) if item)


def trunk_spec() -> TrunkSpec:
    """The trunk pjsip.conf is generated from, password included."""
    row = Trunk.get_or_none(Trunk.id == TRUNK_ID)
    if row is None:
        return LAB_TRUNK
    return TrunkSpec(mode=row.mode, host=row.host, port=row.port, transport=row.transport,
                     username=row.username, password=row.password, from_domain=row.from_domain,
                     operator_addresses=stored_addresses(row.operator_addresses),
                     inbound_username=row.inbound_username,
                     inbound_password=row.inbound_password, dtmf_mode=row.dtmf_mode,
                     default_number=row.default_number, external_address=row.external_address,
                     local_networks=stored_addresses(row.local_networks),
                     revision=int(row.updated_at.timestamp() * 1_000_000))
