"""The network setting's values: what a LAN's address plan allows, and hostile input refused
naming its field, whatever it holds."""

from __future__ import annotations

import ipaddress

import pytest

from paivystys.appliance.errors import Invalid
from paivystys.appliance.network.setting import (
    DHCP,
    NetworkSetting,
    setting_from_json,
    static_setting,
)

GOOD = ("192.168.1.50/24", "192.168.1.1", ["192.168.1.1", "9.9.9.9"])


def refused(field: str, address: object = GOOD[0], gateway: object = GOOD[1],
            dns: object = GOOD[2]) -> str:
    with pytest.raises(Invalid) as caught:
        static_setting(address, gateway, dns)
    assert caught.value.field == field, caught.value.message
    assert caught.value.message.startswith(f"{field}: ")
    return caught.value.message


def test_a_static_setting_is_parsed_into_addresses() -> None:
    setting = static_setting(*GOOD)
    assert setting == NetworkSetting("static", ipaddress.IPv4Interface("192.168.1.50/24"),
                                     ipaddress.IPv4Address("192.168.1.1"),
                                     (ipaddress.IPv4Address("192.168.1.1"),
                                      ipaddress.IPv4Address("9.9.9.9")))
    assert setting.describe() == "192.168.1.50/24, gateway 192.168.1.1, DNS 192.168.1.1, 9.9.9.9"
    assert setting_from_json(setting.to_json()) == setting
    assert DHCP.describe() == "DHCP" and setting_from_json({"mode": "dhcp"}) == DHCP


def test_a_netmask_is_read_as_its_prefix_length() -> None:
    assert str(static_setting("10.1.2.3/255.255.0.0", "10.1.0.1", ["10.1.0.1"]).address) == \
        "10.1.2.3/16"


def test_the_smallest_and_widest_networks_are_taken() -> None:
    static_setting("192.168.1.1/30", "192.168.1.2", ["192.168.1.2"])
    static_setting("10.0.0.5/8", "10.0.0.1", ["10.0.0.1"])


@pytest.mark.parametrize(("address", "says"), [
    ("192.168.1.50", "give the prefix length"),
    ("192.168.1.0/24", "the network 192.168.1.0/24's own address"),
    ("192.168.1.255/24", "broadcast address of 192.168.1.0/24"),
    ("127.0.0.2/8", "loopback"),
    ("169.254.10.10/16", "link-local"),
    ("224.0.0.5/24", "multicast"),
    ("240.1.2.3/24", "reserved"),
    ("0.1.2.3/24", "not an address of any host"),
    ("192.168.1.50/31", "the prefix length must be 8 to 30"),
    ("192.168.1.50/32", "the prefix length must be 8 to 30"),
    ("10.1.2.3/7", "the prefix length must be 8 to 30"),
    ("192.168.1.50/33", "not an IPv4 address with a prefix length"),
    ("192.168.1.50/-1", "not an IPv4 address with a prefix length"),
    ("/24", "not an IPv4 address with a prefix length"),
    ("192.168.001.050/24", "not an IPv4 address with a prefix length"),  # leading zeros
    ("192.168.1.256/24", "not an IPv4 address with a prefix length"),
    ("2001:db8::5/64", "IPv6"),
    ("192.168.1.50/24\n[Network]\nDHCP=yes", "is not an IPv4 address"),
    ("192.168.1.50/24 ", "not an IPv4 address with a prefix length"),
    ("192.168.1.50/24; reboot", "not an IPv4 address with a prefix length"),
    ("１９２.１６８.1.50/24", "is not an IPv4 address"),  # full-width digits
    ("١٩٢.168.1.50/24", "is not an IPv4 address"),  # Arabic-Indic digits
    ("192.168.1.50/24\x00", "is not an IPv4 address"),
    ("${jndi:ldap://x}/24", "not an IPv4 address with a prefix length"),
    ("9" * 10_000, "is not an IPv4 address"),
    ("", "give the prefix length"),
])
def test_a_bad_address_is_refused_saying_why(address: str, says: str) -> None:
    message = refused("address", address=address)
    assert says in message
    assert len(message) < 300  # a huge value is not repeated whole


@pytest.mark.parametrize("address", [None, 192168150, ["192.168.1.50/24"], {"a": 1}, True])
def test_an_address_that_is_not_text_is_refused(address: object) -> None:
    assert "must be text" in refused("address", address=address)


@pytest.mark.parametrize(("gateway", "says"), [
    ("10.0.0.1", "outside the box's network 192.168.1.0/24"),
    ("192.168.1.0", "own or broadcast address"),
    ("192.168.1.255", "own or broadcast address"),
    ("192.168.1.50", "the box's own address"),
    ("192.168.1.1/24", "is not an IPv4 address"),
    ("fe80::1", "IPv6"),
    ("192.168.1.1\nDNS=6.6.6.6", "is not an IPv4 address"),
    ("", "is not an IPv4 address"),
    (None, "must be text"),
    (["192.168.1.1"], "must be text"),
])
def test_a_bad_gateway_is_refused_saying_why(gateway: object, says: str) -> None:
    assert says in refused("gateway", gateway=gateway)


@pytest.mark.parametrize(("dns", "says"), [
    ([], "one or two DNS servers"),
    (["1.1.1.1", "8.8.8.8", "9.9.9.9"], "one or two DNS servers"),
    ("192.168.1.1", "one or two DNS servers"),  # a string is not a list of servers
    (None, "one or two DNS servers"),
    (["192.168.1.1", "192.168.1.1"], "given twice"),
    (["127.0.0.53"], "loopback"),
    (["0.0.0.0"], "not an address of any host"),
    (["255.255.255.255"], "reserved"),
    (["192.168.1.255"], "own or broadcast address"),
    (["192.168.1.50"], "the box's own address"),
    (["8.8.8.8 "], "is not an IPv4 address"),
    (["2001:4860:4860::8888"], "IPv6"),
    (["8.8.8.8\n[Match]"], "is not an IPv4 address"),
    ([8888], "must be text"),
])
def test_bad_dns_servers_are_refused_saying_why(dns: object, says: str) -> None:
    assert says in refused("dns", dns=dns)


@pytest.mark.parametrize("document", [
    {"mode": "static", "address": "192.168.1.50/24", "gateway": "192.168.1.1",
     "dns": ["192.168.1.1"], "interface": "eth0"},
    {"mode": "dhcp", "dns": ["1.1.1.1"]},
    {"mode": "ppp"},
    {},
    ["dhcp"],
    "dhcp",
    None,
])
def test_a_stored_or_requested_document_is_checked_as_if_typed(document: object) -> None:
    with pytest.raises(Invalid) as caught:
        setting_from_json(document)
    assert caught.value.field == "mode"
