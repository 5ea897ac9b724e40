"""The real ``gsmmodem.modem.GsmModem`` against the simulator: what works, and the library's
defects reproduced exactly as TELEPHONY-NOTES measured them on a real modem."""

from __future__ import annotations

import contextlib
import threading
import warnings
from pathlib import Path

import pytest

from paivystys.modem.simulator import ModemSimulator, read_sent_messages
from paivystys.modem.simulator.tests.support import Received, close_promptly, wait_for

with warnings.catch_warnings():
    warnings.simplefilter("ignore", SyntaxWarning)
    from gsmmodem.exceptions import (
        CmsError,
        CommandError,
        IncorrectPinError,
        PinRequiredError,
        TimeoutException,
    )
    from gsmmodem.modem import GsmModem, SentSms
    from gsmmodem.pdu import Concatenation, encodeSmsSubmitPdu
    from gsmmodem.util import lineStartingWith

RECIPIENT = "+358401234567"
SENDER = "+358409876543"
FINNISH = "Päivystäjä: hälytys klo 03.15, öljylämmitin rikki Åsan mökillä. Soita heti!"
LONG_FINNISH = ("Päivystysvuorossa on tänä yönä Åsa Öhman; hälytykset ohjataan hänen "
                "numeroonsa. " * 5)[:356]
UCS2_TEXT = "Tšekkiläinen asiakas soitti, žurnaali auki"


def test_connect_reads_signal_network_and_identity(modem: GsmModem) -> None:
    assert modem.signalStrength == 21
    assert modem.networkName == "Simulated Telecom"
    assert modem.manufacturer == "Paivystys Simulated"
    assert modem.imei == "356938035643809"
    assert modem.smsc == "+358405202000"
    assert "+CSCS" not in modem.supportedCommands


def test_signal_strength_follows_the_setting(simulator: ModemSimulator, modem: GsmModem) -> None:
    simulator.rssi = 99  # "not known or not detectable"
    assert modem.signalStrength == -1


def test_connect_enters_the_sim_pin(tmp_path: Path) -> None:
    with ModemSimulator(tmp_path / "ttyUSB0", pin="1234") as simulator:
        for pin, error in ((None, PinRequiredError), ("0000", IncorrectPinError)):
            refused = GsmModem(str(simulator.link_path))
            try:
                with pytest.raises(error):
                    refused.connect(pin=pin)
            finally:
                close_promptly(refused)
        client = GsmModem(str(simulator.link_path))
        try:
            client.connect(pin="1234")
            assert client.imsi == "244911234567890"
        finally:
            close_promptly(client)


def test_gsm7_finnish_text_lands_in_the_sent_log_exactly(modem: GsmModem, sent_log: Path) -> None:
    sms = modem.sendSms(RECIPIENT, FINNISH)

    [message] = read_sent_messages(sent_log)
    assert (message.recipient, message.text, message.complete) == (RECIPIENT, FINNISH, True)
    assert message.references == (sms.reference,)
    assert message.parts[0].encoding == "gsm7"


def test_356_finnish_characters_go_as_three_parts_and_reassemble(
        simulator: ModemSimulator, modem: GsmModem, sent_log: Path) -> None:
    assert len(LONG_FINNISH) == 356

    sms = modem.sendSms(RECIPIENT, LONG_FINNISH)

    [message] = read_sent_messages(sent_log)
    assert message.text == LONG_FINNISH and message.complete
    assert [part.concat[1:] for part in message.parts if part.concat] == [(3, 1), (3, 2), (3, 3)]
    assert len(set(message.references)) == 3
    # Defect (3): the library keeps only the last part's reference.
    assert sms.reference == message.references[-1]
    assert simulator.sent_messages() == [message]


def test_ucs2_send_fails_for_want_of_cscs_defect_1(modem: GsmModem, sent_log: Path) -> None:
    """PDU mode needs no character set, yet stock sendSms insists on AT+CSCS="UCS2"."""
    with pytest.raises(CommandError, match=r"Unable to set SMS encoding \(\+CSCS"):
        modem.sendSms(RECIPIENT, UCS2_TEXT)
    assert read_sent_messages(sent_log) == []


def test_ucs2_text_sent_as_pdu_needs_no_cscs(modem: GsmModem, sent_log: Path) -> None:
    [pdu] = encodeSmsSubmitPdu(RECIPIENT, UCS2_TEXT)
    modem.write(f"AT+CMGS={pdu.tpduLength}", timeout=5, expectedResponseTermSeq="> ")
    modem.write(str(pdu), timeout=10, writeTerm="\x1a")

    [message] = read_sent_messages(sent_log)
    assert (message.text, message.parts[0].encoding) == (UCS2_TEXT, "ucs2")


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_one_non_utf8_byte_kills_the_reader_thread_defect_2(
        simulator: ModemSimulator, modem: GsmModem) -> None:
    simulator.stray_byte()

    wait_for(lambda: not modem.rxThread.is_alive())
    with pytest.raises(TimeoutException):
        modem.write("AT", timeout=0.5)


