"""The adapter's fixes, each against the simulated modem that reproduces the defect (the
simulator's own tests show the unmodified library failing the same way)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import serial

from paivystys.appliance.sms.encoding import encode
from paivystys.modem.gsm.adapter import (
    STAT_STORED_SENT,
    STAT_STORED_UNSENT,
    ApplianceModem,
    ReceivedSms,
)
from paivystys.modem.simulator import ModemSimulator
from paivystys.modem.simulator.tests.support import wait_for

RECIPIENT = "+358401234567"


class Heard:
    def __init__(self) -> None:
        self.messages: list[ReceivedSms] = []
        self.reports: list[tuple[int, int]] = []
        self.lost: list[Exception] = []
        self._lock = threading.Lock()

    def message(self, sms: ReceivedSms) -> None:
        with self._lock:
            self.messages.append(sms)

    def report(self, reference: int, status: int) -> None:
        with self._lock:
            self.reports.append((reference, status))


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[ModemSimulator]:
    with ModemSimulator(tmp_path / "ttyUSB0", sent_log_path=tmp_path / "sent.jsonl") as sim:
        yield sim


@pytest.fixture
def heard() -> Heard:
    return Heard()


@pytest.fixture
def modem(simulator: ModemSimulator, heard: Heard) -> Iterator[ApplianceModem]:
    client = ApplianceModem(str(simulator.link_path), on_incoming=heard.message,
                            on_status_report=heard.report, on_lost=heard.lost.append)
    client.connect()
    yield client
    client.close()


def send(modem: ApplianceModem, text: str) -> list[int]:
    references = []
    for part in encode(RECIPIENT, text, reference=7).parts:
        index = modem.store_pdu(part.pdu_hex, part.tpdu_length)
        references.append(modem.send_stored(index))
        modem.delete_stored(index)
    return references


def test_a_non_utf8_byte_does_not_kill_the_reader(modem: ApplianceModem,
                                                  simulator: ModemSimulator) -> None:
    simulator.stray_byte()
    reading = modem.health()  # times out with the library's own reader
    assert reading.registered and reading.signal == 21
    assert reading.operator


def test_ucs2_goes_on_a_modem_without_cscs(modem: ApplianceModem,
                                           simulator: ModemSimulator) -> None:
    send(modem, "Kiitos 👍 Šárka")
    assert [message.text for message in simulator.sent_messages()] == ["Kiitos 👍 Šárka"]


def test_storage_commands_follow_a_part_from_unsent_to_sent(modem: ApplianceModem) -> None:
    [part] = encode(RECIPIENT, "Hei", reference=1).parts
    index = modem.store_pdu(part.pdu_hex, part.tpdu_length)
    assert modem.read_stored(index).stat == STAT_STORED_UNSENT
    assert [slot.index for slot in modem.list_stored(STAT_STORED_UNSENT)] == [index]
    modem.send_stored(index)
    slot = modem.read_stored(index)
    assert slot.stat == STAT_STORED_SENT and slot.pdu == part.pdu_hex.upper()
    modem.delete_stored(index)
    assert modem.read_stored(index) is None


def test_every_part_of_a_long_message_gets_its_own_delivery_report(
        modem: ApplianceModem, simulator: ModemSimulator, heard: Heard) -> None:
    simulator.delivery_delay = 0.1
    references = send(modem, "Pitkä viesti. " * 25)  # 350 characters: 3 parts
    assert len(references) == 3
    wait_for(lambda: len(heard.reports) == 3)
    assert sorted(heard.reports) == sorted((reference, 0) for reference in references)


def test_a_message_arriving_while_a_send_waits_for_its_answer_is_not_swallowed(
        modem: ApplianceModem, simulator: ModemSimulator, heard: Heard) -> None:
    [part] = encode(RECIPIENT, "Hei", reference=1).parts
    index = modem.store_pdu(part.pdu_hex, part.tpdu_length)
    simulator.stall_next_send(1.0)
    timer = threading.Timer(0.3, simulator.incoming, args=("+358409876543", "OFF"))
    timer.start()
    modem.send_stored(index)
    timer.join()
    wait_for(lambda: heard.messages, timeout=5)
    assert [(sms.number, sms.text) for sms in heard.messages] == [("+358409876543", "OFF")]


def test_both_parts_of_a_long_incoming_message_are_handled(
        modem: ApplianceModem, simulator: ModemSimulator, heard: Heard) -> None:
    text = "Olen huomenna lomalla, joten otan päivystyksen pois päältä. " * 4
    simulator.incoming("+358409876543", text)
    wait_for(lambda: len(heard.messages) == 2, timeout=5)
    # Each part is handed on as it is read; under load the second may come first.
    first, second = (sms.text for sms in heard.messages)
    assert text in (first + second, second + first)


def test_connect_cancels_a_prompt_left_by_a_killed_process(
        simulator: ModemSimulator, heard: Heard) -> None:
    with serial.Serial(str(simulator.link_path), 115200, timeout=1) as port:
        port.write(b"ATE0\r")
        port.read_until(b"OK\r\n")
        port.write(b"AT+CMGW=20\r")
        assert port.read_until(b"> ").endswith(b"> ")
        port.write(b"0011000C9153")  # half a PDU, then the process dies
    client = ApplianceModem(str(simulator.link_path), on_incoming=heard.message)
    try:
        client.connect()
        assert client.health().registered
    finally:
        client.close()
    assert simulator.sent_parts() == []


def test_a_vanished_port_is_reported(modem: ApplianceModem, simulator: ModemSimulator,
                                     heard: Heard) -> None:
    simulator.stop()
    wait_for(lambda: heard.lost, timeout=5)
    assert not modem.alive
