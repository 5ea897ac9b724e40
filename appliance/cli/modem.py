"""`paivystys modem`: the modem's health and the SIM's PIN.

The PIN is asked on the terminal (or read from standard input), never taken from the command
line: every user of the machine sees a command line in `ps`.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from paivystys.appliance.cli import CommandError, cli_changes, print_json, use_database
from paivystys.appliance.sms import sim_pin
from paivystys.appliance.sms.outbox.views import modem_health_to_dict


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("modem", help="the modem's health and the SIM's PIN")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    status = actions.add_parser("status", help="what the modem and its SIM are doing")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=modem_status)
    pin = actions.add_parser("pin", help="the SIM's PIN, stored on the box for the modem")
    pin_actions = pin.add_subparsers(dest="pin_action", required=True, metavar="ACTION")
    store = pin_actions.add_parser(
        "set", help="store the PIN (asked on the terminal); the modem service enters it when "
                    "the SIM asks, at once if it waits now")
    store.add_argument("--pin-stdin", action="store_true",
                       help="read the PIN from the first line of standard input")
    store.set_defaults(handler=pin_set)
    clear = pin_actions.add_parser(
        "clear", help="forget the stored PIN (and that the SIM refused it, if it did)")
    clear.set_defaults(handler=pin_clear)


def _read_pin(args: argparse.Namespace) -> str:
    if args.pin_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise CommandError("no terminal to ask the PIN on: use --pin-stdin", 2)
    pin = getpass.getpass("SIM PIN: ")
    if getpass.getpass("Again: ") != pin:
        raise CommandError("the PINs differ", 2)
    return pin


def pin_set(args: argparse.Namespace) -> None:
    pin = _read_pin(args)  # before the database: a refused PIN is refused the same way
    use_database(args)
    sim_pin.set_pin(pin, cli_changes())
    print("The SIM's PIN is stored; the modem service enters it when the SIM asks for it.")


def pin_clear(args: argparse.Namespace) -> None:
    use_database(args)
    sim_pin.clear_pin(cli_changes())
    print("No SIM PIN is stored now.")


def modem_status(args: argparse.Namespace) -> None:
    use_database(args)
    status = sim_pin.pin_status()
    health = modem_health_to_dict()
    report = sim_pin.sim_report()
    sim = None if report is None else {"state": report.state,
                                      "pin_attempts_left": report.attempts_left,
                                      "says": sim_pin.describe_sim(report.state,
                                                                   report.attempts_left)}
    if args.json:
        print_json({"modem": health, "sim": sim, "has_pin": status.has_pin,
                    "pin_refused": status.refused})
        return
    if health is None:
        print("Modem: the modem service has not run yet.")
    else:
        network = (f"registered to {health['operator'] or 'a network'}" if health["registered"]
                   else "not registered to a network")
        signal = f", signal {health['signal']}/31" if health["signal"] is not None else ""
        print(f"Modem: {'answers' if health['connected'] else 'does not answer'} on "
              f"{health['device']}, {network}{signal}")
    print(f"SIM: {sim['says'] if sim is not None else 'not known'}")
    print("PIN: " + ("stored, refused by the SIM" if status.refused
                     else "stored" if status.has_pin else "none stored"))
