"""Helpers the simulator's tests share: waiting on other threads, and what callbacks got."""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

with warnings.catch_warnings():
    warnings.simplefilter("ignore", SyntaxWarning)
    from gsmmodem.modem import GsmModem, ReceivedSms, StatusReport

T = TypeVar("T")
NOTIFICATION_HANDLING_S = 5.0


def wait_for(condition: Callable[[], T], timeout: float = 3.0, interval: float = 0.01) -> T:
    """The first truthy value of ``condition()``; AssertionError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s: {condition}")
        time.sleep(interval)


@dataclass
class Received:
    """What a GsmModem's callbacks were handed, in arrival order."""

    messages: list[ReceivedSms] = field(default_factory=list)
    reports: list[StatusReport] = field(default_factory=list)


def close_promptly(modem: GsmModem) -> None:
    """Close without the waits and races of a bare GsmModem.close().

    The library handles each notification in a thread of its own that may still be talking
    to the modem (deleting a message it has just handed over): those finish first, or they
    would write to a closed port.  Then close() would wait out the reader's 1-second read
    timeout; cancelling the pending read ends it at once.
    """
    for thread in threading.enumerate():
        if thread.name.endswith("(__threadedHandleModemNotification)"):
            thread.join(timeout=NOTIFICATION_HANDLING_S)
    modem.alive = False
    modem.serial.cancel_read()
    modem.close()
