"""The `paivystys` command: configuration, call log and lab mode from a terminal."""

from __future__ import annotations

import argparse
import getpass
import json
import os
from typing import Any

import peewee

from paivystys.appliance.changes import Changes
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.schema import SchemaError


class CommandError(Exception):
    """A command failed in a way the user can act on; printed without a traceback."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def use_database(args: argparse.Namespace) -> peewee.SqliteDatabase:
    """Open the database named by the global ``--db`` option."""
    try:
        return open_database(args.db)
    except SchemaError as exc:  # the message names the database and what to run
        raise CommandError(str(exc)) from exc
    except (OSError, peewee.DatabaseError) as exc:
        raise CommandError(f"cannot open database {args.db}: {exc}") from exc


def cli_actor() -> str:
    """Who the audit log says made a change from this command line: ``cli:<unix user>``."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # a uid with no name (a container's, a dynamic user's)
        user = f"uid{os.getuid()}"
    return f"cli:{user}"


def cli_changes() -> Changes:
    """Changes made from this command line: audited as ``cli:<unix user>``, then applied."""
    return Changes(cli_actor())


def print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


def positive_int(text: str) -> int:
    """argparse type: a whole number, at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value
