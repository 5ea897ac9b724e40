"""A simulator on a pty under tmp_path, and the real GsmModem connected to it."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from paivystys.modem.simulator import ModemSimulator
from paivystys.modem.simulator.tests.support import Received, close_promptly

with warnings.catch_warnings():
    warnings.simplefilter("ignore", SyntaxWarning)
    from gsmmodem.modem import GsmModem


@pytest.fixture
def sent_log(tmp_path: Path) -> Path:
    return tmp_path / "sent.jsonl"


@pytest.fixture
def simulator(tmp_path: Path, sent_log: Path) -> Iterator[ModemSimulator]:
    with ModemSimulator(tmp_path / "ttyUSB0", sent_log_path=sent_log) as running:
        yield running


@pytest.fixture
def received() -> Received:
    return Received()


@pytest.fixture
def modem(simulator: ModemSimulator, received: Received) -> Iterator[GsmModem]:
    """The unmodified library class, connected with its defaults (PDU mode, +CNMI=2,1,0,2)."""
    client = GsmModem(str(simulator.link_path), 115200,
                      smsReceivedCallbackFunc=received.messages.append,
                      smsStatusReportCallback=received.reports.append)
    client.connect()
    yield client
    close_promptly(client)
