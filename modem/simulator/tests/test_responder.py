"""``AtResponder`` alone: bytes in, bytes out, time stepped by hand."""

from __future__ import annotations

import warnings

import pytest

from paivystys.modem.simulator.responder import STRAY_LINE, SUPPORTED_COMMANDS, AtResponder
from paivystys.modem.simulator.sent_log import SentPart

with warnings.catch_warnings():
    warnings.simplefilter("ignore", SyntaxWarning)
    from gsmmodem.pdu import decodeSmsPdu, encodeSmsSubmitPdu

RECIPIENT = "+358401234567"
OK = b"\r\nOK\r\n"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sent() -> list[SentPart]:
    return []


@pytest.fixture
def modem(clock: FakeClock, sent: list[SentPart]) -> AtResponder:
    """A responder set up as the host's connect() leaves it: echo off, indications on."""
    responder = AtResponder(on_sent=sent.append, clock=clock)
    for command in (b"ATE0\r", b"AT+CMEE=1\r", b"AT+CNMI=2,1,0,2\r"):
        assert responder.feed(command).endswith(OK)
    return responder


def submit_pdu(text: str = "Hei ä") -> tuple[str, int]:
    [pdu] = encodeSmsSubmitPdu(RECIPIENT, text)
    return str(pdu), pdu.tpduLength


def send(modem: AtResponder, text: str = "Hei ä") -> bytes:
    pdu, length = submit_pdu(text)
    assert modem.feed(f"AT+CMGS={length}\r".encode()) == b"\r\n> "
    return modem.feed(pdu.encode() + b"\x1a")


def test_echo_is_on_until_ate0_and_back_after_atz() -> None:
    responder = AtResponder()
    assert responder.feed(b"AT\r") == b"AT\r" + OK
    assert responder.feed(b"ATE0\r") == b"ATE0\r" + OK
    assert responder.feed(b"AT\r") == OK
    assert responder.feed(b"ATZ\r") == OK
    assert responder.feed(b"AT\r") == b"AT\r" + OK


def test_a_command_split_over_reads_is_answered_once_complete(modem: AtResponder) -> None:
    assert modem.feed(b"AT+C") == b""
    assert modem.feed(b"SQ\r") == b"\r\n+CSQ: 21,99\r\n" + OK


def test_unknown_and_vendor_commands_answer_error(modem: AtResponder) -> None:
    for command in (b"AT+CSCS=?\r", b'AT+CSCS="UCS2"\r', b"AT+WIND?\r", b"AT+ZPAS?\r",
                    b"AT+FOO\r", b"AT^CVOICE=0\r"):
        assert modem.feed(command) == b"\r\nERROR\r\n", command


def test_clac_lists_sms_commands_but_no_cscs(modem: AtResponder) -> None:
    listed = modem.feed(b"AT+CLAC\r").decode().split("\r\n")
    for command in ("+CMGS", "+CMSS", "+CMGW", "+CMGR", "+CMGL", "+CMGD", "+CNMI", "+CPMS",
                    "+CSQ", "+CREG", "+COPS", "+CLIP"):
        assert f"AT{command}" in listed
    assert "AT+CSCS" not in listed and "+CSCS" not in SUPPORTED_COMMANDS


def test_cmgs_prompts_then_answers_the_reference(modem: AtResponder, sent: list[SentPart]) -> None:
    assert send(modem) == b"\r\n+CMGS: 0\r\n" + OK
    assert send(modem) == b"\r\n+CMGS: 1\r\n" + OK
    assert [(part.recipient, part.text, part.reference) for part in sent] == [
        (RECIPIENT, "Hei ä", 0), (RECIPIENT, "Hei ä", 1)]


def test_the_reference_wraps_after_255(modem: AtResponder) -> None:
    for _ in range(256):
        send(modem)
    assert send(modem) == b"\r\n+CMGS: 0\r\n" + OK


