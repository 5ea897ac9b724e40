"""Connecting to a modem whose SIM has a PIN: the PIN is entered only when the SIM asks for
exactly that, once; a SIM that needs a person says what for and how many tries it has left,
however the modem tells them."""

from __future__ import annotations

from pathlib import Path

import pytest

from paivystys.appliance.sms.sim_pin import (
    SIM_BLOCKED,
    SIM_MISSING,
    SIM_PIN_NEEDED,
    SIM_PIN_REFUSED,
    SIM_PUK_NEEDED,
)
from paivystys.modem.gsm.adapter import ApplianceModem, SimNotReady
from paivystys.modem.simulator import ModemSimulator


def connect(simulator: ModemSimulator, pin: str | None) -> SimNotReady | None:
    """What connecting with ``pin`` ends in: None when connected."""
    modem = ApplianceModem(str(simulator.link_path))
    try:
        modem.connect(pin)
    except SimNotReady as sim:
        return sim
    finally:
        modem.close()
    return None


def entries(simulator: ModemSimulator) -> int:
    return simulator.status()["pin_entries"]  # type: ignore[return-value]


def test_the_right_pin_opens_the_sim(tmp_path: Path) -> None:
    with ModemSimulator(tmp_path / "ttyUSB0", pin="1234") as simulator:
        assert connect(simulator, "1234") is None
        assert simulator.status()["sim_locked"] is False
        assert entries(simulator) == 1
        assert connect(simulator, "1234") is None  # open now: nothing entered again
        assert entries(simulator) == 1


def test_without_a_pin_the_sim_says_it_wants_one_and_no_try_is_spent(tmp_path: Path) -> None:
    with ModemSimulator(tmp_path / "ttyUSB0", pin="1234") as simulator:
        sim = connect(simulator, None)
        assert sim is not None
        assert (sim.state, sim.attempts_left, sim.code, sim.refused_pin) == (
            SIM_PIN_NEEDED, 3, "SIM PIN", False)
        assert entries(simulator) == 0


@pytest.mark.parametrize("pin_retries", ["+CPINR", "^CPIN", "+QPINC", None])
def test_a_wrong_pin_is_entered_once_and_the_tries_left_are_told(
        tmp_path: Path, pin_retries: str | None) -> None:
    with ModemSimulator(tmp_path / "ttyUSB0", pin="1234", pin_retries=pin_retries) as simulator:
        sim = connect(simulator, "0000")
        assert sim is not None
        assert (sim.state, sim.refused_pin) == (SIM_PIN_REFUSED, True)
        assert sim.attempts_left == (None if pin_retries is None else 2)
        assert entries(simulator) == 1
        assert simulator.status()["pin_attempts_left"] == 2


def test_a_wrong_pin_on_the_last_try_leaves_a_sim_that_wants_its_puk(tmp_path: Path) -> None:
    with ModemSimulator(tmp_path / "ttyUSB0", pin="1234", pin_attempts_left=1) as simulator:
        sim = connect(simulator, "0000")
        assert sim is not None
        assert (sim.state, sim.attempts_left, sim.refused_pin) == (SIM_PUK_NEEDED, 10, True)


def test_a_pin_is_never_entered_into_a_sim_that_wants_its_puk(tmp_path: Path) -> None:
    with ModemSimulator(tmp_path / "ttyUSB0", pin="1234", pin_attempts_left=0,
                        pin_retries="^CPIN") as simulator:
        sim = connect(simulator, "1234")
        assert sim is not None
        assert (sim.state, sim.attempts_left, sim.refused_pin) == (SIM_PUK_NEEDED, 10, False)
        assert entries(simulator) == 0
        assert simulator.status()["puk_attempts_left"] == 10


def test_a_modem_without_a_sim(tmp_path: Path) -> None:
    with ModemSimulator(tmp_path / "ttyUSB0", sim_inserted=False) as simulator:
        sim = connect(simulator, "1234")
        assert sim is not None
        assert (sim.state, sim.attempts_left) == (SIM_MISSING, None)
        assert entries(simulator) == 0


def test_a_blocked_sim(tmp_path: Path) -> None:
    with ModemSimulator(tmp_path / "ttyUSB0", pin="1234", pin_attempts_left=0) as simulator:
        for _ in range(10):
            simulator.responder.feed(b'AT+CPIN="00000000","4321"\r')
        sim = connect(simulator, "1234")
        assert sim is not None and sim.state == SIM_BLOCKED


@pytest.mark.parametrize("pin", ['1234"', '12",0', "12\r34", "١٢٣٤"])
def test_only_digits_ever_reach_the_at_command(tmp_path: Path, pin: str) -> None:
    with ModemSimulator(tmp_path / "ttyUSB0", pin="1234") as simulator:
        with pytest.raises(ValueError):
            connect(simulator, pin)
        assert entries(simulator) == 0
