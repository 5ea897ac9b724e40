"""``AtResponder``: the AT-command state machine of a generic USB GSM modem, without any I/O.

Bytes the host writes go in through ``feed``; what the modem writes back comes out of it, or
later out of ``due_output`` (delayed answers, delivery reports, unsolicited indications).
Keeping the serial port out of it makes every behaviour testable with plain byte strings,
and lets the pty device (``device.py``) stay a dumb pump.

The modem follows 3GPP TS 27.007/27.005 in PDU mode and reproduces what the appliance has to
cope with on real hardware:

* no ``+CSCS`` at all (python-gsmmodem defect 1 of TELEPHONY-NOTES);
* echo on until ``ATE0``, and again after ``ATZ``;
* unsolicited output (``+CMTI``, ``+CDS``, ``+CREG``, a stray Latin-1 byte) comes between
  commands, never inside an answer, but it may come while the host waits for an answer
  (for instance during a slow send), as real modems do;
* status reports are routed to the host as ``+CDS`` whenever ``<ds>`` of ``+CNMI`` is 1 or 2,
  like the many modems that never store them even when asked to (``<ds>`` 2);
* failures on demand: ``+CMS ERROR`` on sends, no network, a hung (silent) modem, a send
  whose answer comes late although the message already went out;
* a SIM as real ones behave: a PIN (``+CPIN: SIM PIN``; a wrong one is ``+CME ERROR: 16``
  and uses up one of three tries), then its PUK (``+CPIN: SIM PUK``, ten tries, after which
  the SIM is dead: ``+CME ERROR: 13``), or no SIM at all (``+CME ERROR: 10``); the tries
  left are told by 27.007's ``+CPINR``, or as some vendors do instead, Huawei's ``^CPIN``
  or Quectel's ``+QPINC``, or not at all.

Time comes from an injectable clock so tests can step it instead of sleeping.
"""

from __future__ import annotations

import csv
import heapq
import itertools
import math
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from paivystys.modem.simulator.pdus import (
    MTI_DELIVER,
    DecodedSubmit,
    PduError,
    build_delivers,
    build_status_report,
    decode_submit,
    is_phone_number,
    split_pdu,
)
from paivystys.modem.simulator.sent_log import SentPart

__all__ = ["STRAY_LINE", "AtResponder", "StoredMessage"]

CTRL_Z = 0x1A
ESC = 0x1B
CR = 0x0D
LF = 0x0A
BACKSPACE = 0x08

MANUFACTURER = "Paivystys Simulated"
MODEL = "PSIM-1 generic GSM modem"
REVISION = "1.0.0"
IMEI = "356938035643809"
IMSI = "244911234567890"
OPERATOR_LONG = "Simulated Telecom"
OPERATOR_SHORT = "SimTel"
OPERATOR_NUMERIC = "24491"
ACCESS_TECHNOLOGY_LTE = 7
SMSC_NUMBER = "+358405202000"
TOA_INTERNATIONAL = 145
LOCATION_AREA = "00C3"
CELL_ID = "0001A2B3"

# 27.005 <stat>
STAT_RECEIVED_UNREAD = 0
STAT_RECEIVED_READ = 1
STAT_STORED_UNSENT = 2
STAT_STORED_SENT = 3
STAT_ALL = 4

# Error codes (27.007 section 9.2 for CME, 27.005 section 3.2.5 for CMS)
CME_OPERATION_NOT_ALLOWED = 3
CME_SIM_NOT_INSERTED = 10
CME_SIM_PIN_REQUIRED = 11
CME_SIM_PUK_REQUIRED = 12
CME_SIM_FAILURE = 13
CME_INCORRECT_PASSWORD = 16
PIN_ATTEMPTS = 3  # then the SIM wants its PUK, as real SIMs do
PUK_ATTEMPTS = 10  # then the SIM is blocked for good
DEFAULT_PUK = "12345678"
CMS_OPERATION_NOT_ALLOWED = 302
CMS_OPERATION_NOT_SUPPORTED = 303
CMS_INVALID_PDU_PARAMETER = 304
CMS_SIM_NOT_INSERTED = 310
CMS_SIM_PIN_REQUIRED = 311
CMS_SIM_FAILURE = 313
CMS_SIM_PUK_REQUIRED = 316
CMS_INVALID_MEMORY_INDEX = 321
CMS_MEMORY_FULL = 322
CMS_NO_NETWORK_SERVICE = 331
CMS_UNKNOWN_ERROR = 500
CMS_HIGHEST_CODE = 511

# Message memories: the phone's own 30 slots, the SIM's 10 and the status-report store.
STORAGE_CAPACITY = {"ME": 30, "SM": 10, "SR": 10}
READ_MEMORIES = ("ME", "SM", "SR")  # <mem1>: read and delete
WRITE_MEMORIES = ("ME", "SM")  # <mem2>: write and send; <mem3>: where received messages go

# What AT+CLAC lists (and, of PIN_RETRY_COMMANDS, the one this modem has). No +CSCS: this is
# the modem of defect (1). No +WIND, +ZPAS or call-related vendor (^) commands either, so
# python-gsmmodem takes it for a generic modem.
SUPPORTED_COMMANDS = (
    "E", "I", "Z", "+CFUN", "+CGMI", "+CGMM", "+CGMR", "+CGSN", "+CIMI", "+CLAC", "+CLIP",
    "+CMEE", "+CMGD", "+CMGF", "+CMGL", "+CMGR", "+CMGS", "+CMGW", "+CMSS", "+CNMI", "+COPS",
    "+CPIN", "+CPMS", "+CRC", "+CREG", "+CSCA", "+CSMP", "+CSQ", "+CVHU",
)
# How a modem tells the SIM's tries left: 27.007's own command, or a vendor's.
PIN_RETRY_COMMANDS = ("+CPINR", "^CPIN", "+QPINC")
# Commands a locked SIM refuses: SMS ones with +CMS ERROR (311 PIN, 316 PUK, 310 no SIM, 313
# SIM failure), the rest with the +CME ERROR of the same meaning (11, 12, 10, 13).
SMS_SIM_COMMANDS = frozenset({"+CMGD", "+CMGL", "+CMGR", "+CMGS", "+CMGW", "+CMSS", "+CNMI",
                              "+CPMS", "+CSCA", "+CSMP"})
