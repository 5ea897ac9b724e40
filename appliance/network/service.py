"""The network setting as the API and the CLI change it: stored in the database (audited as
whoever changed it), handed to the root applier as a request, and its state as the applier
reports it.

A setting is tried before it is kept.  The applier brings it up beside the addresses the box
has (so that a console keeps reaching the box meanwhile) and waits: unless an admin confirms
it within :data:`PROBATION_S` seconds *through the new address* (which proves that the LAN
reaches the box there), the box goes back by itself.  A restart during the trial goes back too:
the setting on trial lives only in /run.

The setting is the box's own, not configuration: a backup neither holds nor replaces it (a
restored backup from another box must not move this one).

Where no root applier runs (lab mode: the lab lives in a network namespace on its host, whose
network it must not change) the setting is stored and checked all the same, and its state says
plainly that it is not applied.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from paivystys.appliance.changes import Changes
from paivystys.appliance.db.models import Setting
from paivystys.appliance.errors import ApplyFailed, Conflict, Invalid
from paivystys.appliance.network import exchange
from paivystys.appliance.network.exchange import (
    APPLIED,
    FAILED,
    PENDING,
    Decision,
    ExchangeError,
    Request,
    Status,
)
from paivystys.appliance.network.setting import DHCP, NetworkSetting, setting_from_json

log = logging.getLogger(__name__)

SETTING_KEY = "network"
KEYS = (SETTING_KEY,)  # the box's own: not configuration, not in backups
PROBATION_S = 180
# How long a request may wait for the applier to take it (paivystys-network.path starts the
# applier within a second) before the state says something is wrong.
TAKE_TIMEOUT_S = 30
# How long past its end a trial may still be reported as one before the state says the
# applier has not gone back as it should.
REVERT_GRACE_S = 30

# The services' states beyond the applier's: asked but not yet taken, and no applier at all.
APPLYING = "applying"
NOT_APPLIED = "not_applied"
LAB_REASON = ("this machine has no root applier for the network setting (lab mode), or it "
              "has never run (on a box: 'systemctl status paivystys-network.service'): the "
              "setting is stored, not applied")


@dataclass(frozen=True)
class NetworkState:
    """The setting as stored (``setting``, what an admin wants) and what became of it."""

    setting: NetworkSetting
    state: str  # APPLIED, APPLYING, PENDING, REVERTED, FAILED or NOT_APPLIED
    reason: str | None = None
    in_use: NetworkSetting | None = None  # what the box keeps across restarts; None: unknown
    interface: str | None = None
    request_id: str | None = None  # the last request (confirm or go back by it)
    new_addresses: tuple[str, ...] = ()  # on trial: where the box answers with it
    kept_addresses: tuple[str, ...] = ()  # on trial: the addresses kept meanwhile
    confirm_within_s: int | None = None  # on trial: seconds left to confirm it
    decided: bool = False  # on trial: a confirmation or a going back is on its way


@dataclass(frozen=True)
class _Stored:
    setting: NetworkSetting
    request_id: str | None  # the request it was handed over as; None: never handed over
    requested_at: dt.datetime | None = None


def _stored() -> _Stored:
    row = Setting.get_or_none(Setting.key == SETTING_KEY)
    if row is None:
        return _Stored(DHCP, None)
    document = json.loads(row.value)
    return _Stored(setting_from_json(document["setting"]), document.get("request_id"),
                   exchange.parse_timestamp(document.get("requested_at")))


def stored_setting() -> NetworkSetting:
    return _stored().setting


def _directory(state_dir: Path) -> Path:
    return exchange.exchange_dir(state_dir)


def network_state(state_dir: Path, now: dt.datetime | None = None) -> NetworkState:
    """The stored setting and its state, from the applier's status and any request still
    waiting for it."""
    now = now or exchange.utc_now()
    stored = _stored()
    directory = _directory(state_dir)
    try:
        status = exchange.read_status(directory)
        waiting = exchange.read_request(directory)
        decided = (directory / exchange.DECISION_FILE).exists()
    except ExchangeError as error:
        return NetworkState(stored.setting, FAILED, f"the box's network status cannot be "
                                                    f"read: {error}")
    if status is None:
        return NetworkState(stored.setting, NOT_APPLIED, LAB_REASON,
                            request_id=stored.request_id)
    known = {"setting": stored.setting, "in_use": status.in_use,
             "interface": status.interface}
    if waiting is not None:
        waited = (now - waiting.at).total_seconds()
        if waited > TAKE_TIMEOUT_S:
            return NetworkState(**known, state=FAILED, request_id=waiting.id, reason=(
                f"the box's network service has not taken the request in {int(waited)} s: "
                "see 'systemctl status paivystys-network.path paivystys-network.service'"))
        return NetworkState(**known, state=APPLYING, request_id=waiting.id)
    if stored.request_id is None:
        if status.in_use is not None and status.in_use != stored.setting:
            return NetworkState(**known, state=NOT_APPLIED, reason=(
                "the setting was stored where no network service of the box ran; set it "
                "again to apply it"))
        return NetworkState(**known, state=APPLIED)
    if status.request_id != stored.request_id:
        asked = stored.requested_at
        if asked is not None and (now - asked).total_seconds() <= TAKE_TIMEOUT_S:
            # Taken, and not yet reported on: the applier is bringing it up.
            return NetworkState(**known, state=APPLYING, request_id=stored.request_id)
        return NetworkState(**known, state=FAILED, request_id=stored.request_id, reason=(
            "the box's network service never reported on the last request (its status is "
            "about another); set the network again"))
    if status.state == PENDING:
        return _on_trial(known, status, now, decided)
    return NetworkState(**known, state=status.state, reason=status.reason,
                        request_id=status.request_id)


def _on_trial(known: dict, status: Status, now: dt.datetime, decided: bool) -> NetworkState:
    deadline = exchange.parse_timestamp(status.deadline_at)
    left = None if deadline is None else (deadline - now).total_seconds()
    if left is not None and left < -REVERT_GRACE_S:
        return NetworkState(**known, state=FAILED, request_id=status.request_id, reason=(
            f"the setting on trial should have been given up at {status.deadline_at} and the "
            "box's network service has not said it was: restart the box to go back to the "
            "setting it keeps (a setting on trial lasts until a restart only)"))
    return NetworkState(**known, state=PENDING, request_id=status.request_id,
                        new_addresses=tuple(status.new_addresses),
                        kept_addresses=tuple(status.kept_addresses),
                        confirm_within_s=None if left is None else max(0, int(left)),
                        decided=decided)


def set_network(setting: NetworkSetting, changes: Changes, state_dir: Path) -> NetworkState:
    """Store ``setting`` (audited as ``network.set``) and hand it to the root applier to try.
    Refused (Conflict) while another setting is on trial: that one is confirmed or given up
    first.  Where no applier runs, stored only, and the state says so."""
    before = network_state(state_dir)
    if before.state == PENDING:
        raise Conflict("mode", "another network setting is on trial: confirm it from its new "
                               "address or go back first")
    directory = _directory(state_dir)
    # No status: no applier to ask (lab mode).
    applier = (directory / exchange.STATUS_FILE).exists()
    request_id = exchange.new_request_id() if applier else None
    asked = exchange.utc_now()
    with changes.change("network.set", setting.mode, setting.to_json(),
                        reaches_asterisk=False):
        Setting.insert(key=SETTING_KEY, value=json.dumps(
            {"setting": setting.to_json(), "request_id": request_id,
             "requested_at": exchange.timestamp(asked)})).on_conflict_replace().execute()
    if request_id is not None:
        request = Request(request_id, setting, changes.actor, asked)
        try:
            exchange.write_json(directory / exchange.REQUEST_FILE, request.to_json(), 0o660)
        except OSError as error:
            raise ApplyFailed("network", f"the network setting is saved, but handing it to "
                                         f"the box's network service failed: {error}") from error
    return network_state(state_dir)


def _on_trial_now(state_dir: Path, request_id: object) -> NetworkState:
    if not isinstance(request_id, str) or not request_id.isalnum() or len(request_id) > 32:
        raise Invalid("request_id", "request_id: not a request id")
    state = network_state(state_dir)
    if state.state != PENDING:
        raise Conflict("request_id", f"request_id: no network setting is on trial now (its "
                                     f"state is {state.state})")
    if state.request_id != request_id:
        raise Conflict("request_id", "request_id: another network setting is on trial now; "
                                     "look at it again")
    return state


def _decide(state_dir: Path, decision: Decision) -> NetworkState:
    try:
        exchange.write_json(_directory(state_dir) / exchange.DECISION_FILE, decision.to_json(),
                            0o660)
    except OSError as error:
        raise ApplyFailed("network", f"handing the decision to the box's network service "
                                     f"failed: {error}") from error
    return network_state(state_dir)


def confirm_network(request_id: object, arrived_at: str | None, changes: Changes,
                    state_dir: Path) -> NetworkState:
    """Keep the setting on trial (audited as ``network.confirm``).  ``arrived_at``: the
    address the confirmation came to, which must be one of the box's new ones (None: from the
    box itself, the CLI)."""
    state = _on_trial_now(state_dir, request_id)
    if arrived_at is not None and arrived_at not in state.new_addresses:
        where = ", ".join(state.new_addresses) or "not known yet"
        raise Conflict("address", f"confirm the setting through the box's new address "
                                  f"({where}); this confirmation came to {arrived_at}")
    with changes.change("network.confirm", state.request_id,
                        {"setting": state.setting.to_json(), "arrived_at": arrived_at},
                        reaches_asterisk=False):
        pass
    return _decide(state_dir, Decision(str(request_id), True, changes.actor))


def revert_network(request_id: object, changes: Changes, state_dir: Path) -> NetworkState:
    """Give up the setting on trial now (audited as ``network.revert``): the box goes back to
    the setting it keeps."""
    state = _on_trial_now(state_dir, request_id)
    with changes.change("network.revert", state.request_id,
                        {"setting": state.setting.to_json()}, reaches_asterisk=False):
        pass
    return _decide(state_dir, Decision(str(request_id), False, changes.actor))

