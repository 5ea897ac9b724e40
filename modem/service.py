"""``paivystys-modem``: owns the GSM modem; sends the outbox, receives messages, reports health.

Runs until SIGTERM (or SIGINT).  When the modem is missing, silent or without network, the
service keeps retrying with back-off and messages wait in the outbox; nothing is dropped.
"""

from __future__ import annotations

import argparse
import logging
import signal
import stat
import sys
import threading
import time
from pathlib import Path

import peewee
import serial

from paivystys.appliance.db.database import database_path, open_database
from paivystys.appliance.db.models import ModemHealth, utcnow
from paivystys.appliance.db.schema import EXIT_SCHEMA_MISMATCH, SchemaError
from paivystys.appliance.runtime.systemd import Readiness, configure_logging, notify
from paivystys.appliance.sms.duty import handle_incoming
from paivystys.modem.gsm.adapter import (
    ApplianceModem,
    CmeError,
    CmsError,
    CommandError,
    IncorrectPinError,
    ModemHealthReading,
    PinRequiredError,
    ReceivedSms,
)
from paivystys.modem.sender import ModemGone, OutboxSender, modem_call

log = logging.getLogger("paivystys.modem")

DEFAULT_DEVICE = "/dev/ttyUSB0"
POLL_S = 0.25  # how often the outbox is looked at: the worst extra delay of a new message
HEALTH_EVERY_S = 15.0
UNREGISTERED_EVERY_S = 3.0
SCAN_EVERY_S = 30.0  # received messages whose +CMTI got lost are found by this scan
RECONNECT_FIRST_S = 1.0
RECONNECT_MAX_S = 30.0
CME_SIM_PUK_REQUIRED = 12


