"""`paivystys calls`: the call log."""

from __future__ import annotations

import argparse

from paivystys.appliance.calllog import call_to_dict, format_calls, recent_calls
from paivystys.appliance.cli import positive_int, print_json, use_database

DEFAULT_LAST = 20


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("calls", help="show the call log, newest first")
    parser.add_argument("--last", type=positive_int, default=DEFAULT_LAST, metavar="N",
                        help="how many of the newest calls (default %(default)s)")
    parser.add_argument("--json", action="store_true", help="print JSON with every leg")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    use_database(args)
    rows = recent_calls(args.last)
    if args.json:
        print_json([call_to_dict(call) for call in rows])
    else:
        print(format_calls(rows))
