"""``ModemSimulator``: an ``AtResponder`` behind a pseudo-terminal, so the real serial stack
(pyserial, python-gsmmodem, the appliance's subclass) talks to it as to a USB modem.

One I/O thread owns the pty master: it reads what the host writes, feeds the responder and
writes the answers, then writes whatever output has come due.  With a single writer no
unsolicited line can land inside an answer; methods called from other threads only change
the responder and poke the thread awake through a pipe.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import select
import threading
import time
import tty
from pathlib import Path
from types import TracebackType

from paivystys.modem.simulator.responder import PIN_ATTEMPTS, AtResponder
from paivystys.modem.simulator.sent_log import SentLog, SentMessage, SentPart, assemble_messages

__all__ = ["ModemSimulator"]

log = logging.getLogger(__name__)

READ_CHUNK = 4096
# A host that stops reading (or none connected) fills the pty's buffer; after this long
# without progress the rest of an output is dropped, as a modem's UART would overrun.
WRITE_STALL_LIMIT_S = 2.0
RSSI_UNKNOWN = 99


class ModemSimulator:
    """A simulated modem at ``link_path`` (a symlink to the pty's slave, like /dev/ttyUSB0)."""

    def __init__(self, link_path: str | os.PathLike[str], *,
                 sent_log_path: str | os.PathLike[str] | None = None, pin: str | None = None,
                 delivery_delay: float | None = None, cms_error_rate: float = 0.0,
                 pin_attempts_left: int = PIN_ATTEMPTS, pin_retries: str | None = "+CPINR",
                 sim_inserted: bool = True) -> None:
        """The SIM's settings (``pin``, ``pin_attempts_left``, ``pin_retries``,
        ``sim_inserted``) are ``AtResponder``'s."""
        self.link_path = Path(link_path)
        self._sent_log = SentLog(sent_log_path) if sent_log_path is not None else None
        self.responder = AtResponder(pin=pin, on_sent=self._part_sent,
                                     pin_attempts_left=pin_attempts_left,
                                     pin_retries=pin_retries, sim_inserted=sim_inserted)
        self.delivery_delay = delivery_delay
        self.cms_error_rate = cms_error_rate
        self._master: int | None = None
        self._slave: int | None = None
        self._wake_read: int | None = None
        self._wake_write: int | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # -- settings the responder owns ------------------------------------------------------------

    @property
    def send_delay(self) -> float:
        """Seconds each send waits for the network's answer (0: answered at once)."""
        return self.responder.send_delay

    @send_delay.setter
    def send_delay(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("send_delay must be >= 0 seconds")
        self.responder.send_delay = seconds

    @property
    def delivery_delay(self) -> float | None:
        """Seconds from a send to its +CDS status report; None: no reports."""
        return self.responder.delivery_delay

    @delivery_delay.setter
    def delivery_delay(self, seconds: float | None) -> None:
        if seconds is not None and seconds < 0:
            raise ValueError("delivery_delay must be >= 0 or None")
        self.responder.delivery_delay = seconds

    @property
    def cms_error_rate(self) -> float:
        """Share of sends (0..1) that fail with +CMS ERROR: 500, for the lab's "now and then"."""
        return self.responder.cms_error_rate

    @cms_error_rate.setter
    def cms_error_rate(self, rate: float) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError("cms_error_rate must be within 0..1")
        self.responder.cms_error_rate = rate

    @property
    def rssi(self) -> int:
        """+CSQ <rssi>: 0..31, or 99 for "not known"."""
        return self.responder.rssi

    @rssi.setter
    def rssi(self, value: int) -> None:
        if value not in range(32) and value != RSSI_UNKNOWN:
            raise ValueError("rssi must be 0..31 or 99")
        self.responder.rssi = value

    # -- life cycle -----------------------------------------------------------------------------

    def start(self) -> ModemSimulator:
        if self._thread is not None:
            raise RuntimeError("simulator already started")
        # The slave stays open here too: when the host closes its end, the master would
        # otherwise read EIO, and a reopening host would find a dead modem.
        self._master, self._slave = os.openpty()
        # Raw from the start: no echo or line editing by the tty before the host configures it.
        tty.setraw(self._slave)
        os.set_blocking(self._master, False)
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_write, False)  # a full pipe already means "wake up"
        if self.link_path.is_symlink():
            self.link_path.unlink()
        self.link_path.symlink_to(os.ttyname(self._slave))
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=f"modem-sim {self.link_path}",
                                        daemon=True)
        self._thread.start()
        log.info("simulated modem at %s (%s)", self.link_path, os.ttyname(self._slave))
        return self

    def stop(self) -> None:
        """Stop answering, remove the link and close the pty; safe to call twice."""
        if self._thread is None:
            return
        self._stopping.set()
        self._poke()
        self._thread.join()
        self._thread = None
        with contextlib.suppress(FileNotFoundError):
            self.link_path.unlink()
        descriptors = (self._master, self._slave, self._wake_read, self._wake_write)
        # Forgotten before closed, so a late _poke cannot write into a reused descriptor.
        self._master = self._slave = self._wake_read = self._wake_write = None
        for descriptor in descriptors:
            if descriptor is not None:
                os.close(descriptor)

    def __enter__(self) -> ModemSimulator:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    # -- what a test (or the control socket) does to the modem ----------------------------------

    def incoming(self, sender: str, text: str) -> list[int | None]:
        """A message arrives from ``sender``; returns the storage slot of each part."""
        slots = self.responder.incoming(sender, text)
        self._poke()
        return slots

    def go_silent(self, seconds: float | None) -> None:
        """Answer nothing for ``seconds`` (None: until ``wake``), like a hung modem."""
        self.responder.go_silent(seconds)
        self._poke()

    def wake(self) -> None:
        self.responder.wake()
        self._poke()

    def fail_next(self, count: int, code: int = 500) -> None:
        """The next ``count`` AT+CMGS/AT+CMSS answer ``+CMS ERROR: <code>``."""
        self.responder.fail_next(count, code)

    def set_network(self, registered: bool) -> None:
        self.responder.set_network(registered)
        self._poke()

    def stall_next_send(self, seconds: float) -> None:
        """The next send goes out at once but is answered ``seconds`` later."""
        self.responder.stall_next_send(seconds)

    def stray_byte(self) -> None:
        """Emit an unsolicited line that is not UTF-8."""
        self.responder.stray_byte()
        self._poke()

    def sent_parts(self) -> list[SentPart]:
        return self.responder.sent_parts()

    def sent_messages(self) -> list[SentMessage]:
        return assemble_messages(self.responder.sent_parts())

    def status(self) -> dict[str, object]:
        return {"link": str(self.link_path), **self.responder.status()}

    # -- the I/O thread -------------------------------------------------------------------------

    def _part_sent(self, part: SentPart) -> None:
        if self._sent_log is not None:
            self._sent_log.append(part)

    def _poke(self) -> None:
        """Wake the I/O thread: output may have become due."""
        if self._wake_write is not None:
            with contextlib.suppress(BlockingIOError, OSError):
                os.write(self._wake_write, b"!")

    def _run(self) -> None:
        assert self._master is not None and self._wake_read is not None
        try:
            while not self._stopping.is_set():
                due = self.responder.next_due()
                timeout = None if due is None else max(0.0, due - time.monotonic())
                readable, _, _ = select.select([self._master, self._wake_read], [], [], timeout)
                if self._wake_read in readable:
                    os.read(self._wake_read, READ_CHUNK)
                if self._master in readable:
                    with contextlib.suppress(BlockingIOError):
                        data = os.read(self._master, READ_CHUNK)
                        log.debug("host -> modem %r", data)
                        self._write(self.responder.feed(data))
                self._write(self.responder.due_output())
        except Exception:
            log.exception("simulated modem at %s stopped answering", self.link_path)
            raise

    def _write(self, data: bytes) -> None:
        assert self._master is not None
        if data:
            log.debug("modem -> host %r", data)
        last_progress = time.monotonic()
        while data and not self._stopping.is_set():
            try:
                written = os.write(self._master, data)
            except OSError as error:
                if error.errno != errno.EAGAIN:
                    raise
                if time.monotonic() - last_progress > WRITE_STALL_LIMIT_S:
                    log.warning("host is not reading; dropped %d bytes", len(data))
                    return
                select.select([], [self._master], [], 0.1)
                continue
            data = data[written:]
            last_progress = time.monotonic()