def test_incoming_message_reaches_the_callback_and_leaves_storage(
        simulator: ModemSimulator, modem: GsmModem, received: Received) -> None:
    simulator.incoming(SENDER, FINNISH)

    [sms] = wait_for(lambda: received.messages)
    assert (sms.number, sms.text) == (SENDER, FINNISH)
    wait_for(lambda: not simulator.responder.stored())  # the library deletes what it handled


def test_incoming_ucs2_message_decodes(simulator: ModemSimulator, modem: GsmModem,
                                       received: Received) -> None:
    simulator.incoming("Elisa", UCS2_TEXT)  # an alphanumeric sender, as operators send

    [sms] = wait_for(lambda: received.messages)
    assert (sms.number, sms.text) == ("Elisa", UCS2_TEXT)


def test_incoming_y_umlaut_goes_as_ucs2(simulator: ModemSimulator, modem: GsmModem,
                                        received: Received) -> None:
    """"ÿ" has no GSM-7 code; the library's GSM-7 table even breaks on it (TypeError)."""
    simulator.incoming(SENDER, "Zoë ja Ÿvonne, ÿö")

    [sms] = wait_for(lambda: received.messages)
    assert sms.text == "Zoë ja Ÿvonne, ÿö"


def test_incoming_emoji_arrives_as_unpaired_surrogates(
        simulator: ModemSimulator, modem: GsmModem, received: Received) -> None:
    """The library turns each UTF-16 unit into a character of its own."""
    text = "Kiitos 😀"
    simulator.incoming(SENDER, text)

    [sms] = wait_for(lambda: received.messages)
    assert sms.text != text
    assert sms.text.encode("utf-16-be", "surrogatepass").decode("utf-16-be") == text


def test_a_burst_of_indications_loses_all_but_the_first(
        simulator: ModemSimulator, modem: GsmModem, received: Received) -> None:
    """A two-part message: both +CMTI arrive together, the library reads them as one
    notification and handles only its first line; part 2 stays unread in storage."""
    text = "Pitkä viesti päivystäjälle. " * 8
    assert simulator.incoming(SENDER, text) == [1, 2]

    [first] = wait_for(lambda: received.messages)
    [concat] = [element for element in first.udh if isinstance(element, Concatenation)]
    assert (concat.parts, concat.number) == (2, 1)
    [left] = modem.listStoredSms(status=0)
    assert first.text + left.text == text


def test_storage_commands_write_send_read_list_delete(
        simulator: ModemSimulator, modem: GsmModem, sent_log: Path) -> None:
    [pdu] = encodeSmsSubmitPdu(RECIPIENT, FINNISH)
    modem.write(f"AT+CMGW={pdu.tpduLength}", timeout=5, expectedResponseTermSeq="> ")
    written = modem.write(str(pdu), timeout=10, writeTerm="\x1a")
    index = int(lineStartingWith("+CMGW:", written)[len("+CMGW:"):])

    assert modem.write(f"AT+CMGR={index}") == [f"+CMGR: 2,,{pdu.tpduLength}", str(pdu), "OK"]
    assert lineStartingWith("+CMGL:", modem.write("AT+CMGL=2")) == (
        f"+CMGL: {index},2,,{pdu.tpduLength}")
    assert read_sent_messages(sent_log) == []  # stored is not sent

    sent = modem.write(f"AT+CMSS={index}", timeout=10)
    reference = int(lineStartingWith("+CMSS:", sent)[len("+CMSS:"):])

    assert modem.write(f"AT+CMGR={index}")[0] == f"+CMGR: 3,,{pdu.tpduLength}"  # STO SENT
    assert modem.write("AT+CMGL=2") == ["OK"]
    assert modem.write("AT+CMGL=3")[0] == f"+CMGL: {index},3,,{pdu.tpduLength}"
    [message] = read_sent_messages(sent_log)
    assert (message.text, message.references) == (FINNISH, (reference,))

    modem.write(f"AT+CMGD={index}")
    with pytest.raises(CmsError) as missing:
        modem.write(f"AT+CMGR={index}")
    assert missing.value.code == 321
    with pytest.raises(CmsError) as unsendable:
        modem.write(f"AT+CMSS={index}")
    assert unsendable.value.code == 321