def test_a_pdu_longer_or_shorter_than_declared_is_refused_304(
        modem: AtResponder, sent: list[SentPart]) -> None:
    pdu, length = submit_pdu()
    for declared in (length - 1, length + 1):
        modem.feed(f"AT+CMGS={declared}\r".encode())
        assert modem.feed(pdu.encode() + b"\x1a") == b"\r\n+CMS ERROR: 304\r\n"
    modem.feed(f"AT+CMGS={length}\r".encode())
    assert modem.feed(b"00ZZ\x1a") == b"\r\n+CMS ERROR: 304\r\n"
    assert sent == []


def test_escape_cancels_the_prompt(modem: AtResponder, sent: list[SentPart]) -> None:
    pdu, length = submit_pdu()
    modem.feed(f"AT+CMGS={length}\r".encode())
    assert modem.feed(pdu[:10].encode() + b"\x1b") == OK
    assert sent == []
    assert modem.feed(b"AT\r") == OK


def test_garbage_before_at_is_ignored(modem: AtResponder) -> None:
    """A PDU typed into command mode (its prompt was lost) does not swallow the next command."""
    pdu, _ = submit_pdu()
    assert modem.feed(pdu.encode() + b"\x1a") == b""
    assert modem.feed(b"AT\r") == OK


def test_sim_pin_locks_sms_until_entered(clock: FakeClock) -> None:
    responder = AtResponder(pin="1234", clock=clock)
    responder.feed(b"ATE0\r")
    assert responder.feed(b"AT+CPIN?\r") == b"\r\n+CPIN: SIM PIN\r\n" + OK
    assert responder.feed(b"AT+CMGL=4\r") == b"\r\n+CMS ERROR: 311\r\n"
    assert responder.feed(b'AT+CPIN="9999"\r') == b"\r\nERROR\r\n"  # CMEE 0: no details
    responder.feed(b"AT+CMEE=1\r")
    assert responder.feed(b'AT+CPIN="9999"\r') == b"\r\n+CME ERROR: 16\r\n"
    assert responder.feed(b'AT+CPIN="1234"\r') == OK
    assert responder.feed(b"AT+CPIN?\r") == b"\r\n+CPIN: READY\r\n" + OK
    assert responder.feed(b"AT+CREG?\r") == b"\r\n+CREG: 0,1\r\n" + OK


def test_unsolicited_output_waits_for_a_command_being_typed(modem: AtResponder) -> None:
    assert modem.feed(b"AT+CS") == b""
    modem.incoming("+358409876543", "Hei")
    assert modem.due_output() == b""
    assert modem.feed(b"Q\r") == b"\r\n+CSQ: 21,99\r\n" + OK
    assert modem.due_output() == b'\r\n+CMTI: "ME",1\r\n'


def test_incoming_message_is_stored_unread_and_read_once(modem: AtResponder) -> None:
    [index] = modem.incoming("+358409876543", "Öljy loppu")
    answer = modem.feed(f"AT+CMGR={index}\r".encode()).decode().split("\r\n")
    assert answer[1].startswith("+CMGR: 0,,")
    decoded = decodeSmsPdu(answer[2])
    assert (decoded["type"], decoded["number"], decoded["text"]) == (
        "SMS-DELIVER", "+358409876543", "Öljy loppu")
    assert modem.feed(f"AT+CMGR={index}\r".encode()).startswith(b"\r\n+CMGR: 1,,")


def test_without_cnmi_messages_are_stored_silently(clock: FakeClock) -> None:
    responder = AtResponder(clock=clock)
    assert responder.incoming("+358409876543", "Hei") == [1]
    assert responder.due_output() == b""


