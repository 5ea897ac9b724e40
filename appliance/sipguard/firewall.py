"""The appliance's nftables table in front of its SIP port: rate limits and blocked sources.

Asterisk has no per-source limit of its own; the kernel's is cheap and works before Asterisk
spends anything on a packet.  The table (``inet paivystys_sip``, its own, so that it composes
with whatever else the host's firewall holds) only ever drops traffic to the appliance's SIP
port, and only:

* from a *blocked* source (a timed set: the kernel forgets a block when its time is up, even
  if nothing of ours runs any more), unless it is one of the operator's addresses;
* INVITEs (UDP datagrams that start ``INVITE ``) beyond a per-source rate: a low one for
  strangers, a generous one for the operator's own addresses;
* anything else from a stranger beyond a per-source packet rate (UDP) or connection rate
  (TCP): a stranger has no business on the SIP port at all, and a request prefixed with
  something that is not ``INVITE `` must not slip past the INVITE limit unlimited.

Dropped packets are counted in named counters, so the limits can be measured (``nft list
counters table inet paivystys_sip``).  Everything goes through the ``nft`` command: one
atomic transaction per change.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass

log = logging.getLogger(__name__)

TABLE = "paivystys_sip"
FAMILY = "inet"
# Before the usual filter chains (priority 0), so that a flood is dropped as early as possible.
CHAIN_PRIORITY = -10
NFT_TIMEOUT_S = 10.0
# Per address family; the kernel refuses more (the guard then logs each refused block).
MAX_BLOCKED = 65_536

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# The named counters, one per reason a packet is dropped.
COUNTER_BLOCKED = "blocked_dropped"
COUNTER_STRANGER_INVITES = "stranger_invites_limited"
COUNTER_STRANGER_PACKETS = "stranger_packets_limited"
COUNTER_STRANGER_CONNECTIONS = "stranger_connections_limited"
COUNTER_OPERATOR_INVITES = "operator_invites_limited"
COUNTERS = (COUNTER_BLOCKED, COUNTER_STRANGER_INVITES, COUNTER_STRANGER_PACKETS,
            COUNTER_STRANGER_CONNECTIONS, COUNTER_OPERATOR_INVITES)

# "INVITE " (with its space: "INVITEX" is no INVITE) at the start of a UDP payload.
_INVITE = "@ih,0,56 0x494e5649544520"


class FirewallError(RuntimeError):
    """nft refused a change or could not be run; the message says what it printed."""


@dataclass(frozen=True)
class Rate:
    """A per-source limit: ``per_second`` on average, ``burst`` at once."""

    per_second: int
    burst: int

    def __post_init__(self) -> None:
        if not 0 < self.per_second <= self.burst:
            raise ValueError(f"a rate needs 0 < per_second <= burst, got {self}")

    def nft(self, unit: str) -> str:
        return f"limit rate over {self.per_second}/second burst {self.burst} {unit}"


@dataclass(frozen=True)
class Limits:
    """What one source may send to the SIP port.

    An operator's call costs one INVITE, two when it authenticates, a few more when UDP
    retransmits; an INVITE over the limit is dropped and retransmitted by the sender (after
    0.5, 1, 2... s), so a burst beyond it is delayed, not lost.
    """

    operator_invites: Rate = Rate(20, 40)
    stranger_invites: Rate = Rate(5, 10)
    stranger_packets: Rate = Rate(20, 40)
    stranger_connections: Rate = Rate(5, 10)


@dataclass(frozen=True)
class Block:
    """One blocked source and the seconds left of its block."""

    address: Address
    seconds_left: float


def render_table(ports: Iterable[int], limits: Limits = Limits(),
                 operators: Iterable[Network] = (), blocked: Iterable[Block] = ()) -> str:
    """The whole table as one ``nft -f`` script that replaces any earlier version of it
    atomically: the operator's networks in it from the first packet on, and ``blocked``
    carried over with the time they have left."""
    port_list = sorted(set(ports))
    if not port_list or not all(0 < port < 65536 for port in port_list):
        raise ValueError(f"SIP ports must be 1..65535, got {port_list}")
    dports = "{ " + ", ".join(str(port) for port in port_list) + " }"
    carried: dict[int, list[str]] = {4: [], 6: []}
    for block in blocked:
        seconds = max(1, int(block.seconds_left))
        carried[block.address.version].append(f"{block.address} timeout {seconds}s")
    operator_elements: dict[int, list[str]] = {4: [], 6: []}
    for network in operators:
        operator_elements[network.version].append(str(network))
    lines = [
        f"table {FAMILY} {TABLE}",
        f"delete table {FAMILY} {TABLE}",
        f"table {FAMILY} {TABLE} {{",
        *(f"    counter {name} {{ }}" for name in COUNTERS),
    ]
    for version, kind in ((4, "ipv4_addr"), (6, "ipv6_addr")):
        lines += [
            f"    set operators{version} {{ type {kind}; flags interval;"
            f"{_elements(operator_elements[version])} }}",
            f"    set blocked{version} {{ type {kind}; size {MAX_BLOCKED}; flags timeout;"
            f"{_elements(carried[version])} }}",
            # Rate state per source; a source quiet for a minute is forgotten.
            *(f"    set {meter}{version} {{ type {kind}; size 65536; flags dynamic,timeout; "
              "timeout 1m; }"
              for meter in ("operator_invites", "stranger_invites", "stranger_packets",
                            "stranger_connections")),
        ]
    lines += [
        "    chain input {",
        f"        type filter hook input priority {CHAIN_PRIORITY}; policy accept;",
        f"        meta l4proto {{ udp, tcp }} th dport {dports} jump sip",
        "    }",
        "    chain sip {",
        "        ip saddr @operators4 jump operator",
        "        ip6 saddr @operators6 jump operator",
        f"        ip saddr @blocked4 counter name {COUNTER_BLOCKED} drop",
        f"        ip6 saddr @blocked6 counter name {COUNTER_BLOCKED} drop",
        *_limited("stranger_invites", f"meta l4proto udp {_INVITE}",
                  limits.stranger_invites.nft("packets"), COUNTER_STRANGER_INVITES),
        *_limited("stranger_packets", "meta l4proto udp",
                  limits.stranger_packets.nft("packets"), COUNTER_STRANGER_PACKETS),
        *_limited("stranger_connections", "tcp flags & (syn | ack) == syn",
                  limits.stranger_connections.nft("packets"), COUNTER_STRANGER_CONNECTIONS),
        "    }",
        "    chain operator {",
        *_limited("operator_invites", f"meta l4proto udp {_INVITE}",
                  limits.operator_invites.nft("packets"), COUNTER_OPERATOR_INVITES),
        "        accept",
        "    }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def _elements(items: list[str]) -> str:
    return f" elements = {{ {', '.join(items)} }};" if items else ""


def _limited(meter: str, match: str, limit: str, counter: str) -> list[str]:
    return [f"        {match} update @{meter}{version} {{ {field} saddr {limit} }} "
            f"counter name {counter} drop"
            for version, field in ((4, "ip"), (6, "ip6"))]


class Firewall:
    """The table on this host (or in the network namespace the process runs in)."""

    def __init__(self, ports: Iterable[int], limits: Limits = Limits(),
                 nft: str = "nft") -> None:
        self.ports = tuple(ports)
        self.limits = limits
        self._nft = nft

    def install(self, operators: Iterable[Network] = ()) -> list[Block]:
        """Put the table in place (replacing an earlier version) with the operator's
        networks; blocks still running are kept, and returned."""
        blocks = self.blocked() if self._table_exists() else []
        self._run(["-f", "-"], render_table(self.ports, self.limits, operators, blocks))
        log.info("nftables table %s %s installed for SIP port(s) %s", FAMILY, TABLE,
                 ", ".join(map(str, self.ports)))
        return blocks

    def remove(self) -> None:
        if self._table_exists():
            self._run(["delete", "table", FAMILY, TABLE])

    def set_operators(self, networks: Iterable[Network]) -> None:
        """Replace the operator's networks (never blocked, their own INVITE rate)."""
        by_version: dict[int, list[str]] = {4: [], 6: []}
        for network in networks:
            by_version[network.version].append(str(network))
        script = []
        for version, items in by_version.items():
            script.append(f"flush set {FAMILY} {TABLE} operators{version}")
            if items:
                script.append(f"add element {FAMILY} {TABLE} operators{version} "
                              f"{{ {', '.join(items)} }}")
        self._run(["-f", "-"], "\n".join(script) + "\n")

    def block(self, address: Address, seconds: int) -> None:
        self._run(["add", "element", FAMILY, TABLE, f"blocked{address.version}",
                   f"{{ {address} timeout {int(seconds)}s }}"])

    def unblock(self, address: Address) -> bool:
        """Lift a block early; False when the address was not blocked."""
        if address not in {block.address for block in self.blocked()}:
            return False
        self._run(["delete", "element", FAMILY, TABLE, f"blocked{address.version}",
                   f"{{ {address} }}"])
        return True

    def blocked(self) -> list[Block]:
        blocks = []
        for version in (4, 6):
            document = json.loads(self._run(["-j", "list", "set", FAMILY, TABLE,
                                             f"blocked{version}"]))
            for item in document.get("nftables", []):
                for element in item.get("set", {}).get("elem", []):
                    blocks.append(_block(element))
        return blocks

    def counters(self) -> dict[str, int]:
        """Packets dropped so far, by counter name."""
        document = json.loads(self._run(["-j", "list", "counters", "table", FAMILY, TABLE]))
        return {item["counter"]["name"]: int(item["counter"]["packets"])
                for item in document.get("nftables", []) if "counter" in item}

    def _table_exists(self) -> bool:
        try:
            self._run(["list", "table", FAMILY, TABLE])
        except FirewallError:
            return False
        return True

    def _run(self, args: list[str], script: str | None = None) -> str:
        if shutil.which(self._nft) is None:
            raise FirewallError(f"'{self._nft}' is not installed: the SIP guard needs nftables "
                                "(Debian package nftables)")
        try:
            result = subprocess.run([self._nft, *args], input=script, capture_output=True,
                                    text=True, timeout=NFT_TIMEOUT_S)
        except subprocess.TimeoutExpired as exc:
            raise FirewallError(f"nft {' '.join(args)} did not finish in {NFT_TIMEOUT_S:.0f} s"
                                ) from exc
        if result.returncode != 0:
            raise FirewallError(f"nft {' '.join(args)} failed (exit {result.returncode}): "
                                f"{result.stderr.strip() or result.stdout.strip()}")
        return result.stdout


def _block(element: object) -> Block:
    """One element of a timed set as ``nft -j`` shows it: a bare address, or
    ``{"elem": {"val": ADDRESS, "timeout": S, "expires": S}}``."""
    if isinstance(element, dict) and "elem" in element:
        value = element["elem"]
        return Block(ipaddress.ip_address(value["val"]), float(value.get("expires", 0)))
    return Block(ipaddress.ip_address(str(element)), 0.0)
