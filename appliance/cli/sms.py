"""`paivystys sms`: the SMS outbox with each message's state, and the modem's health."""

from __future__ import annotations

import argparse

from paivystys.appliance.calllog.text import format_table
from paivystys.appliance.cli import cli_changes, positive_int, print_json, use_database
from paivystys.appliance.sms import kinds, templates
from paivystys.appliance.sms.outbox import states
from paivystys.appliance.sms.outbox.store import listing
from paivystys.appliance.sms.outbox.views import message_to_dict, modem_health_to_dict

DEFAULT_LAST = 20


def register(commands: argparse._SubParsersAction) -> None:
    _register_templates(commands)
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


# --- templates -------------------------------------------------------------------------------

def _register_templates(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("sms-template", help="the words of the SMS messages")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing_parser = actions.add_parser("list", help="every message kind in every language")
    listing_parser.add_argument("--json", action="store_true")
    listing_parser.set_defaults(handler=template_list)
    change = actions.add_parser("set", help="use your own words for one kind and language")
    change.add_argument("kind", choices=kinds.KINDS)
    change.add_argument("language", choices=templates.LANGUAGES)
    change.add_argument("text", help="with placeholders such as {name}; see 'list'")
    change.set_defaults(handler=template_set)
    reset = actions.add_parser("reset", help="back to the built-in words")
    reset.add_argument("kind", choices=kinds.KINDS)
    reset.add_argument("language", choices=templates.LANGUAGES)
    reset.set_defaults(handler=template_reset)


def _template_rows() -> list[dict[str, object]]:
    rows = []
    for kind in kinds.KINDS:
        for language in templates.LANGUAGES:
            text = templates.template(kind, language)
            rows.append({"kind": kind, "language": language, "text": text,
                         "custom": text != templates.DEFAULTS[kind][language],
                         "placeholders": list(templates.PLACEHOLDERS[kind])})
    return rows


def template_list(args: argparse.Namespace) -> None:
    use_database(args)
    rows = _template_rows()
    if args.json:
        print_json(rows)
        return
    print(format_table(
        ["Kind", "Lang", "Own", "Text", "Placeholders"],
        [[str(row["kind"]), str(row["language"]), "yes" if row["custom"] else "-",
          str(row["text"]), " ".join(f"{{{name}}}" for name in row["placeholders"])]
         for row in rows]))


def template_set(args: argparse.Namespace) -> None:
    use_database(args)
    with cli_changes().change("sms_template.set", f"{args.kind}.{args.language}",
                              {"text": args.text}, reaches_asterisk=False):
        text = templates.set_template(args.kind, args.language, args.text)
    print(f"{args.kind} ({args.language}) is now: {text}")


def template_reset(args: argparse.Namespace) -> None:
    use_database(args)
    with cli_changes().change("sms_template.reset", f"{args.kind}.{args.language}",
                              reaches_asterisk=False):
        text = templates.reset_template(args.kind, args.language)
    print(f"{args.kind} ({args.language}) is back to: {text}")