def test_full_memory_refuses_writes_and_holds_incoming_until_a_slot_frees(
        modem: AtResponder) -> None:
    pdu, length = submit_pdu()
    for index in range(1, 31):
        modem.feed(f"AT+CMGW={length}\r".encode())
        assert modem.feed(pdu.encode() + b"\x1a") == f"\r\n+CMGW: {index}\r\n".encode() + OK
    modem.feed(f"AT+CMGW={length}\r".encode())
    assert modem.feed(pdu.encode() + b"\x1a") == b"\r\n+CMS ERROR: 322\r\n"
    assert modem.incoming("+358409876543", "Odottaa") == [None]
    assert modem.due_output() == b""

    assert modem.feed(b"AT+CMGD=7\r") == OK
    assert modem.due_output() == b'\r\n+CMTI: "ME",7\r\n'


def test_cmss_sends_a_stored_message_and_marks_it_sent(
        modem: AtResponder, sent: list[SentPart]) -> None:
    pdu, length = submit_pdu()
    modem.feed(f"AT+CMGW={length}\r".encode())
    modem.feed(pdu.encode() + b"\x1a")
    assert modem.stored()[1].stat == 2
    assert modem.feed(b"AT+CMSS=1\r") == b"\r\n+CMSS: 0\r\n" + OK
    assert modem.stored()[1].stat == 3
    assert [part.text for part in sent] == ["Hei ä"]
    assert modem.feed(b"AT+CMSS=2\r") == b"\r\n+CMS ERROR: 321\r\n"


def test_cmgl_filters_by_stat_and_cmgd_flags_delete_by_stat(modem: AtResponder) -> None:
    modem.incoming("+358409876543", "Luettu")
    modem.feed(b"AT+CMGR=1\r")  # now read
    modem.incoming("+358409876543", "Lukematon")
    pdu, length = submit_pdu()
    modem.feed(f"AT+CMGW={length}\r".encode())
    modem.feed(pdu.encode() + b"\x1a")

    listed = modem.feed(b"AT+CMGL=4\r").decode()
    assert [line.split(",")[:2] for line in listed.split("\r\n") if line.startswith("+CMGL")] \
        == [["+CMGL: 1", "1"], ["+CMGL: 2", "0"], ["+CMGL: 3", "2"]]
    assert modem.feed(b"AT+CMGD=1,1\r") == OK  # all read ones: 1, and 2 (read by CMGL=4)
    assert sorted(modem.stored()) == [3]
    assert modem.feed(b"AT+CMGD=1,4\r") == OK
    assert modem.stored() == {}


def test_cpms_switches_memories(modem: AtResponder) -> None:
    assert modem.feed(b'AT+CPMS="SM","SM","SM"\r') == b"\r\n+CPMS: 0,10,0,10,0,10\r\n" + OK
    modem.incoming("+358409876543", "SIM:lle")
    assert modem.due_output() == b'\r\n+CMTI: "SM",1\r\n'
    assert modem.stored("SM")[1].stat == 0 and modem.stored("ME") == {}
    assert modem.feed(b'AT+CPMS="XX"\r') == b"\r\n+CMS ERROR: 303\r\n"


def test_failures_on_demand(modem: AtResponder, sent: list[SentPart]) -> None:
    modem.fail_next(2, 330)
    assert send(modem) == b"\r\n+CMS ERROR: 330\r\n"
    assert send(modem) == b"\r\n+CMS ERROR: 330\r\n"
    modem.set_network(False)
    assert send(modem) == b"\r\n+CMS ERROR: 331\r\n"
    assert modem.feed(b"AT+CREG?\r") == b"\r\n+CREG: 0,0\r\n" + OK
    assert modem.feed(b"AT+COPS?\r") == b"\r\n+COPS: 0\r\n" + OK
    modem.set_network(True)
    modem.cms_error_rate = 1.0
    assert send(modem) == b"\r\n+CMS ERROR: 500\r\n"
    assert sent == []


def test_creg_mode_1_announces_registration_changes(modem: AtResponder) -> None:
    modem.feed(b"AT+CREG=1\r")
    modem.set_network(False)
    assert modem.due_output() == b"\r\n+CREG: 0\r\n"