OTHER_SIM_COMMANDS = frozenset({"+CIMI", "+COPS"})

# A Latin-1 USSD answer, as some operators' balance queries come back: not UTF-8.
STRAY_LINE = b'\r\n+CUSD: 0,"Saldo 5\xe4 EUR",15\r\n'

_COMMAND = re.compile(r"([+^][A-Z]+|[A-Z])(.*)", re.IGNORECASE | re.DOTALL)
_DEFAULT_CNMI = (0, 0, 0, 0, 0)  # <mode>,<mt>,<bm>,<ds>,<bfr> after ATZ: no indications


@dataclass
class StoredMessage:
    """One slot of a message memory, as AT+CMGR/AT+CMGL show it."""

    stat: int
    pdu: str  # hex, SMSC field included
    tpdu_length: int


@dataclass
class _Prompt:
    """The modem has sent ``> `` and collects a PDU up to Ctrl-Z."""

    command: str  # "+CMGS" | "+CMGW"
    declared_length: int
    stat: int  # for +CMGW
    pdu: bytearray = field(default_factory=bytearray)


@dataclass(order=True)
class _Timed:
    """Output due at a clock reading; ``sequence`` keeps equal times in the order queued."""

    due: float
    sequence: int
    data: bytes = field(compare=False)


class AtResponder:
    """One modem's AT state; every public method may be called from any thread."""

    def __init__(self, *, pin: str | None = None,
                 on_sent: Callable[[SentPart], None] | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 rng: random.Random | None = None, puk: str = DEFAULT_PUK,
                 pin_attempts_left: int = PIN_ATTEMPTS, pin_retries: str | None = "+CPINR",
                 sim_inserted: bool = True) -> None:
        """``on_sent`` runs for each accepted part before the modem answers (the sent log
        hooks in there); ``clock`` is monotonic seconds.  ``pin``: the SIM asks for it (None:
        its PIN query is off); ``pin_attempts_left`` 0: it wants its PUK already;
        ``pin_retries``: which of PIN_RETRY_COMMANDS this modem has (None: none)."""
        if pin_retries is not None and pin_retries not in PIN_RETRY_COMMANDS:
            raise ValueError(f"pin_retries must be one of {PIN_RETRY_COMMANDS} or None")
        if not 0 <= pin_attempts_left <= PIN_ATTEMPTS:
            raise ValueError(f"pin_attempts_left must be 0..{PIN_ATTEMPTS}")
        self._lock = threading.RLock()
        self._clock = clock
        self._rng = rng or random.Random()
        self._on_sent = on_sent
        self._pin = pin
        self._puk = puk
        self._pin_retries = pin_retries
        self._sim_inserted = sim_inserted
        self.rssi = 21  # +CSQ <rssi>, 0..31 or 99 (unknown)
        self.delivery_delay: float | None = None  # seconds until a +CDS; None: no reports
        # Seconds every send takes to be answered: a real modem waits for the network's
        # acknowledgement (a second or more); 0 answers at once.
        self.send_delay: float = 0.0
        self.cms_error_rate = 0.0  # probability of +CMS ERROR: 500 on any send
        self.smsc = SMSC_NUMBER
        self._sim_locked = pin is not None
        self._pin_attempts_left = pin_attempts_left
        self._puk_attempts_left = PUK_ATTEMPTS
        self._pin_entries = 0  # AT+CPIN=... received: a host that spends no tries sends none
        self._registered = True
        self._cfun = 1
        self._stores = {name: _MessageStore(capacity)
                        for name, capacity in STORAGE_CAPACITY.items()}
        self._memories = ["ME", "ME", "ME"]  # <mem1>, <mem2>, <mem3>
        self._undelivered: list[tuple[str, int]] = []  # incoming PDUs waiting for a free slot
        self._next_reference = 0  # TP-MR the modem gives the next send
        self._next_concat_reference = 1  # for incoming multi-part messages
        self._sent: list[SentPart] = []
        self._fail_count = 0
        self._fail_code = CMS_UNKNOWN_ERROR
        self._stall_seconds: float | None = None  # armed by stall_next_send
        self._stalled_answer: _Timed | None = None  # a send's answer held back
        self._silent_until: float | None = None  # math.inf: until wake()
        self._unsolicited: list[_Timed] = []  # heap
        self._sequence = itertools.count()
        self._input = bytearray()  # received, not yet processed (only while an answer is held)
        self._line = bytearray()  # the command line being typed
        self._prompt: _Prompt | None = None
        self._handlers = self._handler_table()
        self._reset_settings()

    def _reset_settings(self) -> None:
        """What ATZ restores: the factory profile (echo on, no indications, PDU mode)."""
        self._echo = True
        self._cmee = 0
        self._cnmi = _DEFAULT_CNMI
        self._cmgf = 0
        self._creg_mode = 0
        self._clip = 0
        self._crc = 0
        self._cvhu = 0
        self._cops_format = 0

    # -- the serial conversation ----------------------------------------------------------------

    def feed(self, data: bytes) -> bytes:
        """Take bytes the host wrote; return what the modem writes back at once."""
        with self._lock:
            if self._is_silent(self._clock()):
                return b""
            self._input += data
            return self._process_input()

    def due_output(self) -> bytes:
        """Output whose time has come: a held-back send answer (and the answers to whatever
        the host typed meanwhile), then unsolicited lines if no command is being typed."""
        with self._lock:
            now = self._clock()
            if self._is_silent(now):
                return b""
            output = bytearray()
            if self._stalled_answer is not None and self._stalled_answer.due <= now:
                output += self._stalled_answer.data
                self._stalled_answer = None
                output += self._process_input()
            if self._between_commands():
                while self._unsolicited and self._unsolicited[0].due <= now:
                    output += heapq.heappop(self._unsolicited).data
            return bytes(output)

    def next_due(self) -> float | None:
        """Clock reading at which ``due_output`` will have something new; None if only
        input or a method call can change that."""
        with self._lock:
            if self._silent_until is not None and self._silent_until > self._clock():
                return None if math.isinf(self._silent_until) else self._silent_until
            candidates = []
            if self._stalled_answer is not None:
                candidates.append(self._stalled_answer.due)
            if self._unsolicited and self._between_commands():
                candidates.append(self._unsolicited[0].due)
            return min(candidates, default=None)

    def _between_commands(self) -> bool:
        return not self._line and self._prompt is None

    def _is_silent(self, now: float) -> bool:
        if self._silent_until is not None and now >= self._silent_until:
            self._silent_until = None
        return self._silent_until is not None

    def _process_input(self) -> bytes:
        output = bytearray()
        consumed = 0
        for byte in self._input:
            if self._stalled_answer is not None:
                break  # a send is in progress: the rest waits, unechoed, as in a real modem
            consumed += 1
            if self._prompt is not None:
                output += self._prompt_byte(byte)
            else:
                output += self._command_byte(byte)
        del self._input[:consumed]
        return bytes(output)

    def _command_byte(self, byte: int) -> bytes:
        echo = bytes([byte]) if self._echo else b""
        if byte == CR:
            line = self._line.decode("latin-1")
            self._line.clear()
            return echo + self._execute_line(line)
        if byte == BACKSPACE:
            del self._line[-1:]
        elif byte != LF:
            self._line.append(byte)
        return echo

    def _prompt_byte(self, byte: int) -> bytes:
        prompt = self._prompt
        assert prompt is not None
        if byte == ESC:
            self._prompt = None
            return _final("OK")
        if byte != CTRL_Z:
            prompt.pdu.append(byte)
            return bytes([byte]) if self._echo else b""
        self._prompt = None
        pdu_hex = prompt.pdu.decode("latin-1").strip().upper()
        try:
            _, tpdu = split_pdu(pdu_hex)
            if len(tpdu) != prompt.declared_length:
                raise PduError(f"TPDU is {len(tpdu)} octets, {prompt.declared_length} declared")
            if prompt.command == "+CMGS":
                return self._send(pdu_hex, decode_submit(pdu_hex), "+CMGS")
            return self._write_message(pdu_hex, len(tpdu), prompt.stat)
        except PduError:
            return self._cms_error(CMS_INVALID_PDU_PARAMETER)

    # -- command dispatch -----------------------------------------------------------------------

    def _execute_line(self, line: str) -> bytes:
        """One command line. Characters before "AT" are ignored (V.250 5.2.1), which is what
        lets a modem recover from a PDU typed into command mode."""
        start = line.upper().find("AT")
        if start < 0:
            return b""
        body = line[start + 2:].strip()
        if not body:
            return _final("OK")
        match = _COMMAND.fullmatch(body)
        if match is None:
            return _final("ERROR")
        name, rest = match.group(1).upper(), match.group(2).strip()
        handler = self._handlers.get(name)
        if handler is None:
            return _final("ERROR")
        refusal = self._sim_refusal()
        if refusal is not None and name in SMS_SIM_COMMANDS:
            return self._cms_error(refusal[1])
        if refusal is not None and name in OTHER_SIM_COMMANDS:
            return self._cme_error(refusal[0])
        if rest == "=?":
            operation, arguments = "test", []
        elif rest == "?":
            operation, arguments = "read", []
        elif rest.startswith("="):
            operation, arguments = "set", _arguments(rest[1:])
        elif rest and not name.startswith(("+", "^")):
            operation, arguments = "set", [rest]  # a basic command's number, as in ATE0
        elif rest:
            return _final("ERROR")
        else:
            operation, arguments = "execute", []
        try:
            return handler(operation, arguments)
        except ValueError:  # a parameter that is not a number where one belongs
            return _final("ERROR")

    def _handler_table(self) -> dict[str, Callable[[str, list[str]], bytes]]:
        return {
            "Z": self._at_z, "E": self._at_e, "I": self._at_i,
            "+CFUN": self._at_cfun, "+CGMI": _constant(MANUFACTURER), "+CGMM": _constant(MODEL),
            "+CGMR": _constant(REVISION), "+CGSN": _constant(IMEI), "+CIMI": _constant(IMSI),
            "+CLAC": self._at_clac, "+CLIP": self._at_clip, "+CMEE": self._at_cmee,
            "+CMGD": self._at_cmgd, "+CMGF": self._at_cmgf, "+CMGL": self._at_cmgl,
            "+CMGR": self._at_cmgr, "+CMGS": self._at_cmgs, "+CMGW": self._at_cmgw,
            "+CMSS": self._at_cmss, "+CNMI": self._at_cnmi, "+COPS": self._at_cops,
            "+CPIN": self._at_cpin, "+CPMS": self._at_cpms, "+CRC": self._at_crc,
            "+CREG": self._at_creg, "+CSCA": self._at_csca, "+CSMP": self._at_csmp,
            "+CSQ": self._at_csq, "+CVHU": self._at_cvhu,
            **({self._pin_retries: {"+CPINR": self._at_cpinr, "^CPIN": self._at_huawei_cpin,
                                    "+QPINC": self._at_qpinc}[self._pin_retries]}
               if self._pin_retries is not None else {}),
        }

    def _cme_error(self, code: int) -> bytes:
        return _final(f"+CME ERROR: {code}" if self._cmee else "ERROR")

    @staticmethod
    def _cms_error(code: int) -> bytes:
        """+CMS ERROR is 27.005's final result and does not depend on +CMEE."""
        return _final(f"+CMS ERROR: {code}")

    # -- general commands -----------------------------------------------------------------------

    def _at_z(self, operation: str, arguments: list[str]) -> bytes:
        if arguments not in ([], ["0"]):
            return _final("ERROR")
        self._reset_settings()
        return _final("OK")

    def _at_e(self, operation: str, arguments: list[str]) -> bytes:
        if arguments not in ([], ["0"], ["1"]):
            return _final("ERROR")
        self._echo = arguments == ["1"]
        return _final("OK")

    def _at_i(self, operation: str, arguments: list[str]) -> bytes:
        return _answer([MANUFACTURER, MODEL, f"Revision: {REVISION}"])

    def _at_clac(self, operation: str, arguments: list[str]) -> bytes:
        if operation != "execute":
            return _final("OK" if operation == "test" else "ERROR")
        extra = (self._pin_retries,) if self._pin_retries is not None else ()
        return _answer([f"AT{command}" for command in (*SUPPORTED_COMMANDS, *extra)])

    def _at_cmee(self, operation: str, arguments: list[str]) -> bytes:
        return self._small_setting(operation, arguments, "+CMEE", "_cmee", 1)

    def _at_clip(self, operation: str, arguments: list[str]) -> bytes:
        if operation == "read":
            return _answer([f"+CLIP: {self._clip},1"])
        return self._small_setting(operation, arguments, "+CLIP", "_clip", 1)

    def _at_crc(self, operation: str, arguments: list[str]) -> bytes:
        return self._small_setting(operation, arguments, "+CRC", "_crc", 1)

    def _at_cvhu(self, operation: str, arguments: list[str]) -> bytes:
        return self._small_setting(operation, arguments, "+CVHU", "_cvhu", 1)

    def _at_cmgf(self, operation: str, arguments: list[str]) -> bytes:
        return self._small_setting(operation, arguments, "+CMGF", "_cmgf", 1)

    def _small_setting(self, operation: str, arguments: list[str], name: str, attribute: str,
                       highest: int) -> bytes:
        """A command whose whole state is one number 0..highest."""
        if operation == "test":
            return _answer([f"{name}: (0-{highest})"])
        if operation == "read":
            return _answer([f"{name}: {getattr(self, attribute)}"])
        if operation != "set" or len(arguments) != 1 or int(arguments[0]) not in range(
                highest + 1):
            return _final("ERROR")
        setattr(self, attribute, int(arguments[0]))
        return _final("OK")

    def _at_cfun(self, operation: str, arguments: list[str]) -> bytes:
        if operation == "test":
            return _answer(["+CFUN: (0,1,4),(0-1)"])
        if operation == "read":
            return _answer([f"+CFUN: {self._cfun}"])
        if operation != "set" or not 1 <= len(arguments) <= 2 or int(arguments[0]) not in (
                0, 1, 4):
            return _final("ERROR")
        self._cfun = int(arguments[0])
        return _final("OK")

    # -- the SIM --------------------------------------------------------------------------------

    @property
    def _sim_blocked(self) -> bool:
        """Ten wrong PUKs: the SIM is dead and only the operator can replace it."""
        return self._sim_locked and self._puk_attempts_left == 0

    def _sim_code(self) -> str:
        """What the SIM waits for, in +CPIN's words."""
        if not self._sim_locked:
            return "READY"
        return "SIM PIN" if self._pin_attempts_left else "SIM PUK"

    def _sim_refusal(self) -> tuple[int, int] | None:
        """(+CME code, +CMS code) of a command that needs the SIM, or None: it may run."""
        if not self._sim_inserted:
            return CME_SIM_NOT_INSERTED, CMS_SIM_NOT_INSERTED
        if self._sim_blocked:
            return CME_SIM_FAILURE, CMS_SIM_FAILURE
        if not self._sim_locked:
            return None
        if self._pin_attempts_left:
            return CME_SIM_PIN_REQUIRED, CMS_SIM_PIN_REQUIRED
        return CME_SIM_PUK_REQUIRED, CMS_SIM_PUK_REQUIRED

    def _sim_absent_or_dead(self) -> bytes | None:
        if not self._sim_inserted:
            return self._cme_error(CME_SIM_NOT_INSERTED)
        if self._sim_blocked:
            return self._cme_error(CME_SIM_FAILURE)
        return None

    def _at_cpin(self, operation: str, arguments: list[str]) -> bytes:
        if operation == "test":
            return _final("OK")
        refused = self._sim_absent_or_dead()
        if refused is not None:
            return refused
        if operation == "read":
            return _answer([f"+CPIN: {self._sim_code()}"])
        if operation != "set" or not arguments:
            return _final("ERROR")
        self._pin_entries += 1
        if not self._sim_locked:
            return self._cme_error(CME_OPERATION_NOT_ALLOWED)
        if not self._pin_attempts_left:
            return self._enter_puk(arguments)
        if arguments[0] != self._pin:
            self._pin_attempts_left -= 1
            return self._cme_error(CME_INCORRECT_PASSWORD)
        self._pin_attempts_left = PIN_ATTEMPTS
        self._sim_locked = False
        return _final("OK")

    def _enter_puk(self, arguments: list[str]) -> bytes:
        """AT+CPIN=<puk>,<newpin> (27.007 8.3): the PUK unlocks the SIM with a new PIN."""
        if len(arguments) != 2:
            return self._cme_error(CME_SIM_PUK_REQUIRED)
        puk, new_pin = arguments
        if puk != self._puk:
            self._puk_attempts_left -= 1  # at 0 the SIM is blocked: CPIN? answers 13 from now
            return self._cme_error(CME_INCORRECT_PASSWORD)
        if not (new_pin.isascii() and new_pin.isdigit() and 4 <= len(new_pin) <= 8):
            return self._cme_error(CME_INCORRECT_PASSWORD)
        self._pin = new_pin
        self._pin_attempts_left, self._puk_attempts_left = PIN_ATTEMPTS, PUK_ATTEMPTS
        self._sim_locked = False
        return _final("OK")

    def _at_cpinr(self, operation: str, arguments: list[str]) -> bytes:
        """AT+CPINR[=<sel_code>] (27.007 8.65): +CPINR: <code>,<retries>,<default_retries>
        for each code that matches (a trailing * is a wildcard)."""
        if operation == "test":
            return _final("OK")
        if operation not in ("set", "execute") or len(arguments) > 1:
            return _final("ERROR")
        refused = self._sim_absent_or_dead()
        if refused is not None:
            return refused
        pattern = arguments[0].upper() if arguments else "*"
        counters = (("SIM PIN", self._pin_attempts_left, PIN_ATTEMPTS),
                    ("SIM PUK", self._puk_attempts_left, PUK_ATTEMPTS))
        lines = [f"+CPINR: {code},{left},{default}" for code, left, default in counters
                 if code == pattern or (pattern.endswith("*") and code.startswith(pattern[:-1]))]
        return _answer(lines)

    def _at_huawei_cpin(self, operation: str, arguments: list[str]) -> bytes:
        """Huawei's AT^CPIN?: ^CPIN: <code>,[<times>],<puk_times>,<pin_times>,<puk2_times>,
        <pin2_times>, where <times> is what the code in force has left (empty when READY)."""
        if operation == "test":
            return _final("OK")
        if operation != "read":
            return _final("ERROR")
        refused = self._sim_absent_or_dead()
        if refused is not None:
            return refused
        code = self._sim_code()
        times = {"READY": "", "SIM PIN": str(self._pin_attempts_left),
                 "SIM PUK": str(self._puk_attempts_left)}[code]
        return _answer([f"^CPIN: {code},{times},{self._puk_attempts_left},"
                        f"{self._pin_attempts_left},{PUK_ATTEMPTS},{PIN_ATTEMPTS}"])

    def _at_qpinc(self, operation: str, arguments: list[str]) -> bytes:
        """Quectel's AT+QPINC="SC": +QPINC: "SC",<pin_counter>,<puk_counter> (PIN2's "P2"
        is answered with full counters: this SIM has no PIN2 in use)."""
        if operation == "test":
            return _answer(['+QPINC: ("SC","P2")'])
        facilities = ["SC", "P2"] if operation == "read" else arguments
        if operation not in ("set", "read") or len(facilities) != len(set(facilities)) or any(
                facility.upper() not in ("SC", "P2") for facility in facilities) or (
                operation == "set" and len(facilities) != 1):
            return _final("ERROR")
        refused = self._sim_absent_or_dead()
        if refused is not None:
            return refused
        lines = [f'+QPINC: "SC",{self._pin_attempts_left},{self._puk_attempts_left}'
                 if facility.upper() == "SC" else f'+QPINC: "P2",{PIN_ATTEMPTS},{PUK_ATTEMPTS}'
                 for facility in facilities]
        return _answer(lines)

    # -- network --------------------------------------------------------------------------------

    @property
    def _network_stat(self) -> int:
        """+CREG <stat>: 1 registered (home), 0 not registered and not searching."""
        usable_sim = self._sim_inserted and not self._sim_locked
        return 1 if self._registered and self._cfun == 1 and usable_sim else 0

    def _at_csq(self, operation: str, arguments: list[str]) -> bytes:
        if operation == "test":
            return _answer(["+CSQ: (0-31,99),(0-7,99)"])
        if operation != "execute":
            return _final("ERROR")
        return _answer([f"+CSQ: {self.rssi},99"])

    def _at_creg(self, operation: str, arguments: list[str]) -> bytes:
        if operation == "read":
            location = (f',"{LOCATION_AREA}","{CELL_ID}"'
                        if self._creg_mode == 2 and self._network_stat == 1 else "")
            return _answer([f"+CREG: {self._creg_mode},{self._network_stat}{location}"])
        return self._small_setting(operation, arguments, "+CREG", "_creg_mode", 2)

    def _at_cops(self, operation: str, arguments: list[str]) -> bytes:
        if operation == "test":
            return _answer([f'+COPS: (2,"{OPERATOR_LONG}","{OPERATOR_SHORT}",'
                            f'"{OPERATOR_NUMERIC}",{ACCESS_TECHNOLOGY_LTE}),,(0-4),(0-2)'])
        if operation == "read":
            if self._network_stat != 1:
                return _answer(["+COPS: 0"])
            name = (OPERATOR_LONG, OPERATOR_SHORT, OPERATOR_NUMERIC)[self._cops_format]
            return _answer([f'+COPS: 0,{self._cops_format},"{name}",{ACCESS_TECHNOLOGY_LTE}'])
        if operation != "set" or not arguments or int(arguments[0]) not in range(5):
            return _final("ERROR")
        if int(arguments[0]) == 3:  # only sets the format of the read answer
            if len(arguments) != 2 or int(arguments[1]) not in range(3):
                return _final("ERROR")
            self._cops_format = int(arguments[1])
        return _final("OK")

    # -- SMS settings ---------------------------------------------------------------------------

    def _at_csca(self, operation: str, arguments: list[str]) -> bytes:
        if operation == "read":
            return _answer([f'+CSCA: "{self.smsc}",{TOA_INTERNATIONAL}'])
        if operation != "set" or not arguments or not is_phone_number(arguments[0]):
            return _final("ERROR")
        self.smsc = arguments[0]
        return _final("OK")

    def _at_csmp(self, operation: str, arguments: list[str]) -> bytes:
        """Text-mode parameters: accepted, and without effect in PDU mode."""
        if operation == "read":
            return _answer(["+CSMP: 17,167,0,0"])
        return _final("OK" if operation in ("set", "test") else "ERROR")

    def _at_cpms(self, operation: str, arguments: list[str]) -> bytes:
        if operation == "test":
            writable = ",".join(f'"{name}"' for name in WRITE_MEMORIES)
            readable = ",".join(f'"{name}"' for name in READ_MEMORIES)
            return _answer([f"+CPMS: ({readable}),({writable}),({writable})"])
        if operation == "read":
            fields = [f'"{name}",{self._stores[name].used},{self._stores[name].capacity}'
                      for name in self._memories]
            return _answer(["+CPMS: " + ",".join(fields)])
        allowed = (READ_MEMORIES, WRITE_MEMORIES, WRITE_MEMORIES)
        if operation != "set" or not 1 <= len(arguments) <= 3 or any(
                name.upper() not in allowed[position] for position, name in enumerate(arguments)):
            return self._cms_error(CMS_OPERATION_NOT_SUPPORTED)
        for position, name in enumerate(arguments):
            self._memories[position] = name.upper()
        counts = [f"{self._stores[name].used},{self._stores[name].capacity}"
                  for name in self._memories]
        return _answer(["+CPMS: " + ",".join(counts)])

    def _at_cnmi(self, operation: str, arguments: list[str]) -> bytes:
        """<mt> 2 and 3 (+CMT, message straight to the host) are not supported: this modem
        always stores what arrives and says where with +CMTI."""
        if operation == "test":
            return _answer(["+CNMI: (0-2),(0-1),(0),(0-2),(0-1)"])
        if operation == "read":
            return _answer(["+CNMI: " + ",".join(str(value) for value in self._cnmi)])
        values = [int(argument) for argument in arguments]
        ranges = (range(3), range(2), range(1), range(3), range(2))
        if operation != "set" or not 1 <= len(values) <= 5 or any(
                value not in ranges[position] for position, value in enumerate(values)):
            return self._cms_error(CMS_OPERATION_NOT_SUPPORTED)
        self._cnmi = (*values, *_DEFAULT_CNMI[len(values):])
        return _final("OK")

    # -- sending and storage --------------------------------------------------------------------

    def _at_cmgs(self, operation: str, arguments: list[str]) -> bytes:
        return self._open_prompt("+CMGS", operation, arguments, STAT_STORED_UNSENT)

    def _at_cmgw(self, operation: str, arguments: list[str]) -> bytes:
        stat = int(arguments[1]) if len(arguments) > 1 else STAT_STORED_UNSENT
        if stat not in range(STAT_ALL):
            return self._cms_error(CMS_INVALID_PDU_PARAMETER)
        return self._open_prompt("+CMGW", operation, arguments[:1], stat)

    def _open_prompt(self, command: str, operation: str, arguments: list[str],
                     stat: int) -> bytes:
        if operation == "test":
            return _final("OK")
        if self._cmgf == 1:
            return self._cms_error(CMS_OPERATION_NOT_ALLOWED)  # text mode: not simulated
        if operation != "set" or len(arguments) != 1 or int(arguments[0]) < 1:
            return self._cms_error(CMS_INVALID_PDU_PARAMETER)
        self._prompt = _Prompt(command=command, declared_length=int(arguments[0]), stat=stat)
        return b"\r\n> "

    def _write_message(self, pdu_hex: str, tpdu_length: int, stat: int) -> bytes:
        """The end of AT+CMGW: store what the host wrote in <mem2>."""
        _, tpdu = split_pdu(pdu_hex)
        if stat in (STAT_STORED_UNSENT, STAT_STORED_SENT):
            decode_submit(pdu_hex)  # refused now rather than at AT+CMSS
        elif tpdu[0] & 0x03 != MTI_DELIVER:
            raise PduError("a received-message <stat> needs an SMS-DELIVER")
        index = self._stores[self._memories[1]].put(StoredMessage(stat, pdu_hex, tpdu_length))
        if index is None:
            return self._cms_error(CMS_MEMORY_FULL)
        return _answer([f"+CMGW: {index}"])

    def _at_cmss(self, operation: str, arguments: list[str]) -> bytes:
        if operation == "test":
            return _final("OK")
        if self._cmgf == 1:
            return self._cms_error(CMS_OPERATION_NOT_ALLOWED)
        if operation != "set" or not arguments:
            return self._cms_error(CMS_INVALID_PDU_PARAMETER)
        if len(arguments) > 1:
            return self._cms_error(CMS_OPERATION_NOT_SUPPORTED)  # no <da> override here
        stored = self._stores[self._memories[1]].get(int(arguments[0]))
        if stored is None:
            return self._cms_error(CMS_INVALID_MEMORY_INDEX)
        if stored.stat not in (STAT_STORED_UNSENT, STAT_STORED_SENT):
            return self._cms_error(CMS_OPERATION_NOT_ALLOWED)

        def mark_sent() -> None:
            stored.stat = STAT_STORED_SENT  # 27.005 3.5.2: "STO SENT" once it has gone

        return self._send(stored.pdu, decode_submit(stored.pdu), "+CMSS", mark_sent)

    def _send(self, pdu_hex: str, submit: DecodedSubmit, result_name: str,
              after_send: Callable[[], None] | None = None) -> bytes:
        """Hand one SMS-SUBMIT to the network: it fails, or it is logged, then answered
        (perhaps late) with its reference."""
        failure = self._send_failure()
        if failure is not None:
            return self._cms_error(failure)
        reference = self._next_reference
        self._next_reference = (self._next_reference + 1) % 256
        part = SentPart(at=datetime.now(UTC), recipient=submit.recipient, reference=reference,
                        concat=submit.concat, encoding=submit.encoding, text=submit.text,
                        pdu=pdu_hex)
        self._sent.append(part)
        if self._on_sent is not None:
            self._on_sent(part)
        if after_send is not None:
            after_send()
        if submit.status_report_requested:
            self._schedule_status_report(reference, submit.address_field)
        answer = _answer([f"{result_name}: {reference}"])
        delay = self._stall_seconds if self._stall_seconds is not None else self.send_delay
        self._stall_seconds = None
        if delay > 0:
            self._stalled_answer = _Timed(self._clock() + delay, next(self._sequence), answer)
            return b""
        return answer

    def _send_failure(self) -> int | None:
        """The +CMS ERROR code a send gets, if it fails: armed failures first, then no network,
        then the random lab-mode failure."""
        if self._fail_count > 0:
            self._fail_count -= 1
            return self._fail_code
        if self._network_stat != 1:
            return CMS_NO_NETWORK_SERVICE
        if self.cms_error_rate > 0 and self._rng.random() < self.cms_error_rate:
            return CMS_UNKNOWN_ERROR
        return None

    def _schedule_status_report(self, reference: int, recipient_field: bytes) -> None:
        delay = self.delivery_delay
        if delay is None or self._cnmi[3] == 0:
            return
        submitted = datetime.now().astimezone()
        pdu_hex, tpdu_length = build_status_report(reference, recipient_field, self.smsc,
                                                   submitted, submitted + timedelta(seconds=delay))
        # Both lines in one piece: a host that sees "+CDS:" expects the PDU right behind it.
        self._queue(f"\r\n+CDS: {tpdu_length}\r\n{pdu_hex}\r\n".encode("ascii"), delay)

    def _at_cmgr(self, operation: str, arguments: list[str]) -> bytes:
        if operation == "test":
            return _final("OK")
        if self._cmgf == 1:
            return self._cms_error(CMS_OPERATION_NOT_ALLOWED)
        if operation != "set" or len(arguments) != 1:
            return self._cms_error(CMS_INVALID_PDU_PARAMETER)
        stored = self._stores[self._memories[0]].get(int(arguments[0]))
        if stored is None:
            return self._cms_error(CMS_INVALID_MEMORY_INDEX)
        answer = _answer([f"+CMGR: {stored.stat},,{stored.tpdu_length}", stored.pdu])
        if stored.stat == STAT_RECEIVED_UNREAD:
            stored.stat = STAT_RECEIVED_READ
        return answer

    def _at_cmgl(self, operation: str, arguments: list[str]) -> bytes:
        if operation == "test":
            return _answer(["+CMGL: (0-4)"])
        if self._cmgf == 1:
            return self._cms_error(CMS_OPERATION_NOT_ALLOWED)
        stat = int(arguments[0]) if operation == "set" and arguments else STAT_RECEIVED_UNREAD
        if stat not in range(STAT_ALL + 1) or operation not in ("set", "execute"):
            return self._cms_error(CMS_INVALID_PDU_PARAMETER)
        lines = []
        for index, stored in self._stores[self._memories[0]].items():
            if stat in (STAT_ALL, stored.stat):
                lines += [f"+CMGL: {index},{stored.stat},,{stored.tpdu_length}", stored.pdu]
                if stored.stat == STAT_RECEIVED_UNREAD:
                    stored.stat = STAT_RECEIVED_READ
        return _answer(lines)

    def _at_cmgd(self, operation: str, arguments: list[str]) -> bytes:
        store = self._stores[self._memories[0]]
        if operation == "test":
            return _answer([f"+CMGD: (1-{store.capacity}),(0-4)"])
        if operation != "set" or not 1 <= len(arguments) <= 2:
            return self._cms_error(CMS_INVALID_PDU_PARAMETER)
        index = int(arguments[0])
        delete_flag = int(arguments[1]) if len(arguments) == 2 else 0
        # <delflag> 1..4: all read; + sent; + unsent; everything (27.005 3.5.4)
        stats_by_flag = {1: {STAT_RECEIVED_READ},
                         2: {STAT_RECEIVED_READ, STAT_STORED_SENT},
                         3: {STAT_RECEIVED_READ, STAT_STORED_SENT, STAT_STORED_UNSENT},
                         4: set(range(STAT_ALL))}
        if delete_flag == 0:
            if not 1 <= index <= store.capacity:
                return self._cms_error(CMS_INVALID_MEMORY_INDEX)
            store.delete(index)  # an empty slot deletes without complaint, as on most modems
        elif delete_flag in stats_by_flag:
            for stored_index, stored in store.items():
                if stored.stat in stats_by_flag[delete_flag]:
                    store.delete(stored_index)
        else:
            return self._cms_error(CMS_INVALID_PDU_PARAMETER)
        self._retry_undelivered()
        return _final("OK")

    # -- the network's side: incoming messages and failures -----------------------------------

    def incoming(self, sender: str, text: str) -> list[int | None]:
        """A message from ``sender`` arrives: stored in <mem3> (one slot per part) and, with
        +CNMI <mt> 1, announced by +CMTI.  Returns the slots; None for a part that found the
        memory full and waits in the network until a slot frees up.  ValueError for a sender
        no network would deliver from."""
        with self._lock:
            reference = self._next_concat_reference
            self._next_concat_reference = reference % 255 + 1
            parts = build_delivers(sender, text, self.smsc, datetime.now().astimezone(),
                                   reference)
            return [self._deliver(pdu_hex, tpdu_length) for pdu_hex, tpdu_length in parts]

    def _deliver(self, pdu_hex: str, tpdu_length: int) -> int | None:
        memory = self._memories[2]
        index = self._stores[memory].put(StoredMessage(STAT_RECEIVED_UNREAD, pdu_hex,
                                                       tpdu_length))
        if index is None:
            self._undelivered.append((pdu_hex, tpdu_length))
        elif self._cnmi[1] == 1:
            self._queue(f'\r\n+CMTI: "{memory}",{index}\r\n'.encode("ascii"))
        return index

    def _retry_undelivered(self) -> None:
        waiting, self._undelivered = self._undelivered, []
        for pdu_hex, tpdu_length in waiting:
            self._deliver(pdu_hex, tpdu_length)

    def queue_unsolicited(self, data: bytes, delay: float = 0.0) -> None:
        """Raw bytes the modem emits on its own, ``delay`` seconds from now."""
        with self._lock:
            self._queue(data, delay)

    def _queue(self, data: bytes, delay: float = 0.0) -> None:
        heapq.heappush(self._unsolicited, _Timed(self._clock() + delay, next(self._sequence),
                                                 data))

    def stray_byte(self) -> None:
        """Emit a line that is not UTF-8 (a Latin-1 USSD answer): python-gsmmodem defect 2."""
        self.queue_unsolicited(STRAY_LINE)

    def go_silent(self, seconds: float | None) -> None:
        """Answer nothing, emit nothing, for ``seconds`` (None: until ``wake``). Whatever is
        typed meanwhile is lost, like on a hung modem; queued output waits."""
        with self._lock:
            self._silent_until = math.inf if seconds is None else self._clock() + seconds
            self._input.clear()
            self._line.clear()
            self._prompt = None

    def wake(self) -> None:
        with self._lock:
            self._silent_until = None

    def fail_next(self, count: int, code: int = CMS_UNKNOWN_ERROR) -> None:
        """The next ``count`` sends (AT+CMGS after its PDU, AT+CMSS) answer +CMS ERROR: code."""
        if count < 0 or not 0 <= code <= CMS_HIGHEST_CODE:
            raise ValueError(f"fail_next needs count >= 0 and code 0..{CMS_HIGHEST_CODE}")
        with self._lock:
            self._fail_count, self._fail_code = count, code

    def set_network(self, registered: bool) -> None:
        """Registered (CREG stat 1) or lost (stat 0: sends answer +CMS ERROR: 331)."""
        with self._lock:
            before = self._network_stat
            self._registered = registered
            if self._creg_mode >= 1 and self._network_stat != before:
                self._queue(f"\r\n+CREG: {self._network_stat}\r\n".encode("ascii"))

    def stall_next_send(self, seconds: float) -> None:
        """The next send that goes out really goes (logged, storage updated) but its
        +CMGS/+CMSS answer comes ``seconds`` late: the window in which a host can die not
        knowing whether its message went."""
        if seconds < 0:
            raise ValueError("stall_next_send needs seconds >= 0")
        with self._lock:
            self._stall_seconds = seconds

    # -- inspection -----------------------------------------------------------------------------

    def sent_parts(self) -> list[SentPart]:
        with self._lock:
            return list(self._sent)

    def stored(self, memory: str = "ME") -> dict[int, StoredMessage]:
        """A copy of one message memory, by index."""
        with self._lock:
            return {index: StoredMessage(message.stat, message.pdu, message.tpdu_length)
                    for index, message in self._stores[memory].items()}

    def status(self) -> dict[str, object]:
        with self._lock:
            return {
                "silent": self._is_silent(self._clock()),
                "registered": self._network_stat == 1,
                "sim_inserted": self._sim_inserted,
                "sim_locked": self._sim_locked,
                "pin_attempts_left": self._pin_attempts_left,
                "puk_attempts_left": self._puk_attempts_left,
                "pin_entries": self._pin_entries,
                "rssi": self.rssi,
                "echo": self._echo,
                "storage": {name: {"used": store.used, "total": store.capacity}
                            for name, store in self._stores.items()},
                "sent_parts": len(self._sent),
                "fail_next": self._fail_count,
                "send_stalled": self._stalled_answer is not None,
                "delivery_delay": self.delivery_delay,
                "cms_error_rate": self.cms_error_rate,
            }


