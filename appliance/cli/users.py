"""`paivystys user ...`: the LAN API's accounts (the first admin is made here: the box has no
default password), and `paivystys status`."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys

from paivystys.appliance.calllog.text import format_table
from paivystys.appliance.cli import CommandError, cli_changes, print_json, use_database
from paivystys.appliance.db.models import User
from paivystys.appliance.directory import Directory
from paivystys.appliance.users import service


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        if not sys.stdin.isatty():
            raise CommandError("no terminal to ask the password on: use --password-stdin", 2)
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise CommandError("the passwords differ", 2)
    if not password:
        raise CommandError("an empty password", 2)
    return password


def user_add(args: argparse.Namespace) -> None:
    use_database(args)
    person_id = None
    if args.person is not None:
        person_id = Directory().person(args.person).id
    role = service.ROLE_ADMIN if args.admin else service.ROLE_PERSON
    user = service.create_user(args.username, _password(args), role, person_id,
                               changes=cli_changes())
    print(f"added {role} {user.username}" + (f" (person {person_id})" if person_id else ""))


def user_list(args: argparse.Namespace) -> None:
    use_database(args)
    users = [service.user_to_dict(user) for user in User.select().order_by(User.id)]
    if args.json:
        print_json(users)
        return
    print(format_table(["ID", "User", "Role", "Person", "Locked until"],
                       [[str(u["id"]), str(u["username"]), str(u["role"]),
                         str(u["person_id"] or "-"), str(u["locked_until"] or "-")]
                        for u in users], right=(0,)))


def user_password(args: argparse.Namespace) -> None:
    use_database(args)
    user = service.find_user(args.user)
    service.set_password(user, _password(args), changes=cli_changes())
    print(f"new password for {user.username}; their logins were ended")


def user_unlock(args: argparse.Namespace) -> None:
    use_database(args)
    user = service.find_user(args.user)
    service.unlock(user, changes=cli_changes())
    print(f"{user.username} may log in again, from every address")


def user_remove(args: argparse.Namespace) -> None:
    use_database(args)
    user = service.find_user(args.user)
    service.remove_user(user, changes=cli_changes())
    print(f"removed {user.username}")


def status(args: argparse.Namespace) -> None:
    """What an installer checks: the API's address and certificate fingerprint (to compare
    with what the console shows on first connect) and the health reports."""
    db = use_database(args)
    from pathlib import Path

    from paivystys.appliance.api.health.service import snapshot
    from paivystys.appliance.api.server import STATUS_FILE, setup_notice, version

    data_dir = Path(db.database).resolve().parent
    api_file = data_dir / STATUS_FILE
    api = json.loads(api_file.read_text()) if api_file.exists() else {}
    admin_exists = service.admin_exists()
    result = {"database": str(Path(db.database).resolve()),
              "api_url": api.get("api_url"), "api_fingerprint": api.get("api_fingerprint"),
              "api_running": _alive(api.get("pid")),
              "admin_exists": admin_exists,
              "setup_notice": None if admin_exists else setup_notice(data_dir),
              "health": snapshot(data_dir, version())}
    if args.json:
        print_json(result)
        return
    running = "" if result["api_running"] else " (not running)"
    print(f"API:          {result['api_url'] or 'never started'}{running}")
    print(f"Certificate:  {result['api_fingerprint'] or '-'}")
    if result["setup_notice"]:
        print(f"\n{result['setup_notice']}\nOr make the admin here: paivystys user add NAME "
              "--admin\n")
    elif not result["admin_exists"]:
        print("No admin yet: claim the box from the desktop console with the set-up code in "
              "the API's log, or: paivystys user add NAME --admin")
    for part in ("asterisk", "trunk", "modem"):
        print(f"{part.capitalize() + ':':13} {result['health'][part]['state']}")


def _alive(pid: object) -> bool:
    """Whether the API that wrote api.json still runs (a killed one leaves the file)."""
    if not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("user", help="accounts of the LAN API (console logins)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="add an account (asks the password)")
    add.add_argument("username")
    who = add.add_mutually_exclusive_group(required=True)
    who.add_argument("--admin", action="store_true", help="manages everything")
    who.add_argument("--person", metavar="PERSON",
                     help="an on-call person's own account (their phone, name or id)")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of standard input")
    add.set_defaults(handler=user_add)
    listing = actions.add_parser("list", help="the accounts")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=user_list)
    password = actions.add_parser("password", help="set a new password (ends their logins)")
    password.add_argument("user", help="username or id")
    password.add_argument("--password-stdin", action="store_true")
    password.set_defaults(handler=user_password)
    for name, handler, text in (("unlock", user_unlock, "lift its lock-outs (every address)"),
                                ("remove", user_remove, "remove an account")):
        action = actions.add_parser(name, help=text)
        action.add_argument("user", help="username or id")
        action.set_defaults(handler=handler)

    status_parser = commands.add_parser(
        "status", help="the API's address and certificate fingerprint, and the health")
    status_parser.add_argument("--json", action="store_true")
    status_parser.set_defaults(handler=status)
