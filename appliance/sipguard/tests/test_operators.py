"""The operator's networks from the trunk's settings, and the guard following a change of
them: names resolved (a DNS failure keeps the last answer), a new operator address unblocked."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from pathlib import Path

import pytest

from paivystys.appliance.db.database import open_database
from paivystys.appliance.sipguard.firewall import Address, Block, Network
from paivystys.appliance.sipguard.guard import Guard, Offence, Policy
from paivystys.appliance.sipguard.operators import OperatorNetworks
from paivystys.appliance.sipguard.service import TrunkFollower
from paivystys.appliance.trunk import set_trunk


class Resolver:
    def __init__(self) -> None:
        self.answers: dict[str, list[str]] = {}

    def __call__(self, name: str) -> list[str]:
        return self.answers.get(name, [])


def test_addresses_networks_and_names_become_networks() -> None:
    resolver = Resolver()
    resolver.answers["sip.operaattori.fi"] = ["192.0.2.10", "2001:db8::10"]
    networks = OperatorNetworks(resolver).networks(
        ["192.0.2.10", "198.51.100.0/24", "sip.operaattori.fi"])
    assert networks == tuple(ipaddress.ip_network(text) for text in (
        "192.0.2.10/32", "198.51.100.0/24", "2001:db8::10/128"))


def test_a_name_that_stops_resolving_keeps_its_last_answer(
        caplog: pytest.LogCaptureFixture) -> None:
    resolver = Resolver()
    operators = OperatorNetworks(resolver)
    assert operators.networks(["sip.operaattori.fi"]) == ()
    assert "does not resolve" in caplog.text
    resolver.answers["sip.operaattori.fi"] = ["192.0.2.10"]
    assert operators.networks(["sip.operaattori.fi"]) == (ipaddress.ip_network("192.0.2.10"),)
    resolver.answers.clear()
    assert operators.networks(["sip.operaattori.fi"]) == (ipaddress.ip_network("192.0.2.10"),)


class FakeFirewall:
    def __init__(self) -> None:
        self.operators: tuple[Network, ...] = ()
        self.blocks: dict[Address, int] = {}

    def set_operators(self, networks: tuple[Network, ...]) -> None:
        self.operators = tuple(networks)

    def block(self, address: Address, seconds: int) -> None:
        self.blocks[address] = seconds

    def unblock(self, address: Address) -> bool:
        return self.blocks.pop(address, None) is not None

    def blocked(self) -> list[Block]:
        return [Block(address, seconds) for address, seconds in self.blocks.items()]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[None]:
    db = open_database(tmp_path / "paivystys.db")
    yield
    db.close()


@pytest.mark.usefixtures("database")
def test_a_changed_trunk_reaches_the_firewall_and_lifts_a_block_on_the_operator() -> None:
    firewall = FakeFirewall()
    guard = Guard(firewall.block, Policy(threshold=1))
    follower = TrunkFollower(firewall, guard, OperatorNetworks(Resolver()))  # type: ignore
    follower.apply(follower.current())
    # without a trunk: the lab's carrier
    assert firewall.operators == (ipaddress.ip_network("127.0.0.1/32"),)
    newcomer = ipaddress.ip_address("198.51.100.7")
    guard.offence(Offence("InvalidAccountID", newcomer, "trunk"))
    assert newcomer in firewall.blocks

    set_trunk("ip", "192.0.2.10", operator_addresses=["198.51.100.0/24"])
    follower.apply(follower.current())

    assert firewall.operators == (ipaddress.ip_network("192.0.2.10/32"),
                                  ipaddress.ip_network("198.51.100.0/24"))
    assert newcomer not in firewall.blocks
    assert guard.is_operator(newcomer)
    assert guard.offence(Offence("InvalidAccountID", newcomer, "trunk")) is None
