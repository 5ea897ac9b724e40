"""`paivystys sms`: the SMS outbox with each message's state, and the modem's health."""

from __future__ import annotations

import argparse

from paivystys.modem.outbox import states
from paivystys.modem.outbox.store import listing
from paivystys.modem.outbox.views import message_to_dict, modem_health_to_dict

from ..calllog.text import format_table
from . import positive_int, print_json, use_database

DEFAULT_LAST = 20


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("sms", help="show the SMS outbox, newest first")
    parser.add_argument("--last", type=positive_int, default=DEFAULT_LAST, metavar="N",
                        help="how many of the newest messages (default %(default)s)")
    parser.add_argument("--state", choices=states.MESSAGE_STATES,
                        help="only messages in this state")
    parser.add_argument("--json", action="store_true",
                        help="print JSON (messages and the modem's health)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> None:
    use_database(args)
    messages = [message_to_dict(row) for row in listing(args.last, args.state)]
    health = modem_health_to_dict()
    if args.json:
        print_json({"modem": health, "messages": messages})
        return
    print(_health_line(health))
    if not messages:
        print("No messages.")
        return
    print(format_table(
        ["ID", "Queued", "To", "Reason", "State", "Parts", "Tries", "Text"],
        [[str(m["id"]), (m["created_at"] or "")[:19].replace("T", " "), m["recipient"],
          m["reason"], m["state"] + (f" ({m['last_error']})" if m["last_error"] else ""),
          str(m["parts"] or "-"), str(m["attempts"]), _short(m["text"])] for m in messages],
        right=(0, 5, 6)))


def _health_line(health: dict | None) -> str:
    if health is None:
        return "Modem: the modem service has not run yet."
    if not health["connected"]:
        return f"Modem: not connected ({health['last_error'] or 'no answer'}) on {health['device']}"
    network = (f"registered to {health['operator'] or 'a network'}" if health["registered"]
               else "NOT registered to a network")
    signal = f", signal {health['signal']}/31" if health["signal"] is not None else ""
    return f"Modem: connected on {health['device']}, {network}{signal}"


def _short(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