class ModemService:
    def __init__(self, device: str, baud: int, pin: str | None, stop: threading.Event,
                 readiness: Readiness | None = None) -> None:
        self._device = device
        self._baud = baud
        self._pin = pin
        self._stop = stop
        self._readiness = readiness or Readiness(None)
        self._lost = threading.Event()
        self._sender: OutboxSender | None = None

    def run(self) -> None:
        delay = RECONNECT_FIRST_S
        while not self._stop.is_set():
            self._lost.clear()
            modem = ApplianceModem(self._device, self._baud, on_incoming=self._incoming,
                                   on_status_report=self._status_report,
                                   on_lost=self._port_lost)
            try:
                modem_call(modem.connect, self._pin)
                log.info("modem on %s connected", self._device)
                self._serve(modem)
                delay = RECONNECT_FIRST_S
            except (PinRequiredError, IncorrectPinError) as error:
                self._sim_refuses(error)
                break
            except CmeError as error:
                if error.code != CME_SIM_PUK_REQUIRED:
                    raise
                self._sim_refuses(error)
                break
            except (ModemGone, CmsError, CommandError, serial.SerialException, OSError,
                    peewee.OperationalError) as error:
                log.warning("modem on %s: %s; retrying in %.0f s", self._device,
                            error or type(error).__name__, delay)
                self._record_health(None, error=str(error) or type(error).__name__)
                if isinstance(error, ModemGone | CmsError):
                    delay = RECONNECT_FIRST_S  # it answered once; try again soon
            finally:
                self._sender = None
                modem.close()
            if self._stop.wait(delay):
                break
            delay = min(delay * 2, RECONNECT_MAX_S)

    def _sim_refuses(self, error: Exception) -> None:
        """No PIN, a wrong PIN, a PUK-locked SIM: trying again would use up the SIM's three
        PIN attempts (then only the PUK opens it), so the service waits for a person."""
        problem = {PinRequiredError: "the SIM wants a PIN and none is set (--pin-file)",
                   IncorrectPinError: "the SIM refused the PIN"}.get(
            type(error), "the SIM is locked: it needs its PUK (put it in a phone)")
        log.error("%s; not trying again until the service is restarted", problem)
        self._record_health(None, error=f"{problem}; not trying again until restarted")
        self._stop.wait()

    def _serve(self, modem: ApplianceModem) -> None:
        sender = OutboxSender(modem)
        reading = self._check_health(modem)
        sender.recover()
        self._sender = sender
        self._scan_received(modem)
        self._mark_ready()
        next_health = time.monotonic() + HEALTH_EVERY_S
        next_scan = time.monotonic() + SCAN_EVERY_S
        while not self._stop.is_set():
            if self._lost.is_set():
                raise ModemGone("the modem's port went away")
            now = time.monotonic()
            if now >= next_health:
                reading = self._check_health(modem)
                # Without network, look again soon: messages wait for it.
                next_health = now + (HEALTH_EVERY_S if reading.registered else UNREGISTERED_EVERY_S)
            if reading.registered:
                sender.send_due()
            if now >= next_scan:
                self._scan_received(modem)
                next_scan = now + SCAN_EVERY_S
            self._stop.wait(POLL_S)

    def _check_health(self, modem: ApplianceModem) -> ModemHealthReading:
        reading = modem_call(modem.health)
        self._record_health(reading)
        if not reading.registered:
            log.warning("modem is not registered to a network; messages wait")
        return reading

    def _record_health(self, reading: ModemHealthReading | None, error: str | None = None) -> None:
        values = {"device": self._device, "connected": reading is not None,
                  "registered": bool(reading and reading.registered),
                  "operator": reading.operator if reading else None,
                  "signal": reading.signal if reading else None,
                  "updated_at": utcnow()}
        if error is not None:
            values["last_error"] = error
        ModemHealth.insert(id=1, **values).on_conflict(
            conflict_target=[ModemHealth.id], update=values).execute()

    def _scan_received(self, modem: ApplianceModem) -> None:
        for stored, decoded in modem_call(modem.received_messages):
            if decoded.get("type") == "SMS-DELIVER":
                handle_incoming(decoded.get("number") or "", decoded.get("text") or "",
                                decoded.get("time"))
            else:
                log.warning("deleting unreadable stored message %s", stored.index)
            try:
                modem_call(modem.delete_stored, stored.index)
            except CmsError as error:
                log.warning("could not delete received message %s: %s", stored.index, error)

    # -- called on the library's threads -------------------------------------------------------

    def _incoming(self, sms: ReceivedSms) -> None:
        # Returning normally lets the library delete the message from the modem: only after
        # it is in the database.
        handle_incoming(sms.number or "", sms.text or "", sms.time)

    def _status_report(self, reference: int, status: int) -> None:
        sender = self._sender
        if sender is not None:
            sender.status_report(reference, status)

    def _port_lost(self, error: Exception) -> None:
        log.warning("modem port error: %s", error)
        self._lost.set()

    def _mark_ready(self) -> None:
        self._readiness.ready(f"modem on {self._device} connected")


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="paivystys-modem", description=__doc__)
    parser.add_argument("--db", type=Path, default=None,
                        help=f"database file (default: $PAIVYSTYS_DB or {database_path()})")
    parser.add_argument("--device", default=DEFAULT_DEVICE,
                        help=f"the modem's serial device (default: {DEFAULT_DEVICE})")
    parser.add_argument("--baud", type=int, default=115200, help="serial speed (default 115200)")
    parser.add_argument("--pin-file", type=Path, metavar="PATH",
                        help="file holding the SIM PIN (when the SIM asks for one)")
    parser.add_argument("--ready-file", type=Path, metavar="PATH",
                        help="written (our pid) once the modem is connected, removed on exit")
    parser.add_argument("--verbose", action="store_true", help="log debug messages")
    return parser.parse_args(argv)


def read_pin_file(path: Path) -> str | None:
    """The SIM PIN in ``path`` (None when the file is empty).  A file others may read is
    closed to them (its owner and group keep what they had), and the log says so."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & stat.S_IRWXO:
        private = mode & ~stat.S_IRWXO
        try:
            path.chmod(private)
        except PermissionError:
            log.warning("the PIN file %s is mode %04o, readable by every user on the box, and "
                        "only its owner can close it (chmod o= %s)", path, mode, path)
        else:
            log.warning("the PIN file %s was mode %04o, readable by every user on the box; "
                        "made it %04o", path, mode, private)
    return path.read_text().strip() or None


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    configure_logging(args.verbose)
    if not args.verbose:
        logging.getLogger("gsmmodem").setLevel(logging.WARNING)
    pin = None
    if args.pin_file is not None:
        try:
            pin = read_pin_file(args.pin_file)
        except OSError as exc:
            print(f"paivystys-modem: error: cannot read --pin-file: {exc}", file=sys.stderr)
            return 2
    try:
        database = open_database(args.db, sync_every_commit=True)
    except SchemaError as exc:  # one line in the log: what to run
        log.error("%s", exc)
        return EXIT_SCHEMA_MISMATCH
    stop = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        log.info("%s received; stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    log.info("modem service on %s, outbox in %s", args.device, database.database)
    readiness = Readiness(args.ready_file)
    # Up for systemd at once: an unplugged modem is waited for, not a failed start.
    notify("READY=1", f"STATUS=looking for the modem on {args.device}")
    try:
        ModemService(args.device, args.baud, pin, stop, readiness).run()
    finally:
        readiness.stopping()
    database.close()
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
