"""The box's network setting: DHCP, or a static IPv4 address with its gateway and DNS servers.

Every value is parsed with :mod:`ipaddress` and checked as a LAN's address plan must be: the
box's address is a host of its network (not the network's own address, not its broadcast, not
loopback, link-local, multicast or reserved), the gateway is another host of the same network,
and one or two DNS servers are addresses a resolver can ask.  A refusal names its field
(``address``, ``gateway``, ``dns``).  What is stored, handed to the root applier and written
into systemd-networkd's file is the parsed value, never the text as typed.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from paivystys.appliance.errors import Invalid

MODE_DHCP = "dhcp"
MODE_STATIC = "static"
MODES = (MODE_DHCP, MODE_STATIC)
# The narrowest network worth an address plan with a gateway (/30: two hosts) and the widest
# a LAN is (/8).
MIN_PREFIX, MAX_PREFIX = 8, 30
MAX_DNS = 2
# Longer than any spelling of an IPv4 address with a prefix or netmask.
MAX_TEXT = 40
EXAMPLE = "e.g. 192.168.1.50/24"


@dataclass(frozen=True)
class NetworkSetting:
    """DHCP (``address`` and ``gateway`` None, no ``dns``) or a static address."""

    mode: str
    address: ipaddress.IPv4Interface | None = None
    gateway: ipaddress.IPv4Address | None = None
    dns: tuple[ipaddress.IPv4Address, ...] = ()

    @property
    def is_static(self) -> bool:
        return self.mode == MODE_STATIC

    def to_json(self) -> dict[str, Any]:
        if not self.is_static:
            return {"mode": MODE_DHCP}
        return {"mode": MODE_STATIC, "address": str(self.address),
                "gateway": str(self.gateway), "dns": [str(server) for server in self.dns]}

    def describe(self) -> str:
        """In one line, for people: "DHCP" or "192.168.1.50/24, gateway 192.168.1.1, DNS ..."."""
        if not self.is_static:
            return "DHCP"
        servers = ", ".join(str(server) for server in self.dns)
        return f"{self.address}, gateway {self.gateway}, DNS {servers}"


DHCP = NetworkSetting(MODE_DHCP)


def _shown(value: str) -> str:
    """A typed value, quoted and cut short, fit for an error message."""
    return repr(value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "…")


def _text(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise Invalid(field, f"{field}: must be text, an IPv4 address")
    if len(value) > MAX_TEXT or not value.isascii() or not value.isprintable():
        raise Invalid(field, f"{field}: {_shown(value)} is not an IPv4 address")
    return value


def _why_not_a_host(address: ipaddress.IPv4Address) -> str | None:
    """Why ``address`` cannot be a host's on a LAN, or None when it can."""
    if address.is_unspecified or address in ipaddress.IPv4Network("0.0.0.0/8"):
        return "is not an address of any host"
    if address.is_loopback:
        return "is a loopback address, the machine's own and nobody else's"
    if address.is_link_local:
        return "is a link-local address (169.254.x.x), which hosts pick for themselves"
    if address.is_multicast:
        return "is a multicast address"
    if address.is_reserved:  # 240.0.0.0/4 and the limited broadcast
        return "is reserved, not usable by hosts"
    return None


def _ipv4(field: str, value: object) -> ipaddress.IPv4Address:
    text = _text(field, value)
    try:
        parsed = ipaddress.ip_address(text)
    except ValueError:
        raise Invalid(field, f"{field}: {_shown(text)} is not an IPv4 address "
                             "(four numbers 0-255 with dots, e.g. 192.168.1.1)") from None
    if not isinstance(parsed, ipaddress.IPv4Address):
        raise Invalid(field, f"{field}: {text} is IPv6; only IPv4 is set here")
    return parsed


