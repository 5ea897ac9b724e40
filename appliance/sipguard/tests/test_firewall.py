"""The nftables table: what it says, and (as root in a private network namespace, as
scripts/test runs) what the kernel does with it: INVITE floods limited per source, the
operator's own rate, blocks that drop and expire, blocks kept across a reinstall."""

from __future__ import annotations

import ipaddress
import os
import socket
import time
from collections.abc import Iterator

import pytest

from paivystys.appliance.sipguard.firewall import (
    COUNTER_BLOCKED,
    COUNTER_OPERATOR_INVITES,
    COUNTER_STRANGER_INVITES,
    COUNTER_STRANGER_PACKETS,
    Block,
    Firewall,
    Limits,
    Rate,
    render_table,
)

OPERATOR = ipaddress.ip_network("192.0.2.0/24")


def test_the_table_replaces_itself_and_guards_only_the_sip_ports() -> None:
    text = render_table([5060, 5060], Limits(), [OPERATOR, ipaddress.ip_network("2001:db8::/32")],
                        [Block(ipaddress.ip_address("203.0.113.7"), 42.7)])
    lines = text.splitlines()
    # Creating, deleting and defining in one transaction: atomic, whether it existed or not.
    assert lines[:3] == ["table inet paivystys_sip", "delete table inet paivystys_sip",
                         "table inet paivystys_sip {"]
    assert "meta l4proto { udp, tcp } th dport { 5060 } jump sip" in text
    assert "policy accept" in text  # nothing but the SIP port is touched
    assert "elements = { 192.0.2.0/24 }" in text
    assert "elements = { 2001:db8::/32 }" in text
    assert "elements = { 203.0.113.7 timeout 42s }" in text
    # the operator's networks are looked at before the blocks
    assert text.index("@operators4 jump operator") < text.index("@blocked4")


def test_limits_are_written_as_given() -> None:
    text = render_table([5060], Limits(stranger_invites=Rate(3, 6), operator_invites=Rate(9, 18)))
    assert "limit rate over 3/second burst 6 packets" in text
    assert "limit rate over 9/second burst 18 packets" in text
    # "INVITE " with its space at the start of the UDP payload
    assert "@ih,0,56 0x494e5649544520" in text


@pytest.mark.parametrize("ports", [[], [0], [65536]])
def test_no_usable_port_is_refused(ports: list[int]) -> None:
    with pytest.raises(ValueError):
        render_table(ports)


@pytest.mark.parametrize(("per_second", "burst"), [(0, 1), (5, 4), (-1, 3)])
def test_a_rate_that_makes_no_sense_is_refused(per_second: int, burst: int) -> None:
    with pytest.raises(ValueError):
        Rate(per_second, burst)


# --- in the kernel -----------------------------------------------------------------------------

PORT = 5399  # not a port anything of the lab listens on


@pytest.fixture
def firewall() -> Iterator[Firewall]:
    if os.geteuid() != 0 or os.environ.get("PAIVYSTYS_NETNS") != "current":
        pytest.skip("needs root inside scripts/test's private network namespace")
    firewall = Firewall([PORT], Limits(stranger_invites=Rate(5, 10),
                                       operator_invites=Rate(20, 40)))
    firewall.install([ipaddress.ip_network("127.0.0.1/32")])
    yield firewall
    firewall.remove()


def invite() -> bytes:
    return b"INVITE sip:x@127.0.0.1 SIP/2.0\r\nCall-ID: x\r\n\r\n"


def sent_and_received(source: str, count: int, payload: bytes) -> int:
    """``count`` datagrams from ``source`` to the guarded port, sent at once; how many
    arrive."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
        server.bind(("127.0.0.1", PORT))
        server.settimeout(0.3)
        client.bind((source, 0))
        for _ in range(count):
            client.sendto(payload, ("127.0.0.1", PORT))
        received = 0
        try:
            while True:
                server.recv(2048)
                received += 1
        except TimeoutError:
            return received


def within_burst(received: int, burst: int) -> bool:
    """The burst, plus what the rate refills if this process was kept off the CPU a moment
    while sending (2 cores shared by everything else)."""
    return burst <= received <= burst + 3


def test_an_invite_flood_from_one_stranger_is_cut_to_its_burst(firewall: Firewall) -> None:
    received = sent_and_received("127.0.0.7", 300, invite())
    assert within_burst(received, 10)
    assert firewall.counters()[COUNTER_STRANGER_INVITES] == 300 - received
    # another stranger has a budget of its own
    assert sent_and_received("127.0.0.8", 5, invite()) == 5


def test_a_stranger_cannot_dodge_the_invite_limit_with_another_start(
        firewall: Firewall) -> None:
    # a leading CRLF is not "INVITE ": the packet limit catches it
    received = sent_and_received("127.0.0.9", 300, b"\r\n" + invite())
    assert within_burst(received, 40)
    assert firewall.counters()[COUNTER_STRANGER_PACKETS] == 300 - received


def test_the_operator_has_its_own_rate(firewall: Firewall) -> None:
    received = sent_and_received("127.0.0.1", 300, invite())
    assert within_burst(received, 40)
    assert firewall.counters()[COUNTER_OPERATOR_INVITES] == 300 - received
    assert sent_and_received("127.0.0.1", 100, b"OPTIONS sip:x SIP/2.0\r\n\r\n") == 100


def test_a_block_drops_everything_and_expires(firewall: Firewall) -> None:
    address = ipaddress.ip_address("127.0.0.10")
    firewall.block(address, 2)
    assert sent_and_received("127.0.0.10", 3, b"OPTIONS") == 0
    assert firewall.counters()[COUNTER_BLOCKED] == 3
    assert [block.address for block in firewall.blocked()] == [address]
    # kept, with the time it has left, when the table is put in place again
    carried = firewall.install([ipaddress.ip_network("127.0.0.1/32")])
    assert [block.address for block in carried] == [address]
    assert sent_and_received("127.0.0.10", 1, b"OPTIONS") == 0
    time.sleep(2.5)
    assert firewall.blocked() == []
    assert sent_and_received("127.0.0.10", 3, b"OPTIONS") == 3


def test_the_operator_passes_even_if_it_were_in_the_blocked_set(firewall: Firewall) -> None:
    firewall.block(ipaddress.ip_address("127.0.0.1"), 30)
    assert sent_and_received("127.0.0.1", 3, b"OPTIONS") == 3
    assert firewall.unblock(ipaddress.ip_address("127.0.0.1")) is True
    assert firewall.unblock(ipaddress.ip_address("127.0.0.1")) is False
