"""The address the box tells consoles (its log, the set-up notice): the one a route to the LAN
uses, and on a LAN with no default route still one of its own, never loopback."""

from __future__ import annotations

import socket
from types import SimpleNamespace

import pytest

from paivystys.appliance.api import server


class _NoRoute(socket.socket):
    def connect(self, address: object) -> None:
        raise OSError(101, "Network is unreachable")


def _adapters(*addresses: object) -> list[SimpleNamespace]:
    return [SimpleNamespace(ips=[SimpleNamespace(ip=address) for address in addresses])]


def test_an_explicit_listen_address_is_the_address() -> None:
    assert server.advertised_host("192.168.10.5") == "192.168.10.5"


def test_without_a_default_route_an_interfaces_address_is_told(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server.socket, "socket", _NoRoute)
    monkeypatch.setattr(server.ifaddr, "get_adapters", lambda: _adapters(
        "127.0.0.1", "169.254.3.4", ("fe80::1", 0, 2), "10.0.2.15"))
    assert server.advertised_host("0.0.0.0") == "10.0.2.15"


def test_with_no_address_at_all_loopback_is_all_there_is(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server.socket, "socket", _NoRoute)
    monkeypatch.setattr(server.ifaddr, "get_adapters", lambda: _adapters("127.0.0.1"))
    assert server.advertised_host("0.0.0.0") == "127.0.0.1"


def test_this_machines_interfaces_are_read_for_real() -> None:
    # Inside the tests' network namespace only lo exists: nothing for a console.
    assert all(not address.startswith("127.") for address in server.lan_addresses())
