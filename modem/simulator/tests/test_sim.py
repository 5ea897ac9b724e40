"""The simulated SIM as real ones behave: its PIN, its three tries, its PUK, the commands that
tell the tries left (27.007's and two vendors'), and a modem without a SIM."""

from __future__ import annotations

import pytest

from paivystys.modem.simulator.responder import AtResponder

OK = b"\r\nOK\r\n"


def sim(**settings: object) -> AtResponder:
    """A responder as the host leaves it before the PIN: echo off, detailed errors."""
    responder = AtResponder(**settings)  # type: ignore[arg-type]
    for command in (b"ATE0\r", b"AT+CMEE=1\r"):
        assert responder.feed(command).endswith(OK)  # ATE0 itself is still echoed
    return responder


def answer(*lines: str) -> bytes:
    return ("\r\n" + "\r\n".join(lines) + "\r\n").encode() + OK


def cme(code: int) -> bytes:
    return f"\r\n+CME ERROR: {code}\r\n".encode()


def test_cpinr_tells_the_tries_left_of_each_code() -> None:
    modem = sim(pin="1234")
    assert modem.feed(b'AT+CPIN="0000"\r') == cme(16)
    assert modem.feed(b'AT+CPINR="SIM PIN"\r') == answer("+CPINR: SIM PIN,2,3")
    assert modem.feed(b'AT+CPINR="SIM*"\r') == answer("+CPINR: SIM PIN,2,3",
                                                      "+CPINR: SIM PUK,10,10")
    assert modem.feed(b"AT+CPINR\r") == answer("+CPINR: SIM PIN,2,3", "+CPINR: SIM PUK,10,10")
    assert modem.feed(b'AT+CPINR="PH-SIM PIN"\r') == OK  # no such code here: no lines
    assert b"AT+CPINR" in modem.feed(b"AT+CLAC\r")


def test_huawei_modems_tell_the_tries_with_their_own_cpin() -> None:
    modem = sim(pin="1234", pin_retries="^CPIN")
    assert modem.feed(b"AT^CPIN?\r") == answer("^CPIN: SIM PIN,3,10,3,10,3")
    assert modem.feed(b'AT+CPIN="0000"\r') == cme(16)
    assert modem.feed(b"AT^CPIN?\r") == answer("^CPIN: SIM PIN,2,10,2,10,3")
    assert modem.feed(b'AT+CPINR="SIM PIN"\r') == b"\r\nERROR\r\n"  # not this vendor's
    assert modem.feed(b'AT+CPIN="1234"\r') == OK
    assert modem.feed(b"AT^CPIN?\r") == answer("^CPIN: READY,,10,3,10,3")


def test_quectel_modems_count_with_qpinc() -> None:
    modem = sim(pin="1234", pin_retries="+QPINC", pin_attempts_left=1)
    assert modem.feed(b'AT+QPINC="SC"\r') == answer('+QPINC: "SC",1,10')
    assert modem.feed(b"AT+QPINC?\r") == answer('+QPINC: "SC",1,10', '+QPINC: "P2",3,10')
    assert modem.feed(b'AT+QPINC="XX"\r') == b"\r\nERROR\r\n"


def test_a_modem_that_does_not_tell_the_tries() -> None:
    modem = sim(pin="1234", pin_retries=None)
    for command in (b'AT+CPINR="SIM PIN"\r', b"AT^CPIN?\r", b'AT+QPINC="SC"\r'):
        assert modem.feed(command) == b"\r\nERROR\r\n"


def test_the_puk_unlocks_the_sim_with_a_new_pin() -> None:
    modem = sim(pin="1234", pin_attempts_left=0)
    assert modem.feed(b"AT+CPIN?\r") == answer("+CPIN: SIM PUK")
    assert modem.feed(b"AT+COPS?\r") == cme(12)
    assert modem.feed(b"AT+CMGL=4\r") == b"\r\n+CMS ERROR: 316\r\n"
    assert modem.feed(b'AT+CPIN="1234"\r') == cme(12)  # a PIN alone does nothing now
    assert modem.feed(b'AT+CPIN="87654321","4321"\r') == cme(16)
    assert modem.status()["puk_attempts_left"] == 9
    assert modem.feed(b'AT+CPIN="12345678","4321"\r') == OK
    assert modem.feed(b"AT+CPIN?\r") == answer("+CPIN: READY")
    assert modem.status()["pin_attempts_left"] == 3
    assert modem.status()["pin_entries"] == 3


def test_ten_wrong_puks_block_the_sim_for_good() -> None:
    modem = sim(pin="1234", pin_attempts_left=0)
    for _ in range(10):
        assert modem.feed(b'AT+CPIN="00000000","4321"\r') == cme(16)
    assert modem.feed(b"AT+CPIN?\r") == cme(13)
    assert modem.feed(b'AT+CPIN="12345678","4321"\r') == cme(13)
    assert modem.feed(b"AT+CMGL=4\r") == b"\r\n+CMS ERROR: 313\r\n"


def test_a_modem_without_a_sim() -> None:
    modem = sim(sim_inserted=False)
    assert modem.feed(b"AT+CPIN?\r") == cme(10)
    assert modem.feed(b"AT+CPINR\r") == cme(10)
    assert modem.feed(b"AT+COPS?\r") == cme(10)
    assert modem.feed(b"AT+CMGL=4\r") == b"\r\n+CMS ERROR: 310\r\n"
    assert modem.feed(b"AT+CREG?\r") == answer("+CREG: 0,0")
    assert modem.status()["registered"] is False


def test_every_pin_entry_is_counted_even_on_an_open_sim() -> None:
    modem = sim()
    assert modem.feed(b'AT+CPIN="1234"\r') == cme(3)
    assert modem.status()["pin_entries"] == 1


@pytest.mark.parametrize("settings", [{"pin_retries": "+CPINX"}, {"pin_attempts_left": 4},
                                      {"pin_attempts_left": -1}])
def test_settings_no_modem_has_are_refused(settings: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        AtResponder(**settings)  # type: ignore[arg-type]
