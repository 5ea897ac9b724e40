"""``paivystys-modem``: owns the GSM modem; sends the outbox, receives messages, reports health.

Runs until SIGTERM (or SIGINT).  When the modem is missing, silent or without network, the
service keeps retrying with back-off and messages wait in the outbox; nothing is dropped.

The SIM's PIN is the one stored on the box (``paivystys modem pin set``, the console), else
the one in ``--pin-file``.  The service never spends the SIM's tries on its own: it enters a
PIN only when the SIM asks for it, and a PIN the SIM refused never again; a SIM that waits
for a person (no PIN stored, PIN refused, PUK needed, no SIM) is reported in the modem's
health row with what to do, and the service watches the stored PIN and enters a new one as
soon as it is stored, without a restart.
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
from paivystys.appliance.db.models import ModemHealth, database_proxy, utcnow
from paivystys.appliance.db.schema import EXIT_SCHEMA_MISMATCH, SchemaError
from paivystys.appliance.errors import Invalid
from paivystys.appliance.runtime.systemd import Readiness, configure_logging, notify
from paivystys.appliance.sms.duty import handle_incoming
from paivystys.appliance.sms.sim_pin import (
    SIM_PIN_NEEDED,
    SIM_PIN_REFUSED,
    SIM_READY,
    PinChoice,
    SimReport,
    check_pin,
    describe_sim,
    pin_to_enter,
    record_refused,
    report_sim,
)
from paivystys.modem.gsm.adapter import (
    ApplianceModem,
    CmeError,
    CmsError,
    CommandError,
    ModemHealthReading,
    ReceivedSms,
    SimNotReady,
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
PIN_POLL_S = 1.0  # how often a waiting SIM's service looks for a newly stored PIN
# How often a SIM that waits for a person is looked at again (swapped, unlocked in a phone):
# asking what it waits for costs none of its tries.
SIM_RECHECK_S = 60.0


class ModemService:
    def __init__(self, device: str, baud: int, file_pin: str | None, stop: threading.Event,
                 readiness: Readiness | None = None) -> None:
        self._device = device
        self._baud = baud
        self._file_pin = file_pin
        self._stop = stop
        self._readiness = readiness or Readiness(None)
        self._lost = threading.Event()
        self._sender: OutboxSender | None = None
        self._sim_problem: str | None = None  # the last one logged, so a recheck logs no more
        self._last_failure: str | None = None  # the last connection failure logged

    def run(self) -> None:
        delay = RECONNECT_FIRST_S
        while not self._stop.is_set():
            self._lost.clear()
            waiting_sim: PinChoice | None = None
            modem = ApplianceModem(self._device, self._baud, on_incoming=self._incoming,
                                   on_status_report=self._status_report,
                                   on_lost=self._port_lost)
            try:
                choice = pin_to_enter(self._file_pin)
                if choice.pin is not None:
                    log.debug("the SIM's PIN, if it asks, is the one %s", choice.source)
                modem_call(modem.connect, choice.pin)
                log.info("modem on %s connected", self._device)
                self._sim_problem = None
                self._last_failure = None
                self._serve(modem)
                delay = RECONNECT_FIRST_S
            except SimNotReady as sim:
                waiting_sim = self._sim_not_ready(sim, choice)
            except (ModemGone, CmsError, CmeError, CommandError, serial.SerialException,
                    OSError, peewee.OperationalError) as error:
                reason = str(error) or type(error).__name__
                # An unplugged modem fails the same way at every try: said once, then quietly
                # until it fails differently or comes back.
                level = logging.DEBUG if reason == self._last_failure else logging.WARNING
                log.log(level, "modem on %s: %s; retrying in %.0f s", self._device, reason,
                        delay)
                self._last_failure = reason
                self._sim_problem = None  # the modem that comes back may have another SIM
                self._record_health(None, error=str(error) or type(error).__name__)
                if isinstance(error, ModemGone | CmsError):
                    delay = RECONNECT_FIRST_S  # it answered once; try again soon
            finally:
                self._sender = None
                modem.close()
            if waiting_sim is not None:
                self._wait_for_sim(waiting_sim)
                delay = RECONNECT_FIRST_S
                continue
            if self._stop.wait(delay):
                break
            delay = min(delay * 2, RECONNECT_MAX_S)

    def _sim_not_ready(self, sim: SimNotReady, tried: PinChoice) -> PinChoice:
        """The SIM waits for a person: say what for, in the health row and (once) the log.
        A PIN it refused is recorded, so that neither this service nor a restarted one
        enters it again.  Returns what the service would enter now."""
        state = sim.state
        if sim.refused_pin and tried.pin is not None:
            record_refused(tried.pin)
        if state == SIM_PIN_NEEDED and tried.refused:
            state = SIM_PIN_REFUSED  # it asks again, and the PIN known is the one it refused
        problem = describe_sim(state, sim.attempts_left, tried.source)
        if problem != self._sim_problem:
            log.error("%s (+CPIN: %s)", problem, sim.code)
            self._sim_problem = problem
        notify(f"STATUS={problem}")
        self._record_health(None, error=problem, sim=SimReport(state, sim.attempts_left))
        return pin_to_enter(self._file_pin)

    def _wait_for_sim(self, in_force: PinChoice) -> None:
        """Until the PIN the service would enter changes (one stored, another stored, one
        cleared), the time to look at the SIM again, or the stop."""
        recheck_at = time.monotonic() + SIM_RECHECK_S
        touch_at = time.monotonic() + HEALTH_EVERY_S
        while not self._stop.wait(PIN_POLL_S):
            now = time.monotonic()
            try:
                choice = pin_to_enter(self._file_pin)
                if now >= touch_at:  # the health row stays current while nothing changes
                    ModemHealth.update(updated_at=utcnow()).where(ModemHealth.id == 1).execute()
                    touch_at = now + HEALTH_EVERY_S
            except peewee.OperationalError as error:
                log.warning("reading the stored SIM PIN: %s", error)
                continue
            if choice != in_force:
                if choice.pin is not None:
                    log.info("a new SIM PIN is stored; entering it if the SIM asks")
                return
            if now >= recheck_at:
                return

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
        self._record_health(reading, sim=SimReport(SIM_READY, None))
        if not reading.registered:
            log.warning("modem is not registered to a network; messages wait")
        return reading

    def _record_health(self, reading: ModemHealthReading | None, error: str | None = None,
                       sim: SimReport | None = None) -> None:
        """The modem's health row and the SIM's report, together.  ``sim`` None: not known
        (no modem answered); a SIM that waits for a person is reported with a modem that
        answers, so ``connected`` is true."""
        values = {"device": self._device, "connected": reading is not None or sim is not None,
                  "registered": bool(reading and reading.registered),
                  "operator": reading.operator if reading else None,
                  "signal": reading.signal if reading else None,
                  "updated_at": utcnow()}
        if error is not None:
            values["last_error"] = error
        with database_proxy.atomic():
            ModemHealth.insert(id=1, **values).on_conflict(
                conflict_target=[ModemHealth.id], update=values).execute()
            report_sim(sim)

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
                        help="file holding the SIM PIN, used while none is stored on the box "
                             "(paivystys modem pin set): the stored one wins")
    parser.add_argument("--ready-file", type=Path, metavar="PATH",
                        help="written (our pid) once the modem is connected, removed on exit")
    parser.add_argument("--verbose", action="store_true", help="log debug messages")
    return parser.parse_args(argv)


def read_pin_file(path: Path) -> str | None:
    """The SIM PIN in ``path`` (None when the file is empty; Invalid when it holds anything
    but a PIN).  A file others may read is closed to them (its owner and group keep what they
    had), and the log says so."""
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
    text = path.read_text().strip()
    return check_pin(text) if text else None


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
        except (Invalid, UnicodeDecodeError):
            print(f"paivystys-modem: error: --pin-file {args.pin_file}: the SIM's PIN is 4 to 8 "
                  "digits (0-9), nothing else", file=sys.stderr)
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
