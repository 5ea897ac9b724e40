"""The operator's networks, as the firewall and the guard need them: the trunk's host and
operator addresses (addresses, CIDR networks, host names) turned into networks.

Asterisk resolves a name in pjsip.conf when it loads the file; the guard resolves the same
names itself.  A name that does not resolve now keeps what it resolved to before, so a
passing DNS failure never turns the operator into a stranger.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable, Iterable

from paivystys.appliance.sipguard.firewall import Network

log = logging.getLogger(__name__)

Resolver = Callable[[str], list[str]]


def resolve_name(name: str) -> list[str]:
    """Every address ``name`` has (A and AAAA); [] when it has none or DNS fails."""
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_UDP)
    except (OSError, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in infos})


class OperatorNetworks:
    """Resolves the operator's hosts; remembers each name's last good answer."""

    def __init__(self, resolve: Resolver = resolve_name) -> None:
        self._resolve = resolve
        self._known: dict[str, list[Network]] = {}

    def networks(self, hosts: Iterable[str]) -> tuple[Network, ...]:
        result: list[Network] = []
        for host in hosts:
            try:
                result.append(ipaddress.ip_network(host, strict=False))
                continue
            except ValueError:
                pass
            addresses = self._resolve(host)
            if addresses:
                self._known[host] = [ipaddress.ip_network(address) for address in addresses]
            elif host in self._known:
                log.warning("operator host %s does not resolve now; still using %s", host,
                            ", ".join(map(str, self._known[host])))
            else:
                log.error("operator host %s does not resolve: the guard cannot tell its "
                          "requests from a stranger's", host)
            result.extend(self._known.get(host, []))
        return tuple(dict.fromkeys(result))
