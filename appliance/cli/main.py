"""Entry point of the `paivystys` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import peewee

from paivystys.appliance.ami.client import AmiError
from paivystys.appliance.cli import (
    CommandError,
    admin,
    backup,
    box,
    calls,
    db,
    lab,
    modem,
    network,
    sms,
    update,
    users,
)
from paivystys.appliance.db.database import database_path
from paivystys.appliance.errors import FieldError, Invalid
from paivystys.appliance.lab.environment import LabError
from paivystys.appliance.runtime.host import RuntimeSetupError
from paivystys.appliance.runtime.instance import InstanceError

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2  # what argparse uses for a bad command line, kept for bad values too


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="paivystys", description="Päivystysvaihde, the on-call switchboard.")
    parser.add_argument("--db", type=Path, default=database_path(),
                        help="the database (default: $PAIVYSTYS_DB or %(default)s)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    admin.register(commands)
    backup.register(commands)
    calls.register(commands)
    db.register(commands)
    sms.register(commands)
    modem.register(commands)
    network.register(commands)
    update.register(commands)
    users.register(commands)
    lab.register(commands)
    box.register(commands)
    return parser


def _fail(message: str, exit_code: int) -> int:
    print(f"paivystys: error: {message}", file=sys.stderr)
    return exit_code


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command: the chosen subcommand's ``handler(args) -> int | None``."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        # argparse has printed the usage error or the help; return its status, don't exit, so
        # callers (and tests) treat every outcome alike.
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    try:
        return args.handler(args) or 0
    except Invalid as exc:
        return _fail(str(exc), EXIT_BAD_INPUT)
    except FieldError as exc:
        return _fail(str(exc), EXIT_FAILED)
    except CommandError as exc:
        return _fail(str(exc), exc.exit_code)
    except (LabError, RuntimeSetupError, InstanceError, AmiError) as exc:
        # Lab mode not up, not root, Asterisk not answering: the message says what to do.
        return _fail(str(exc), EXIT_FAILED)
    except peewee.DatabaseError as exc:
        return _fail(f"database {args.db}: {exc}", EXIT_FAILED)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except Exception as exc:
        # The admin gets one line, not a traceback; the type says where to start looking.
        return _fail(f"unexpected {type(exc).__name__}: {exc}", EXIT_FAILED)


if __name__ == "__main__":
    sys.exit(main())
