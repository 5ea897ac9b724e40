"""Configuration commands: numbers, listening numbers, groups, people (and their PINs for
the listening line), memberships, backup group, settings.

Every change goes through the directory, which validates it, records it in the audit log as
``cli:<unix user>``'s and applies it to Asterisk.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable

from paivystys.appliance.calllog import format_table
from paivystys.appliance.cli import (
    CommandError,
    cli_actor,
    cli_changes,
    print_json,
    use_database,
)
from paivystys.appliance.directory import (
    Directory,
    group_to_dict,
    listening_number_to_dict,
    number_to_dict,
    person_to_dict,
    settings_to_dicts,
)
from paivystys.appliance.listening import pins

Handler = Callable[[argparse.Namespace], int | None]


def _directory(args: argparse.Namespace) -> Directory:
    use_database(args)
    return Directory(cli_changes())


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _add(actions: argparse._SubParsersAction, name: str, handler: Handler,
         help_text: str) -> argparse.ArgumentParser:
    parser = actions.add_parser(name, help=help_text, description=help_text)
    parser.set_defaults(handler=handler)
    return parser


def _add_list(actions: argparse._SubParsersAction, handler: Handler,
              help_text: str) -> None:
    _add(actions, "list", handler, help_text).add_argument(
        "--json", action="store_true", help="print a JSON list of objects")


def _on_duty_options(parser: argparse.ArgumentParser) -> None:
    duty = parser.add_mutually_exclusive_group()
    duty.add_argument("--on-duty", dest="on_duty", action="store_const", const=True,
                      help="rung for calls")
    duty.add_argument("--off-duty", dest="on_duty", action="store_const", const=False,
                      help="not rung until back on duty")
    parser.add_argument("--sms", action=argparse.BooleanOptionalAction, default=None,
                        help="gets SMS notifications")


# --- numbers ------------------------------------------------------------------------------

def _number_line(number_dict: dict) -> str:
    return f"{number_dict['number']} {number_dict['name']!r} (id {number_dict['id']})"


def number_add(args: argparse.Namespace) -> None:
    directory = _directory(args)
    options = {key: value for key, value in
               (("recording", args.recording), ("retention_days", args.retention_days))
               if value is not None}
    row = directory.add_number(args.number, args.name, **options)
    print(f"added on-call number {_number_line(number_to_dict(row))}")


def number_list(args: argparse.Namespace) -> None:
    numbers = [number_to_dict(row) for row in _directory(args).list_numbers()]
    if args.json:
        print_json(numbers)
        return
    if not numbers:
        print("No on-call numbers.")
        return
    print(format_table(
        ["ID", "Number", "Name", "Groups", "Backup", "Recording"],
        [[str(n["id"]), n["number"], n["name"], ", ".join(n["groups"]) or "-",
          n["backup_group"] or "-",
          f"on, kept {n['retention_days']} d" if n["recording"] else "off"] for n in numbers],
        right=(0,)))


def number_change(args: argparse.Namespace) -> None:
    row = _directory(args).change_number(args.ref, number=args.new_number, name=args.name,
                                         recording=args.recording,
                                         retention_days=args.retention_days,
                                         sms_on_taken=args.sms_on_taken,
                                         sms_to_caller=args.sms_to_caller,
                                         sms_on_missed=args.sms_on_missed)
    print(f"changed on-call number {_number_line(number_to_dict(row))}")


def number_remove(args: argparse.Namespace) -> None:
    row = _directory(args).remove_number(args.ref)
    print(f"removed on-call number {row.number} {row.name!r}")


def number_groups(args: argparse.Namespace) -> None:
    if bool(args.groups) == args.none:
        raise CommandError("give the groups the number rings, or --none to ring no group", 2)
    directory = _directory(args)
    groups = directory.set_number_groups(args.ref, args.groups)
    number = directory.number(args.ref)
    names = ", ".join(group.name for group in groups) or "no group"
    print(f"{number.number} {number.name!r} rings: {names}")


def _register_numbers(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("number", help="on-call numbers callers dial")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    add = _add(actions, "add", number_add, "add an on-call number")
    add.add_argument("number", help="the number callers dial, e.g. 020 123 4567")
    add.add_argument("name", help="a name for the number")
    add.add_argument("--recording", action=argparse.BooleanOptionalAction, default=None,
                     help="record answered calls (default: off)")
    add.add_argument("--retention-days", type=int, metavar="DAYS",
                     help="days recordings are kept (default: 90)")

    _add_list(actions, number_list, "list the on-call numbers")

    change = _add(actions, "change", number_change, "change an on-call number")
    change.add_argument("ref", metavar="NUMBER", help="the number, its name or id")
    change.add_argument("--number", dest="new_number", metavar="NEW", help="a new number")
    change.add_argument("--name", help="a new name")
    change.add_argument("--recording", action=argparse.BooleanOptionalAction, default=None,
                        help="record answered calls")
    change.add_argument("--retention-days", type=int, metavar="DAYS",
                        help="days recordings are kept")
    for flag, text in (("--sms-on-taken", "text the others who was rung who took the call"),
                       ("--sms-to-caller", "text a mobile caller the answerer's contact"),
                       ("--sms-on-missed", "text the people rung about a missed call")):
        change.add_argument(flag, action=argparse.BooleanOptionalAction, default=None,
                            help=text)

    remove = _add(actions, "remove", number_remove,
                  "remove an on-call number (its call log stays)")
    remove.add_argument("ref", metavar="NUMBER", help="the number, its name or id")

    groups = _add(actions, "groups", number_groups,
                  "set the groups a number rings (all at once), replacing the old ones")
    groups.add_argument("ref", metavar="NUMBER", help="the number, its name or id")
    groups.add_argument("groups", nargs="*", metavar="GROUP", help="group names or ids")
    groups.add_argument("--none", action="store_true", help="ring no group at all")


# --- listening numbers ----------------------------------------------------------------------

def listening_add(args: argparse.Namespace) -> None:
    row = _directory(args).add_listening_number(args.number, args.name)
    print(f"added listening number {_number_line(listening_number_to_dict(row))}")


def listening_list(args: argparse.Namespace) -> None:
    numbers = [listening_number_to_dict(row)
               for row in _directory(args).list_listening_numbers()]
    if args.json:
        print_json(numbers)
        return
    if not numbers:
        print("No listening numbers.")
        return
    print(format_table(["ID", "Number", "Name"],
                       [[str(n["id"]), n["number"], n["name"]] for n in numbers], right=(0,)))


def listening_change(args: argparse.Namespace) -> None:
    row = _directory(args).change_listening_number(args.ref, number=args.new_number,
                                                   name=args.name)
    print(f"changed listening number {_number_line(listening_number_to_dict(row))}")


def listening_remove(args: argparse.Namespace) -> None:
    row = _directory(args).remove_listening_number(args.ref)
    print(f"removed listening number {row.number} {row.name!r}")


def _register_listening_numbers(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "listening-number", help="numbers people call to hear their own calls' recordings")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = _add(actions, "add", listening_add,
               "add a listening number (never also an on-call number)")
    add.add_argument("number", help="the number people dial, e.g. 020 123 4599")
    add.add_argument("name", help="a name for the number")
    _add_list(actions, listening_list, "list the listening numbers")
    change = _add(actions, "change", listening_change, "change a listening number")
    change.add_argument("ref", metavar="NUMBER", help="the number, its name or id")
    change.add_argument("--number", dest="new_number", metavar="NEW", help="a new number")
    change.add_argument("--name", help="a new name")
    remove = _add(actions, "remove", listening_remove,
                  "remove a listening number (its calls stay in the log)")
    remove.add_argument("ref", metavar="NUMBER", help="the number, its name or id")


# --- groups -------------------------------------------------------------------------------

def group_add(args: argparse.Namespace) -> None:
    row = _directory(args).add_group(args.name)
    print(f"added group {row.name!r} (id {row.id})")


def group_list(args: argparse.Namespace) -> None:
    groups = [group_to_dict(row) for row in _directory(args).list_groups()]
    if args.json:
        print_json(groups)
        return
    if not groups:
        print("No groups.")
        return
    print(format_table(
        ["ID", "Name", "Members", "Rings for", "Backup for"],
        [[str(g["id"]), g["name"],
          ", ".join(m["name"] + ("" if m["on_duty"] else " (off duty)") for m in g["members"])
          or "-", ", ".join(g["rings_for"]) or "-", ", ".join(g["backup_for"]) or "-"]
         for g in groups],
        right=(0,)))


def group_rename(args: argparse.Namespace) -> None:
    directory = _directory(args)
    old = directory.group(args.ref).name
    row = directory.rename_group(args.ref, args.name)
    print(f"renamed group {old!r} to {row.name!r}")


def group_remove(args: argparse.Namespace) -> None:
    row = _directory(args).remove_group(args.ref, force=args.force)
    print(f"removed group {row.name!r}")


def _register_groups(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("group", help="groups of on-call people")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    _add(actions, "add", group_add, "add a group").add_argument("name", help="the group's name")
    _add_list(actions, group_list, "list the groups with their members")
    rename = _add(actions, "rename", group_rename, "rename a group")
    rename.add_argument("ref", metavar="GROUP", help="the group's name or id")
    rename.add_argument("name", help="the new name")
    remove = _add(actions, "remove", group_remove,
                  "remove a group (its people stay); refused while numbers use it")
    remove.add_argument("ref", metavar="GROUP", help="the group's name or id")
    remove.add_argument("--force", action="store_true",
                        help="remove it from the numbers that ring it or fall back to it too")


# --- people -------------------------------------------------------------------------------

def _person_line(row: dict) -> str:
    flags = ("on duty" if row["on_duty"] else "off duty") + (", SMS" if row["wants_sms"]
                                                             else ", no SMS")
    return f"{row['name']} {row['phone']} (id {row['id']}, {flags})"


def person_add(args: argparse.Namespace) -> None:
    options = {key: value for key, value in (("on_duty", args.on_duty), ("wants_sms", args.sms))
               if value is not None}
    row = _directory(args).add_person(args.name, args.phone, public_phone=args.public_phone,
                                      **options)
    print(f"added person {_person_line(person_to_dict(row))}")


def person_list(args: argparse.Namespace) -> None:
    people = [person_to_dict(row) for row in _directory(args).list_people()]
    if args.json:
        print_json(people)
        return
    if not people:
        print("No people.")
        return
    print(format_table(
        ["ID", "Name", "Phone", "On duty", "SMS", "Groups", "Personal no.", "PIN"],
        [[str(p["id"]), p["name"], p["phone"], _yes(p["on_duty"]), _yes(p["wants_sms"]),
          ", ".join(p["groups"]) or "-", p["personal_number"] or "-", _pin_shown(p)]
         for p in people],
        right=(0,)))


def _pin_shown(row: dict) -> str:
    if row["pin_locked_until"]:
        return f"locked until {row['pin_locked_until']}"
    return "set" if row["has_pin"] else "none"


def _new_pin(args: argparse.Namespace) -> str:
    """The PIN from standard input (--pin-stdin) or asked twice on the terminal: never a
    command-line argument, which every user of the machine could read from the process list."""
    if args.pin_stdin:
        pin = sys.stdin.readline().rstrip("\n")
    else:
        if not sys.stdin.isatty():
            raise CommandError("no terminal to ask the PIN on: use --pin-stdin", 2)
        pin = getpass.getpass("PIN (4-8 digits): ")
        if getpass.getpass("Again: ") != pin:
            raise CommandError("the PINs differ", 2)
    return pins.check_new_pin(pin)


def person_pin_set(args: argparse.Namespace) -> None:
    person = _directory(args).person(args.ref)  # before asking: a typo is told at once
    pin = _new_pin(args)
    pins.set_pin(person, pin, cli_actor())
    print(f"new PIN for {person.name}; their personal number is {person.personal_number}")


def person_pin_unlock(args: argparse.Namespace) -> None:
    person = _directory(args).person(args.ref)
    pins.lift_pin_lock(person, cli_actor())
    print(f"{person.name} may use the listening line again")


def person_change(args: argparse.Namespace) -> None:
    row = _directory(args).change_person(args.ref, name=args.name, phone=args.phone,
                                         on_duty=args.on_duty, wants_sms=args.sms,
                                         public_phone=args.public_phone)
    print(f"changed person {_person_line(person_to_dict(row))}")


def person_remove(args: argparse.Namespace) -> None:
    row = _directory(args).remove_person(args.ref)
    print(f"removed person {row.name} {row.phone}")


def _register_people(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("person", help="on-call people")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = _add(actions, "add", person_add, "add a person (on duty and with SMS by default)")
    add.add_argument("name", help="the person's name")
    add.add_argument("phone", help="the person's phone, e.g. 040 123 4567")
    add.add_argument("--public-phone", default="", metavar="PHONE",
                     help="the number callers get by SMS to reach this person again "
                          "(default: none; callers get the on-call number)")
    _on_duty_options(add)
    _add_list(actions, person_list, "list the people")
    change = _add(actions, "change", person_change, "change a person")
    change.add_argument("ref", metavar="PERSON", help="the person's phone, name or id")
    change.add_argument("--name", help="a new name")
    change.add_argument("--phone", help="a new phone number")
    change.add_argument("--public-phone", metavar="PHONE",
                        help="the number callers get by SMS ('' to publish none)")
    _on_duty_options(change)
    remove = _add(actions, "remove", person_remove,
                  "remove a person (the call log keeps their name)")
    remove.add_argument("ref", metavar="PERSON", help="the person's phone, name or id")
    pin = actions.add_parser("pin", help="a person's PIN for the listening line")
    pin_actions = pin.add_subparsers(dest="pin_action", required=True, metavar="ACTION")
    pin_set = _add(pin_actions, "set", person_pin_set,
                   "set a person's PIN (4-8 digits; asked on the terminal, never an argument); "
                   "their wrong PINs and phone lock end")
    pin_set.add_argument("ref", metavar="PERSON", help="the person's phone, name or id")
    pin_set.add_argument("--pin-stdin", action="store_true",
                         help="read the PIN from the first line of standard input")
    unlock = _add(pin_actions, "unlock", person_pin_unlock,
                  "lift a person's phone lock after wrong PINs")
    unlock.add_argument("ref", metavar="PERSON", help="the person's phone, name or id")


# --- memberships, backup group ----------------------------------------------------------------

def member_add(args: argparse.Namespace) -> None:
    row = _directory(args).add_member(args.person, args.group)
    print(f"{row.person.name} is now in {row.group.name!r}")


def member_remove(args: argparse.Namespace) -> None:
    row = _directory(args).remove_member(args.person, args.group)
    print(f"{row.person.name} is no longer in {row.group.name!r}")


def _register_members(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("member", help="who is in which group")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, handler, text in (("add", member_add, "put a person in a group"),
                                ("remove", member_remove, "take a person out of a group")):
        action = _add(actions, name, handler, text)
        action.add_argument("person", metavar="PERSON", help="the person's phone, name or id")
        action.add_argument("group", metavar="GROUP", help="the group's name or id")


def backup_set(args: argparse.Namespace) -> None:
    row = _directory(args).set_backup_group(args.ref, args.group)
    print(f"{row.number} {row.name!r} falls back to {row.backup_group.name!r}")


def backup_clear(args: argparse.Namespace) -> None:
    row = _directory(args).set_backup_group(args.ref, None)
    print(f"{row.number} {row.name!r} has no backup group")


def _register_backup(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("backup", help="the group rung when nobody else answers")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    set_ = _add(actions, "set", backup_set, "set a number's backup group")
    set_.add_argument("ref", metavar="NUMBER", help="the number, its name or id")
    set_.add_argument("group", metavar="GROUP", help="the group's name or id")
    clear = _add(actions, "clear", backup_clear, "remove a number's backup group")
    clear.add_argument("ref", metavar="NUMBER", help="the number, its name or id")


# --- settings -----------------------------------------------------------------------------

def settings_list(args: argparse.Namespace) -> None:
    use_database(args)
    rows = settings_to_dicts()
    if args.json:
        print_json(rows)
        return
    print(format_table(["Key", "Value", "Default"],
                       [[row["key"], row["value"], row["default"]] for row in rows]))


def settings_set(args: argparse.Namespace) -> None:
    value = _directory(args).set_setting(args.key, args.value)
    print(f"{args.key} = {value}")


def _register_settings(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("settings", help="ring time, confirmation time, language")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    _add_list(actions, settings_list, "list the settings")
    set_ = _add(actions, "set", settings_set, "change a setting")
    set_.add_argument("key", help="the setting's name")
    set_.add_argument("value", help="its new value")


def register(commands: argparse._SubParsersAction) -> None:
    _register_numbers(commands)
    _register_listening_numbers(commands)
    _register_groups(commands)
    _register_people(commands)
    _register_members(commands)
    _register_backup(commands)
    _register_settings(commands)