class _MessageStore:
    """One message memory: numbered slots 1..capacity."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._slots: dict[int, StoredMessage] = {}

    @property
    def used(self) -> int:
        return len(self._slots)

    def put(self, message: StoredMessage) -> int | None:
        """The lowest free index, or None when full."""
        index = next((i for i in range(1, self.capacity + 1) if i not in self._slots), None)
        if index is not None:
            self._slots[index] = message
        return index

    def get(self, index: int) -> StoredMessage | None:
        return self._slots.get(index)

    def delete(self, index: int) -> None:
        self._slots.pop(index, None)

    def items(self) -> list[tuple[int, StoredMessage]]:
        return sorted(self._slots.items())


def _arguments(text: str) -> list[str]:
    """Comma-separated parameters, quotes removed: 'ME',"ME" -> ["ME", "ME"]."""
    return [value.strip() for value in next(csv.reader([text], skipinitialspace=True))]


def _final(result: str) -> bytes:
    return f"\r\n{result}\r\n".encode("ascii")


def _answer(lines: list[str]) -> bytes:
    """Information lines, then OK (V.250 verbose format)."""
    if not lines:
        return _final("OK")
    return ("\r\n" + "\r\n".join(lines) + "\r\n").encode("ascii") + _final("OK")


def _constant(value: str) -> Callable[[str, list[str]], bytes]:
    """An identification command (+CGMI and the like): answers ``value``."""

    def handler(operation: str, arguments: list[str]) -> bytes:
        if operation == "test":
            return _final("OK")
        return _answer([value]) if operation == "execute" else _final("ERROR")

    return handler