def check_address(value: object) -> ipaddress.IPv4Interface:
    """The box's address with its network's prefix (``192.168.1.50/24``; a netmask,
    ``/255.255.255.0``, is read as the same)."""
    text = _text("address", value)
    if "/" not in text:
        raise Invalid("address", f"address: give the prefix length of the network too, "
                                 f"{EXAMPLE} (/24 is the netmask 255.255.255.0)")
    try:
        parsed = ipaddress.ip_interface(text)
    except ValueError:
        raise Invalid("address", f"address: {_shown(text)} is not an IPv4 address with a "
                                 f"prefix length, {EXAMPLE}") from None
    if not isinstance(parsed, ipaddress.IPv4Interface):
        raise Invalid("address", f"address: {text} is IPv6; only IPv4 is set here")
    if not MIN_PREFIX <= parsed.network.prefixlen <= MAX_PREFIX:
        raise Invalid("address", f"address: the prefix length must be {MIN_PREFIX} to "
                                 f"{MAX_PREFIX}, got /{parsed.network.prefixlen} (an office "
                                 "network is usually /24)")
    host, network = parsed.ip, parsed.network
    why = _why_not_a_host(host)
    if why is not None:
        raise Invalid("address", f"address: {host} {why}")
    if host == network.network_address:
        raise Invalid("address", f"address: {host} is the network {network}'s own address, "
                                 "not a host's")
    if host == network.broadcast_address:
        raise Invalid("address", f"address: {host} is the broadcast address of {network}, "
                                 "not a host's")
    return parsed


def check_gateway(value: object, address: ipaddress.IPv4Interface) -> ipaddress.IPv4Address:
    """The router on the box's own network, through which everything else is reached."""
    gateway = _ipv4("gateway", value)
    network = address.network
    if gateway not in network:
        raise Invalid("gateway", f"gateway: {gateway} is outside the box's network {network}; "
                                 "the gateway must be on the same network (check the address's "
                                 "prefix length)")
    if gateway in (network.network_address, network.broadcast_address):
        raise Invalid("gateway", f"gateway: {gateway} is the network {network}'s own or "
                                 "broadcast address, not a router's")
    if gateway == address.ip:
        raise Invalid("gateway", f"gateway: {gateway} is the box's own address; give the "
                                 "router's")
    return gateway


def check_dns(value: object, address: ipaddress.IPv4Interface) -> tuple[ipaddress.IPv4Address,
                                                                          ...]:
    """One or two DNS servers (often the router itself)."""
    if not isinstance(value, list | tuple) or not 1 <= len(value) <= MAX_DNS:
        raise Invalid("dns", "dns: give one or two DNS servers' addresses (often the "
                             "gateway's)")
    servers: list[ipaddress.IPv4Address] = []
    for item in value:
        server = _ipv4("dns", item)
        why = _why_not_a_host(server)
        if why is not None:
            raise Invalid("dns", f"dns: {server} {why}")
        network = address.network
        if server in (network.network_address, network.broadcast_address):
            raise Invalid("dns", f"dns: {server} is the network {network}'s own or broadcast "
                                 "address, not a server's")
        if server == address.ip:
            raise Invalid("dns", f"dns: {server} is the box's own address, and the box runs no "
                                 "DNS server for itself")
        if server in servers:
            raise Invalid("dns", f"dns: {server} is given twice")
        servers.append(server)
    return tuple(servers)


def static_setting(address: object, gateway: object, dns: object) -> NetworkSetting:
    """A static setting from typed values; Invalid naming the first field refused."""
    interface = check_address(address)
    return NetworkSetting(MODE_STATIC, interface, check_gateway(gateway, interface),
                          check_dns(dns, interface))


def setting_from_json(data: object) -> NetworkSetting:
    """The setting a JSON document holds (as :meth:`NetworkSetting.to_json` wrote it), checked
    again as if typed: it may have been written by a less trusted process than its reader."""
    if not isinstance(data, dict):
        raise Invalid("mode", "mode: the network setting must be an object")
    mode = data.get("mode")
    if mode == MODE_DHCP:
        if set(data) != {"mode"}:
            raise Invalid("mode", "mode: DHCP takes no address, gateway or DNS servers")
        return DHCP
    if mode == MODE_STATIC:
        unknown = set(data) - {"mode", "address", "gateway", "dns"}
        if unknown:
            raise Invalid("mode", f"mode: unknown fields {sorted(unknown)}")
        return static_setting(data.get("address"), data.get("gateway"), data.get("dns"))
    raise Invalid("mode", f"mode: must be one of {', '.join(MODES)}")
