"""`paivystys db migrate|version`: the database schema's version, and bringing it up to date.

The services refuse a database whose schema is not their own version; `db migrate` is the one
command that changes it, run once after the software is upgraded and before the services
start (the box's set-up runs it too).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from paivystys.appliance.cli import CommandError, cli_actor
from paivystys.appliance.db.database import migrate_database, stored_schema_version
from paivystys.appliance.db.schema import MIGRATE_COMMAND, SCHEMA_VERSION, SchemaError


def register(commands: argparse._SubParsersAction) -> None:
    db = commands.add_parser("db", help="the database's schema version; migrating it")
    actions = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    migrate = actions.add_parser(
        "migrate", help="bring the database's schema to this software's version (run once, "
                        "before the services start)")
    version = actions.add_parser(
        "version", help="the database's schema version and this software's; exit status 1 "
                        "when they differ")
    for action in (migrate, version):
        # Also after the action, as `db migrate --db PATH`; the global --db stays the default.
        action.add_argument("--db", type=Path, default=argparse.SUPPRESS,
                            help="the database (default: the global --db)")
    migrate.set_defaults(handler=run_migrate)
    version.set_defaults(handler=run_version)


def run_migrate(args: argparse.Namespace) -> None:
    try:
        result = migrate_database(args.db, actor=cli_actor())
    except SchemaError as exc:
        raise CommandError(str(exc)) from exc
    if result.created:
        print(f"created {args.db} at schema version {result.to_version}")
    elif result.steps:
        print(f"migrated {args.db} from schema version {result.from_version} to "
              f"{result.to_version} ({', '.join(result.steps)})")
    else:
        print(f"{args.db} is already at schema version {result.to_version}")


def run_version(args: argparse.Namespace) -> int:
    found = stored_schema_version(args.db)
    if found is None:
        raise CommandError(f"no database at {args.db}")
    print(f"{args.db}: schema version {found}; this software's: {SCHEMA_VERSION}")
    if found < SCHEMA_VERSION:
        print(f"out of date: run `{MIGRATE_COMMAND} --db {args.db}`")
    elif found > SCHEMA_VERSION:
        print("newer than this software: it leaves the database untouched")
    return 0 if found == SCHEMA_VERSION else 1