def test_status_report_comes_after_the_delay_in_one_piece(
        modem: AtResponder, clock: FakeClock) -> None:
    modem.delivery_delay = 5.0
    send(modem)
    assert modem.next_due() == clock.now + 5.0
    assert modem.due_output() == b""

    clock.now += 5.0
    output = modem.due_output()  # both lines in one chunk
    assert output.startswith(b"\r\n+CDS: ") and output.endswith(b"\r\n")
    header, pdu = output.decode().strip().split("\r\n")
    decoded = decodeSmsPdu(pdu)
    assert header == f"+CDS: {decoded['tpdu_length']}"
    assert (decoded["type"], decoded["reference"], decoded["number"], decoded["status"]) == (
        "SMS-STATUS-REPORT", 0, RECIPIENT, 0)


def test_no_status_report_without_cnmi_ds(clock: FakeClock) -> None:
    responder = AtResponder(clock=clock)
    responder.delivery_delay = 0.0
    responder.feed(b"ATE0\r")
    send(responder)
    assert responder.due_output() == b"" and responder.next_due() is None


def test_a_stalled_send_is_made_at_once_and_answered_late(
        modem: AtResponder, clock: FakeClock, sent: list[SentPart]) -> None:
    modem.stall_next_send(3.0)
    assert send(modem) == b""
    assert len(sent) == 1  # already out, already logged
    assert modem.feed(b"AT\r") == b""  # the modem is busy: this waits
    modem.incoming("+358409876543", "Välissä")
    assert modem.due_output() == b'\r\n+CMTI: "ME",1\r\n'  # indications may come meanwhile

    clock.now += 3.0
    assert modem.due_output() == b"\r\n+CMGS: 0\r\n" + OK + OK


def test_every_send_waits_send_delay_for_the_networks_answer(
        modem: AtResponder, clock: FakeClock, sent: list[SentPart]) -> None:
    modem.send_delay = 1.5
    for reference in (0, 1):
        assert send(modem) == b""
        assert modem.next_due() == clock.now + 1.5
        clock.now += 1.5
        assert modem.due_output() == f"\r\n+CMGS: {reference}\r\n".encode() + OK
    assert len(sent) == 2


def test_silence_swallows_input_and_holds_output(modem: AtResponder, clock: FakeClock) -> None:
    modem.go_silent(10.0)
    assert modem.feed(b"AT\r") == b""
    modem.stray_byte()
    assert modem.due_output() == b""
    assert modem.next_due() == clock.now + 10.0

    clock.now += 10.0
    assert modem.due_output() == STRAY_LINE
    assert modem.feed(b"AT\r") == OK


def test_silence_without_end_lasts_until_wake(modem: AtResponder, clock: FakeClock) -> None:
    modem.go_silent(None)
    clock.now += 3600
    assert modem.feed(b"AT\r") == b"" and modem.next_due() is None
    modem.wake()
    assert modem.feed(b"AT\r") == OK


def test_text_mode_message_commands_are_refused(modem: AtResponder) -> None:
    assert modem.feed(b"AT+CMGF=1\r") == OK
    assert modem.feed(b'AT+CMGS="+358401234567"\r') == b"\r\n+CMS ERROR: 302\r\n"


def test_three_wrong_pins_lock_the_sim_until_its_puk(clock: FakeClock) -> None:
    sim = AtResponder(pin="1234", clock=clock)
    sim.feed(b"ATE0\r")
    sim.feed(b"AT+CMEE=1\r")
    for _ in range(3):
        assert sim.feed(b'AT+CPIN="0000"\r') == b"\r\n+CME ERROR: 16\r\n"
    assert sim.feed(b"AT+CPIN?\r") == b"\r\n+CPIN: SIM PUK\r\n" + OK
    assert sim.feed(b'AT+CPIN="1234"\r') == b"\r\n+CME ERROR: 12\r\n"
    assert sim.status()["pin_attempts_left"] == 0
