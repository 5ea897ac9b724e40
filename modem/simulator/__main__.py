"""Run a simulated modem as its own process, for the lab and for whole-process tests.

    python -m paivystys.modem.simulator --link /run/lab/ttyUSB0 --control /run/lab/modem.sock \\
        --sent-log /run/lab/sent.jsonl [--delivery-delay 2] [--cms-error-rate 0.05] \\
        [--pin 1234 [--pin-retries ^CPIN]] [--ready-file /run/lab/modem.ready] [--verbose]

Runs until SIGTERM or SIGINT.  The ready file (holding the pid) appears only once both the
pty link and the control socket exist, so a starter that waits for it never races them; the
link, the socket and the ready file are removed on the way out.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import threading
from pathlib import Path

from paivystys.modem.simulator.control import ControlServer
from paivystys.modem.simulator.device import ModemSimulator
from paivystys.modem.simulator.responder import PIN_RETRY_COMMANDS


def _rate(text: str) -> float:
    rate = float(text)
    if not 0.0 <= rate <= 1.0:
        raise argparse.ArgumentTypeError("must be within 0..1")
    return rate


def _seconds(text: str) -> float:
    seconds = float(text)
    if seconds < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return seconds


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m paivystys.modem.simulator",
                                     description="A simulated USB GSM modem on a pty.")
    parser.add_argument("--link", required=True, type=Path,
                        help="symlink to create to the pty, e.g. DIR/ttyUSB0")
    parser.add_argument("--control", required=True, type=Path, help="control socket path")
    parser.add_argument("--sent-log", required=True, type=Path,
                        help="JSON-lines file each sent part is appended to")
    parser.add_argument("--delivery-delay", type=_seconds, default=None,
                        help="seconds until a +CDS status report (default: no reports)")
    parser.add_argument("--send-delay", type=_seconds, default=0.0,
                        help="seconds each send waits for the network's answer (default 0)")
    parser.add_argument("--cms-error-rate", type=_rate, default=0.0,
                        help="share of sends failing with +CMS ERROR: 500 (default 0)")
    parser.add_argument("--pin", default=None, help="SIM PIN the host must enter")
    parser.add_argument("--pin-retries", choices=(*PIN_RETRY_COMMANDS, "none"), default="+CPINR",
                        help="how the modem tells the SIM's tries left (default: +CPINR)")
    parser.add_argument("--ready-file", type=Path, default=None,
                        help="written with the pid once the link and the socket exist")
    parser.add_argument("--verbose", action="store_true", help="log the AT traffic")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    logging.basicConfig(level=logging.DEBUG if arguments.verbose else logging.INFO,
                        format="%(asctime)s modem-sim %(levelname)s %(message)s")
    stop = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stop.set())
    simulator = ModemSimulator(arguments.link, sent_log_path=arguments.sent_log,
                               pin=arguments.pin, delivery_delay=arguments.delivery_delay,
                               cms_error_rate=arguments.cms_error_rate,
                               pin_retries=None if arguments.pin_retries == "none"
                               else arguments.pin_retries)
    simulator.send_delay = arguments.send_delay or 0.0
    with simulator, ControlServer(simulator, arguments.control):
        if arguments.ready_file is not None:
            _write_atomically(arguments.ready_file, f"{os.getpid()}\n")
        try:
            stop.wait()
        finally:
            if arguments.ready_file is not None:
                with contextlib.suppress(FileNotFoundError):
                    arguments.ready_file.unlink()
    return 0


def _write_atomically(path: Path, text: str) -> None:
    """Write via a rename, so a reader never sees the file half written."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


if __name__ == "__main__":
    raise SystemExit(main())
