"""What every service that logs in to Asterisk's AMI takes on its command line, and how it
stops: the call monitor and the SIP guard share these."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from pathlib import Path

DEFAULT_AMI = "127.0.0.1:5038"
DEFAULT_AMI_USER = "paivystys"


def parse_address(text: str) -> tuple[str, int]:
    """``HOST:PORT`` -> (host, port); argparse turns the ValueError into a usage error."""
    host, separator, port = text.rpartition(":")
    if not separator or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"expected HOST:PORT, got {text!r}")
    return host, int(port)


def add_ami_arguments(parser: argparse.ArgumentParser) -> None:
    """--ami, --ami-user and --ami-secret-file; read the secret with ``read_ami_secret``."""
    parser.add_argument("--ami", type=parse_address, default=DEFAULT_AMI, metavar="HOST:PORT",
                        help=f"Asterisk manager interface (default: {DEFAULT_AMI})")
    parser.add_argument("--ami-user", default=DEFAULT_AMI_USER,
                        help=f"AMI username (default: {DEFAULT_AMI_USER})")
    parser.add_argument("--ami-secret-file", type=Path, required=True, metavar="PATH",
                        help="file holding the AMI password")


def read_ami_secret(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Set ``args.ami_secret`` from --ami-secret-file, or end with a usage error."""
    try:
        args.ami_secret = args.ami_secret_file.read_text().strip()
    except OSError as exc:
        parser.error(f"cannot read --ami-secret-file: {exc}")


def stop_on_signals(stop: threading.Event, log: logging.Logger) -> None:
    """SIGTERM and SIGINT set ``stop`` (the service then ends its loop and cleans up)."""
    def request_stop(signum: int, frame: object) -> None:
        log.info("%s received; stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
