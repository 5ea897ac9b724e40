"""`paivystys box setup`: the box's first start and every start after an upgrade (run by
paivystys-setup.service, as root, before Asterisk and the services)."""

from __future__ import annotations

import argparse
from pathlib import Path

from paivystys.appliance.box.setup import STATE_DIR, Box
from paivystys.appliance.box.update import Installer
from paivystys.appliance.runtime.host import require_root


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


def run_setup(args: argparse.Namespace) -> None:
    Box(state_dir=args.state_dir).set_up()


def run_update_install(args: argparse.Namespace) -> int:
    """Exits 1 when the update failed (the unit shows it failed); the reason is in the
    update's state, which the console and 'paivystys update status' show."""
    require_root("Installing an update")
    outcome = Installer(state_dir=args.state_dir).run()
    return 1 if outcome is not None and outcome.state == "failed" else 0