def test_fail_next_answers_cms_error_then_sends_again(
        simulator: ModemSimulator, modem: GsmModem, sent_log: Path) -> None:
    simulator.fail_next(1)

    with pytest.raises(CmsError) as failure:
        modem.sendSms(RECIPIENT, FINNISH)
    assert failure.value.code == 500
    assert read_sent_messages(sent_log) == []
    modem.sendSms(RECIPIENT, FINNISH)
    assert [message.text for message in read_sent_messages(sent_log)] == [FINNISH]


def test_cms_error_rate_one_fails_every_send(simulator: ModemSimulator, modem: GsmModem) -> None:
    simulator.cms_error_rate = 1.0
    for _ in range(2):
        with pytest.raises(CmsError):
            modem.sendSms(RECIPIENT, FINNISH)


def test_a_silent_modem_times_out_until_woken(simulator: ModemSimulator, modem: GsmModem) -> None:
    simulator.go_silent(None)
    with pytest.raises(TimeoutException):
        modem.write("AT", timeout=0.3)

    simulator.wake()
    assert modem.write("AT", timeout=2) == ["OK"]


def test_silence_for_a_while_ends_by_itself(simulator: ModemSimulator, modem: GsmModem) -> None:
    simulator.go_silent(0.3)
    with pytest.raises(TimeoutException):
        modem.write("AT", timeout=0.1)
    wait_for(lambda: not simulator.status()["silent"])
    assert modem.write("AT", timeout=2) == ["OK"]


def test_network_loss_unregisters_and_fails_sends(
        simulator: ModemSimulator, modem: GsmModem) -> None:
    simulator.set_network(False)

    assert lineStartingWith("+CREG:", modem.write("AT+CREG?")) == "+CREG: 0,0"
    with pytest.raises(CmsError) as failure:
        modem.sendSms(RECIPIENT, FINNISH)
    assert failure.value.code == 331

    simulator.set_network(True)
    assert lineStartingWith("+CREG:", modem.write("AT+CREG?")) == "+CREG: 0,1"
    modem.sendSms(RECIPIENT, FINNISH)


def test_delivery_report_reaches_the_status_report_callback(
        simulator: ModemSimulator, modem: GsmModem, received: Received) -> None:
    simulator.delivery_delay = 0.1

    sms = modem.sendSms(RECIPIENT, FINNISH)

    [report] = wait_for(lambda: received.reports)
    assert (report.reference, report.deliveryStatus, report.number) == (sms.reference, 0,
                                                                        RECIPIENT)
    assert sms.status == SentSms.DELIVERED


def test_a_stalled_send_is_logged_before_it_is_answered(
        simulator: ModemSimulator, modem: GsmModem, received: Received, sent_log: Path) -> None:
    """The message is out while the host still waits; an indication arriving in that window
    is swallowed into the send's answer by the stock library and never reaches the callback."""
    simulator.stall_next_send(0.5)
    answers: list[SentSms] = []
    sender = threading.Thread(target=lambda: answers.append(modem.sendSms(RECIPIENT, FINNISH)))
    sender.start()

    [message] = wait_for(lambda: read_sent_messages(sent_log))
    assert sender.is_alive() and not answers
    simulator.incoming(SENDER, "Tämä hukkuu")
    sender.join(timeout=3)

    assert [sms.reference for sms in answers] == list(message.references)
    assert received.messages == []
    assert simulator.responder.stored()[1].stat == 0  # still unread in storage


def test_a_host_killed_while_a_send_stalls_finds_it_sent_after_reconnecting(
        simulator: ModemSimulator, sent_log: Path) -> None:
    """The outbox's ambiguous window: the host dies between handing over the PDU and hearing
    +CMGS. The port can be closed and opened again (the simulator keeps the pty alive) and
    the log tells what really went out."""
    first = GsmModem(str(simulator.link_path))
    first.connect()
    simulator.stall_next_send(0.3)

    def send_and_never_hear_back() -> None:
        with contextlib.suppress(TimeoutException):  # after its 35 s wait, long after the test
            first.sendSms(RECIPIENT, FINNISH)

    threading.Thread(target=send_and_never_hear_back, daemon=True).start()
    wait_for(lambda: read_sent_messages(sent_log))
    close_promptly(first)  # "killed": the answer is never read
    wait_for(lambda: not simulator.status()["send_stalled"])

    second = GsmModem(str(simulator.link_path))
    try:
        second.connect()
        assert second.signalStrength == 21
    finally:
        close_promptly(second)
    assert [message.text for message in read_sent_messages(sent_log)] == [FINNISH]
