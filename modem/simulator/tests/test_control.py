"""The control socket, driven from another thread as the lab CLI drives it from a process."""

from __future__ import annotations

import json
import socket
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from paivystys.modem.simulator import (
    ControlServer,
    ModemSimulator,
    SimulatorControl,
    SimulatorControlError,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore", SyntaxWarning)
    from gsmmodem.modem import GsmModem


@pytest.fixture
def control(simulator: ModemSimulator, tmp_path: Path) -> Iterator[SimulatorControl]:
    with ControlServer(simulator, tmp_path / "control.sock") as server:
        yield SimulatorControl(server.socket_path)


def in_another_thread(call: Callable[..., Any], *arguments: Any, **keywords: Any) -> Any:
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call, *arguments, **keywords).result(timeout=5)


def test_each_command_reaches_the_simulator(simulator: ModemSimulator,
                                            control: SimulatorControl) -> None:
    assert in_another_thread(control.incoming, "+358401234567", "ON") == [1]
    assert simulator.responder.stored()[1].stat == 0

    in_another_thread(control.fail_next, 2, 330)
    in_another_thread(control.network, False)
    in_another_thread(control.silent, 30)
    status = in_another_thread(control.status)
    assert (status["fail_next"], status["registered"], status["silent"]) == (2, False, True)
    assert status["link"] == str(simulator.link_path)

    in_another_thread(control.wake)
    in_another_thread(control.network, True)
    in_another_thread(control.set, delivery_delay=0.5, cms_error_rate=0.25, rssi=10)
    in_another_thread(control.stall, 1.0)
    status = in_another_thread(control.status)
    assert (status["silent"], status["registered"]) == (False, True)
    assert (simulator.delivery_delay, simulator.cms_error_rate, simulator.rssi) == (0.5, 0.25, 10)

    in_another_thread(control.set, delivery_delay=None)
    assert simulator.delivery_delay is None


def test_sent_returns_what_went_out(modem: GsmModem, control: SimulatorControl) -> None:
    modem.sendSms("+358401234567", "Hälytys kuitattu")

    [message] = in_another_thread(control.sent)
    assert (message.recipient, message.text, message.complete) == (
        "+358401234567", "Hälytys kuitattu", True)


@pytest.mark.parametrize(("cmd", "fields", "error"), [
    ("nope", {}, "unknown command 'nope'; known: fail_next, incoming,"),
    ("incoming", {"text": "x"}, "incoming: 'from' must be a non-empty string"),
    ("incoming", {"from": "+358401234567"}, "incoming: 'text' must be a string"),
    ("incoming", {"from": "Operaattori Oyj", "text": "x"}, "incoming: sender 'Operaattori Oyj'"),
    ("silent", {"seconds": -1}, "silent: 'seconds' must be a number >= 0 or null"),
    ("fail_next", {"count": -1}, "fail_next: 'count' must be an integer >= 0"),
    ("fail_next", {"count": 1, "code": 600}, "fail_next: 'code' must be an integer 0..511"),
    ("network", {"registered": "no"}, "network: 'registered' must be true or false"),
    ("stall", {}, "stall: 'seconds' must be a number >= 0"),
    ("set", {}, "set: give at least one of"),
    ("set", {"cms_error_rate": 0.5, "rssi": 50}, "set: 'rssi' must be 0..31 or 99"),
    ("set", {"rssi": 5, "cms_error_rate": 2}, "set: 'cms_error_rate' must be a number >= 0 and"),
])
def test_bad_requests_are_refused_by_name(simulator: ModemSimulator, control: SimulatorControl,
                                          cmd: str, fields: dict[str, Any], error: str) -> None:
    with pytest.raises(SimulatorControlError) as refused:
        control.request(cmd, **fields)
    assert str(refused.value).startswith(error)
    assert (simulator.rssi, simulator.cms_error_rate) == (21, 0.0)  # a refused "set": no change


def test_one_connection_carries_several_requests_and_survives_garbage(
        control: SimulatorControl) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        connection.settimeout(5)
        connection.connect(str(control.socket_path))
        connection.sendall(b'not json\n["cmd"]\n{"cmd": "wake"}\n')
        with connection.makefile("rb") as lines:
            answers = [json.loads(lines.readline()) for _ in range(3)]
    assert answers[0]["ok"] is False and answers[0]["error"].startswith("request is not JSON")
    assert answers[1] == {"ok": False, "error": "request must be a JSON object"}
    assert answers[2] == {"ok": True}


def test_stopping_removes_the_socket(simulator: ModemSimulator, tmp_path: Path) -> None:
    path = tmp_path / "control.sock"
    path.write_text("left over from a killed run")
    with ControlServer(simulator, path):
        assert path.is_socket()
    assert not path.exists()
