"""``ApplianceModem``: python-gsmmodem-new's ``GsmModem`` with the fixes the appliance needs.

The library does the AT conversation, the PIN, registration, PDU decoding and unsolicited
notifications well; these are the defects measured on it (TELEPHONY-NOTES) and what this
class does about each:

1. A modem without ``+CSCS`` makes every UCS-2 ``sendSms`` raise, although PDU mode never
   needs a character set.  We never call ``sendSms``: messages go as PDUs we encode ourselves
   (``appliance.sms.encoding``) through the storage commands below, which need no ``+CSCS``.
2. Every line from the modem is decoded as strict UTF-8; one non-UTF-8 byte (a Latin-1
   ``+CUSD`` reply, line noise) kills the reader thread and every later command times out.
   Our read loop decodes with replacement characters.
3. Only the last part of a multi-part message keeps its reference, so delivery reports cover
   only that part.  Each part here is stored and sent on its own and its reference is kept
   per part by the outbox; status reports are handed over raw (``on_status_report``).
4. Text mode silently switches to PDU mode for good on an ä.  We stay in PDU mode from the
   start and say so to the modem at connect.
5. SyntaxWarnings on Python 3.12+ from its regular expressions: silenced at import.

More found while building the appliance: ``encodeSmsSubmitPdu`` raises on any emoji or "ÿ"
(so we encode PDUs ourselves); an unsolicited ``+CMTI``/``+CDS`` that arrives while a command
waits for its answer is swallowed into that answer, and of several ``+CMTI`` arriving together
only the first is handled.  Here each such line is a notification of its own.  (A modem killed
mid-send is also left in its "> " prompt: ``connect`` cancels it first.)

The SIM: the library enters the PIN into whatever the SIM asks for (one asking for its PUK
included) and cannot say how many tries are left.  ``connect`` here enters a PIN only when
the SIM asks for exactly that, once, and a SIM that needs a person raises
:class:`SimNotReady` with the tries left as the modem tells them (``+CPINR``, Huawei's
``^CPIN`` or Quectel's ``+QPINC``).
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import serial

with warnings.catch_warnings():
    warnings.simplefilter("ignore", SyntaxWarning)
    from gsmmodem.exceptions import (
        CmeError,
        CmsError,
        CommandError,
        IncorrectPinError,
        PinRequiredError,
        TimeoutException,
    )
    from gsmmodem.modem import GsmModem, ReceivedSms, StatusReport
    from gsmmodem.pdu import decodeSmsPdu
    from gsmmodem.util import lineStartingWith

from paivystys.appliance.sms.sim_pin import (
    PIN_PATTERN,
    SIM_BLOCKED,
    SIM_MISSING,
    SIM_OTHER_LOCK,
    SIM_PIN_NEEDED,
    SIM_PIN_REFUSED,
    SIM_PUK_NEEDED,
)

__all__ = ["ApplianceModem", "CmeError", "CmsError", "CommandError", "IncorrectPinError",
           "ModemHealthReading", "PinRequiredError", "ReceivedSms", "SimNotReady",
           "StoredPdu", "TimeoutException"]

CTRL_Z = "\x1a"
ESC = b"\x1b"
# 27.005 <stat> values of stored messages
STAT_RECEIVED_UNREAD = 0
STAT_RECEIVED_READ = 1
STAT_STORED_UNSENT = 2
STAT_STORED_SENT = 3
CMS_INVALID_INDEX = 321
# A send goes to the network and back; real modems answer within ~10 s, slow networks later.
SEND_TIMEOUT_S = 60
COMMAND_TIMEOUT_S = 10
_CMGL_LINE = re.compile(r"^\+CMGL:\s*(\d+),\s*(\d+),")
_CSQ_LINE = re.compile(r"^\+CSQ:\s*(\d+),")
_CREG_LINE = re.compile(r"^\+CREG:\s*\d+,\s*(\d+)")
_COPS_LINE = re.compile(r'^\+COPS:\s*\d+,\s*\d+,\s*"([^"]*)"')
_UNSOLICITED_SINGLE = ("+CMTI:", "+CDSI:")
# 27.007 9.2 +CME ERROR codes about the SIM
CME_SIM_NOT_INSERTED = 10
CME_SIM_FAILURE = 13
CME_INCORRECT_PASSWORD = 16
SIM_CODE_READY = "READY"
SIM_CODE_PIN = "SIM PIN"
SIM_CODE_PUK = "SIM PUK"
SIM_TIMEOUT_S = 15  # a SIM just powered up may take seconds to answer +CPIN?
_CPINR_LINE = re.compile(r'^\+CPINR:\s*"?([^,"]+)"?,\s*(\d+)')
# ^CPIN: <code>,[<times>],<puk_times>,<pin_times>,<puk2_times>,<pin2_times>
_HUAWEI_CPIN_LINE = re.compile(r'^\^CPIN:\s*"?[^,"]*"?,\s*\d*,\s*(\d+),\s*(\d+)')
_QPINC_LINE = re.compile(r'^\+QPINC:\s*"SC",\s*(\d+),\s*(\d+)')
_UNSOLICITED_WITH_PDU = "+CDS:"


@dataclass(frozen=True)
class StoredPdu:
    index: int
    stat: int
    pdu: str  # hex, upper case, as the modem holds it (SMSC field included)


@dataclass(frozen=True)
class ModemHealthReading:
    registered: bool
    signal: int | None  # CSQ rssi 0..31; None = not known or not detectable (99)
    operator: str | None


class SimNotReady(Exception):
    """The SIM cannot be used until a person acts: ``state`` is one of ``sim_pin``'s SIM
    states, ``attempts_left`` the tries the modem says are left for the code it waits for
    (None: it does not say), ``code`` what the modem said (``SIM PUK``...);
    ``refused_pin``: the SIM refused the PIN entered on this connect (perhaps its last try,
    and then ``state`` is the PUK's)."""

    def __init__(self, state: str, attempts_left: int | None, code: str, *,
                 refused_pin: bool = False) -> None:
        super().__init__(f"{state}: the modem says {code}")
        self.state = state
        self.attempts_left = attempts_left
        self.code = code
        self.refused_pin = refused_pin


StatusReportCallback = Callable[[int, int], None]  # (message reference, TP-ST status)
IncomingCallback = Callable[[ReceivedSms], None]


class ApplianceModem(GsmModem):
    """One modem on one serial device; thread-safe like the library (one command at a time)."""

    def __init__(self, port: str, baudrate: int = 115200, *,
                 on_incoming: IncomingCallback | None = None,
                 on_status_report: StatusReportCallback | None = None,
                 on_lost: Callable[[Exception], None] | None = None) -> None:
        self._on_status_report = on_status_report
        super().__init__(port, baudrate, smsReceivedCallbackFunc=on_incoming,
                         smsStatusReportCallback=self._status_report_received,
                         requestDelivery=True, fatalErrorCallbackFunc=on_lost)
        self._pending_cds: str | None = None

    # -- connecting ---------------------------------------------------------------------------

    def connect(self, pin: str | None = None, waitingForModemToStartInSeconds: float = 0) -> None:
        self._smsTextMode = False  # defect 4: PDU mode, always
        self._cancel_pending_input()
        super().connect(pin=pin, waitingForModemToStartInSeconds=waitingForModemToStartInSeconds)

    def _unlockSim(self, pin: str | None) -> None:
        """Replaces the library's: enter ``pin`` only if the SIM asks for its PIN, once;
        raise SimNotReady when it needs anything else, or refused the PIN."""
        code = self.sim_code()
        if code == SIM_CODE_READY:
            return
        refused = False
        if code == SIM_CODE_PIN and pin is not None:
            if PIN_PATTERN.fullmatch(pin) is None:  # never anything but digits into the command
                raise ValueError("a SIM PIN is 4 to 8 digits")
            try:
                self.write(f'AT+CPIN="{pin}"', timeout=SIM_TIMEOUT_S)
            except CmeError as error:
                if error.code != CME_INCORRECT_PASSWORD:
                    raise
                refused = True
                code = self.sim_code()  # after its last try, the SIM wants its PUK
            else:
                return
        if refused and code == SIM_CODE_PIN:
            state = SIM_PIN_REFUSED
        else:
            state = {SIM_CODE_PIN: SIM_PIN_NEEDED, SIM_CODE_PUK: SIM_PUK_NEEDED}.get(
                code, SIM_OTHER_LOCK)
        raise SimNotReady(state, self.pin_attempts(code), code, refused_pin=refused)

    def sim_code(self) -> str:
        """What the SIM waits for, as ``AT+CPIN?`` says it ("READY", "SIM PIN", "SIM PUK",
        "PH-SIM PIN"...); SimNotReady when there is no SIM or it is blocked."""
        try:
            answer = self.write("AT+CPIN?", timeout=SIM_TIMEOUT_S)
        except CmeError as error:
            if error.code == CME_SIM_NOT_INSERTED:
                raise SimNotReady(SIM_MISSING, None, "SIM not inserted") from None
            if error.code == CME_SIM_FAILURE:
                raise SimNotReady(SIM_BLOCKED, None, "SIM failure") from None
            raise
        except TimeoutException as timeout:
            # Wavecom modems end +CPIN? without OK; the library takes the +CPIN line alone.
            answer = timeout.data or []
            if lineStartingWith("+CPIN:", answer) is None:
                raise
        line = lineStartingWith("+CPIN:", answer)
        if line is None:
            raise CommandError(f"AT+CPIN? answered without +CPIN: {answer!r}")
        return line.split(":", 1)[1].strip().strip('"')

    def pin_attempts(self, code: str) -> int | None:
        """The tries left for ``code`` ("SIM PIN" or "SIM PUK") as the modem tells them:
        27.007's +CPINR, Huawei's ^CPIN or Quectel's +QPINC, whichever it has; None when it
        has none of them (or ``code`` is another)."""
        if code not in (SIM_CODE_PIN, SIM_CODE_PUK):
            return None
        for ask in (self._cpinr_attempts, self._huawei_attempts, self._quectel_attempts):
            try:
                attempts = ask(code)
            except CommandError:  # not this modem's command
                continue
            if attempts is not None:
                return attempts
        return None

    def _cpinr_attempts(self, code: str) -> int | None:
        for line in self.write(f'AT+CPINR="{code}"', timeout=COMMAND_TIMEOUT_S):
            match = _CPINR_LINE.match(line)
            if match and match.group(1).strip() == code:
                return int(match.group(2))
        return None

    def _huawei_attempts(self, code: str) -> int | None:
        match = _HUAWEI_CPIN_LINE.match(
            lineStartingWith("^CPIN:", self.write("AT^CPIN?", timeout=COMMAND_TIMEOUT_S)) or "")
        if match is None:
            return None
        puk_times, pin_times = int(match.group(1)), int(match.group(2))
        return pin_times if code == SIM_CODE_PIN else puk_times

    def _quectel_attempts(self, code: str) -> int | None:
        match = _QPINC_LINE.match(lineStartingWith(
            "+QPINC:", self.write('AT+QPINC="SC"', timeout=COMMAND_TIMEOUT_S)) or "")
        if match is None:
            return None
        return int(match.group(1) if code == SIM_CODE_PIN else match.group(2))

    def _cancel_pending_input(self) -> None:
        """A process killed mid-send leaves the modem waiting for the rest of a PDU after its
        "> " prompt, where our ATZ would be taken as PDU text.  ESC cancels the prompt (27.005)
        and CR ends any half-written command line; their answers are thrown away."""
        with serial.Serial(self.port, self.baudrate, timeout=0.2) as port:
            port.write(ESC + b"\r")
            port.flush()
            time.sleep(0.2)
            port.reset_input_buffer()

    def close(self) -> None:
        """Close the port; safe on a half-open or already failed connection."""
        self.alive = False
        port = getattr(self, "serial", None)
        if port is not None:
            with contextlib.suppress(OSError, serial.SerialException):
                port.cancel_read()  # else the reader sits out its 1 s read timeout
        reader = getattr(self, "rxThread", None)
        if reader is not None and reader is not threading.current_thread():
            reader.join(timeout=2)
        if port is not None:
            with contextlib.suppress(OSError, serial.SerialException):
                port.close()

    # -- health -------------------------------------------------------------------------------

    def health(self) -> ModemHealthReading:
        creg = lineStartingWith("+CREG:", self.write("AT+CREG?", timeout=5)) or ""
        match = _CREG_LINE.match(creg)
        registered = bool(match) and match.group(1) in ("1", "5")  # home or roaming
        # Not the library's signalStrength: it reads the answer's first line, which may be an
        # unsolicited one that arrived meanwhile (a +CUSD, a +CREG).
        csq = _CSQ_LINE.match(lineStartingWith("+CSQ:", self.write("AT+CSQ", timeout=5)) or "")
        rssi = int(csq.group(1)) if csq else None
        operator = None
        try:
            cops = lineStartingWith("+COPS:", self.write("AT+COPS?", timeout=5)) or ""
        except CommandError:
            cops = ""
        match = _COPS_LINE.match(cops)
        if match:
            operator = match.group(1)
        return ModemHealthReading(registered=registered,
                                  signal=rssi if rssi is not None and rssi != 99 else None,
                                  operator=operator)

    # -- storage-based sending (see modem.sender for why) --------------------------------

    def store_pdu(self, pdu: str, tpdu_length: int) -> int:
        """AT+CMGW: write one SMS-SUBMIT to the modem's storage; returns its index."""
        # The prompt and the PDU are two writes; no other thread may talk in between.
        with self._txLock:
            self.write(f"AT+CMGW={tpdu_length}", timeout=COMMAND_TIMEOUT_S,
                       expectedResponseTermSeq="> ")
            answer = self.write(pdu, timeout=COMMAND_TIMEOUT_S, writeTerm=CTRL_Z)
        line = lineStartingWith("+CMGW:", answer)
        if line is None:
            raise CommandError(f"AT+CMGW answered without +CMGW: {answer!r}")
        return int(line.split(":", 1)[1])

    def send_stored(self, index: int) -> int:
        """AT+CMSS: send a stored message; returns the message reference (TP-MR)."""
        answer = self.write(f"AT+CMSS={index}", timeout=SEND_TIMEOUT_S)
        line = lineStartingWith("+CMSS:", answer)
        if line is None:
            raise CommandError(f"AT+CMSS answered without +CMSS: {answer!r}")
        return int(line.split(":", 1)[1])

    def read_stored(self, index: int) -> StoredPdu | None:
        """AT+CMGR: the stored message at ``index``, or None when the slot is empty."""
        try:
            answer = self.write(f"AT+CMGR={index}", timeout=COMMAND_TIMEOUT_S)
        except CmsError as error:
            if error.code == CMS_INVALID_INDEX:
                return None
            raise
        header = lineStartingWith("+CMGR:", answer)
        if header is None or len(answer) < 3:
            return None  # some modems answer an empty slot with a bare OK
        stat = int(header.split(":", 1)[1].split(",")[0].strip() or STAT_RECEIVED_UNREAD)
        return StoredPdu(index=index, stat=stat, pdu=answer[answer.index(header) + 1].upper())

    def list_stored(self, stat: int) -> list[StoredPdu]:
        """AT+CMGL=<stat>: every stored message with that status."""
        answer = self.write(f"AT+CMGL={stat}", timeout=COMMAND_TIMEOUT_S)
        found = []
        for position, line in enumerate(answer):
            match = _CMGL_LINE.match(line)
            if match and position + 1 < len(answer):
                found.append(StoredPdu(index=int(match.group(1)), stat=int(match.group(2)),
                                       pdu=answer[position + 1].upper()))
        return found

    def delete_stored(self, index: int) -> None:
        self.write(f"AT+CMGD={index}", timeout=COMMAND_TIMEOUT_S)

    def received_messages(self) -> list[tuple[StoredPdu, dict]]:
        """Received messages still in storage (read or unread), decoded; for the periodic
        scan that catches anything whose +CMTI was lost."""
        found = []
        for stat in (STAT_RECEIVED_UNREAD, STAT_RECEIVED_READ):
            for stored in self.list_stored(stat):
                try:
                    decoded = decodeSmsPdu(stored.pdu)
                except Exception:  # a corrupt PDU must not stop the scan
                    decoded = {"type": "corrupt"}
                found.append((stored, decoded))
        return found

    # -- reading (defects 2 and the swallowed notification) ------------------------------------

    def _readLoop(self) -> None:
        """The library's read loop, decoding lines with replacement instead of dying."""
        try:
            terminator = bytearray(self.RX_EOL_SEQ)
            buffer = bytearray()
            while self.alive:
                data = self.serial.read(1)
                if not data:
                    continue
                buffer += data
                if buffer.endswith(terminator):
                    line = buffer[: -len(terminator)].decode("utf-8", errors="replace")
                    buffer = bytearray()
                    if line:
                        self._handleLineRead(line)
                elif self._expectResponseTermSeq and buffer.endswith(self._expectResponseTermSeq):
                    line = buffer.decode("utf-8", errors="replace")
                    buffer = bytearray()
                    self._handleLineRead(line, checkForResponseTerm=False)
        except (serial.SerialException, OSError) as error:
            self.alive = False
            with contextlib.suppress(OSError, serial.SerialException):
                self.serial.close()
            self.fatalErrorCallback(error)

    def _handleLineRead(self, line: str, checkForResponseTerm: bool = True) -> None:
        if self._pending_cds is not None:
            # The PDU line of a +CDS: both lines are one notification.
            first, self._pending_cds = self._pending_cds, None
            self.notifyCallback([first, line])
            return
        if line.startswith(_UNSOLICITED_SINGLE):
            # Alone, always: inside a response it would be swallowed, and the library handles
            # only the first +CMTI of a burst (the second part of a long message).
            self.notifyCallback([line])
            return
        if line.startswith(_UNSOLICITED_WITH_PDU):
            self._pending_cds = line
            return
        super()._handleLineRead(line, checkForResponseTerm)

    def _status_report_received(self, report: StatusReport) -> None:
        if self._on_status_report is not None:
            self._on_status_report(int(report.reference), int(report.deliveryStatus))
