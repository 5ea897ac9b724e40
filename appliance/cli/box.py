"""`paivystys box setup`: the box's first start and every start after an upgrade (run by
paivystys-setup.service, as root, before Asterisk and the services); `paivystys box
network-apply`: the network setting an admin asked for (run by paivystys-network.service, as
root)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from paivystys.appliance.box.network_apply import Host, NetworkApplier
from paivystys.appliance.box.setup import STATE_DIR, Box
from paivystys.appliance.box.update import Installer
from paivystys.appliance.cli import CommandError
from paivystys.appliance.network.exchange import exchange_dir
from paivystys.appliance.runtime.host import require_root
from paivystys.appliance.runtime.systemd import configure_logging


def register(commands: argparse._SubParsersAction) -> None:
    box = commands.add_parser("box", help="the box under systemd: its set-up")
    actions = box.add_subparsers(dest="box_command", required=True, metavar="ACTION")
    setup = actions.add_parser(
        "setup", help="make or repair the state directory, secrets, database schema and "
                      "Asterisk's configuration (as root; paivystys-setup.service runs it at "
                      "every boot)")
    setup.add_argument("--state-dir", type=Path,
                       default=STATE_DIR, help=f"default {STATE_DIR}")
    setup.set_defaults(handler=run_setup)
    update = actions.add_parser(
        "update-install", help="install the update an admin uploaded, checked again "
                               "(as root; paivystys-update.path runs it)")
    update.add_argument("--state-dir", type=Path,
                        default=STATE_DIR, help=f"default {STATE_DIR}")
    update.set_defaults(handler=run_update_install)
    network = actions.add_parser(
        "network-apply", help="try, keep or give up the network setting the services asked "
                              "for (as root; paivystys-network.path runs it)")
    network.add_argument("--state-dir", type=Path,
                         default=STATE_DIR, help=f"default {STATE_DIR}")
    network.set_defaults(handler=run_network_apply)


def run_setup(args: argparse.Namespace) -> None:
    Box(state_dir=args.state_dir).set_up()


def run_network_apply(args: argparse.Namespace) -> None:
    """A setting that failed is the run's outcome, said in the status the console and the CLI
    read (and in the journal), not a failure of the run: the unit restarts only on a crash."""
    if os.geteuid() != 0:
        raise CommandError("applying the network setting needs root "
                           "(paivystys-network.service runs it)")
    configure_logging()
    status = NetworkApplier(exchange_dir(args.state_dir), Host()).run()
    print(f"network: {status.state}" + (f": {status.reason}" if status.reason else ""))


def run_update_install(args: argparse.Namespace) -> int:
    """Exits 1 when the update failed (the unit shows it failed); the reason is in the
    update's state, which the console and 'paivystys update status' show."""
    require_root("Installing an update")
    outcome = Installer(state_dir=args.state_dir).run()
    return 1 if outcome is not None and outcome.state == "failed" else 0
