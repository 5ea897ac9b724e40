"""`paivystys network`: the box's network setting (DHCP or a static IPv4 address).

A new setting is tried before it is kept: the box answers at its new address and keeps the old
one meanwhile, and goes back by itself unless the setting is confirmed in time (`paivystys
network confirm` on the box, or the console through the new address).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from paivystys.appliance import network
from paivystys.appliance.cli import CommandError, cli_changes, print_json, use_database
from paivystys.appliance.network import NetworkState

WAIT_S = 30.0
POLL_S = 0.5
DECISION_WAIT_S = 10.0
# The states after which a command has done what it was asked.
DONE = {network.APPLIED, network.PENDING}


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("network", help="the box's network setting: DHCP or a static "
                                                 "address (tried before it is kept)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = actions.add_parser("show", help="the setting, what the box keeps, and any trial")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=show_network)
    static = actions.add_parser(
        "set-static", help="a static IPv4 address, tried before it is kept")
    static.add_argument("address", help="the box's address with its prefix length, e.g. "
                                        "192.168.1.50/24")
    static.add_argument("--gateway", required=True, help="the router, e.g. 192.168.1.1")
    static.add_argument("--dns", action="append", required=True, metavar="ADDRESS",
                        help="a DNS server (once or twice)")
    dhcp = actions.add_parser("set-dhcp", help="the address from the LAN's DHCP server, tried "
                                               "before it is kept")
    for action, handler in ((static, set_static), (dhcp, set_dhcp)):
        action.add_argument("--wait", type=float, default=WAIT_S, metavar="SECONDS",
                            help="how long to wait for the box to try it (default %(default)s)")
        action.set_defaults(handler=handler)
    confirm = actions.add_parser("confirm", help="keep the setting on trial")
    confirm.set_defaults(handler=confirm_network)
    revert = actions.add_parser("revert", help="give up the setting on trial now: back to the "
                                               "setting before")
    revert.set_defaults(handler=revert_network)


def _state_dir(args: argparse.Namespace) -> Path:
    return Path(args.db).resolve().parent


def _lines(state: NetworkState) -> list[str]:
    lines = [f"Setting: {state.setting.describe()}"]
    if state.in_use is not None or state.state != network.NOT_APPLIED:
        kept = (state.in_use.describe() if state.in_use is not None
                else "not known (its file was written by hand)")
        lines.append(f"The box keeps: {kept}"
                     + (f" (on {state.interface})" if state.interface else ""))
    if state.state == network.PENDING:
        where = ", ".join(state.new_addresses) or "no address yet"
        lines.append(f"On trial: the box answers with it at {where}"
                     + (f", and still at {', '.join(state.kept_addresses)}"
                        if state.kept_addresses else ""))
        if state.decided:
            lines.append("A decision on it is on its way to the box.")
        else:
            lines.append(f"Confirm it within {state.confirm_within_s} s with 'paivystys "
                         "network confirm' (or from the console through the new address); "
                         "otherwise the box goes back by itself.")
    elif state.state == network.APPLYING:
        lines.append("Handed to the box's network service; not tried yet.")
    elif state.state == network.APPLIED:
        lines.append("Applied.")
    else:
        word = {network.REVERTED: "Given up", network.FAILED: "Failed",
                network.NOT_APPLIED: "Not applied"}[state.state]
        lines.append(f"{word}: {state.reason}")
    return lines


def _as_json(state: NetworkState) -> dict:
    return {"setting": state.setting.to_json(), "state": state.state, "reason": state.reason,
            "in_use": None if state.in_use is None else state.in_use.to_json(),
            "interface": state.interface, "request_id": state.request_id,
            "new_addresses": list(state.new_addresses),
            "kept_addresses": list(state.kept_addresses),
            "confirm_within_s": state.confirm_within_s, "decided": state.decided}


def show_network(args: argparse.Namespace) -> None:
    use_database(args)
    state = network.network_state(_state_dir(args))
    if args.json:
        print_json(_as_json(state))
    else:
        print("\n".join(_lines(state)))


def _wait(args: argparse.Namespace, seconds: float, until: set[str],
          decided: bool = False) -> NetworkState:
    """The state once it is one of ``until`` (and, with ``decided``, no decision waits), or
    as it is after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        state = network.network_state(_state_dir(args))
        settled = state.state in until and not (decided and state.decided)
        if settled or state.state == network.NOT_APPLIED or time.monotonic() >= deadline:
            return state
        time.sleep(POLL_S)


def _finish(state: NetworkState, wanted: set[str]) -> None:
    print("\n".join(_lines(state)))
    if state.state not in wanted:
        raise CommandError(f"the network setting is {state.state.replace('_', ' ')}"
                           + (f": {state.reason}" if state.reason else ""))


def _set(args: argparse.Namespace, setting: network.NetworkSetting) -> None:
    use_database(args)
    network.set_network(setting, cli_changes(), _state_dir(args))
    _finish(_wait(args, args.wait, DONE | {network.FAILED, network.REVERTED}), DONE)


def set_static(args: argparse.Namespace) -> None:
    _set(args, network.static_setting(args.address, args.gateway, args.dns))


def set_dhcp(args: argparse.Namespace) -> None:
    _set(args, network.DHCP)


def _on_trial(args: argparse.Namespace) -> NetworkState:
    use_database(args)
    state = network.network_state(_state_dir(args))
    if state.state != network.PENDING or state.request_id is None:
        raise CommandError(f"no network setting is on trial (it is "
                           f"{state.state.replace('_', ' ')})")
    return state


def confirm_network(args: argparse.Namespace) -> None:
    state = _on_trial(args)
    # On the box itself: no address to prove, whoever runs this is at the box.
    network.confirm_network(state.request_id, None, cli_changes(), _state_dir(args))
    _finish(_wait(args, DECISION_WAIT_S, {network.APPLIED, network.FAILED, network.REVERTED},
                  decided=True), {network.APPLIED})


def revert_network(args: argparse.Namespace) -> None:
    state = _on_trial(args)
    network.revert_network(state.request_id, cli_changes(), _state_dir(args))
    _finish(_wait(args, DECISION_WAIT_S, {network.APPLIED, network.FAILED, network.REVERTED},
                  decided=True), {network.REVERTED})
