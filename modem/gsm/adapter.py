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

__all__ = ["ApplianceModem", "CmeError", "CmsError", "CommandError", "IncorrectPinError",
           "ModemHealthReading", "PinRequiredError", "ReceivedSms", "StoredPdu",
           "TimeoutException"]

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
