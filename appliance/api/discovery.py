"""Finding the appliance on the LAN without typing an address: mDNS / DNS-SD (zeroconf).

The appliance advertises `_paivystys._tcp` with its API port and, in TXT, its certificate
fingerprint, version and API path; the console browses for that type.  The fingerprint in the
advertisement is a hint for first contact, never a trust decision: anyone on the LAN can
advertise anything, so the console still shows the fingerprint for a person to confirm, and a
pinned console connects only to the certificate it pinned.
"""

from __future__ import annotations

import ipaddress
import logging
import queue
import socket
import time
from dataclasses import dataclass
from importlib.metadata import version as package_version
from types import TracebackType
from typing import Any

import ifaddr
from zeroconf import (
    DNSQuestionType,
    InterfaceChoice,
    ServiceBrowser,
    ServiceInfo,
    ServiceStateChange,
    Zeroconf,
)

from paivystys.appliance.api.tls import parse_fingerprint

log = logging.getLogger(__name__)

SERVICE_TYPE = "_paivystys._tcp.local."
API_PATH = "/api"
INSTANCE_NAME_PREFIX = "Päivystysvaihde"
APPLIANCE_VERSION = package_version("paivystysvaihde")
# A DNS label, and so a service instance name, is at most 63 bytes of UTF-8.
MAX_INSTANCE_NAME_BYTES = 63


class NoAddressToAdvertise(RuntimeError):
    """The box has no LAN address yet (e.g. DHCP has not answered): nothing to advertise."""


@dataclass(frozen=True)
class FoundAppliance:
    name: str
    host: str
    addresses: tuple[str, ...]
    port: int
    fingerprint: str
    version: str
    path: str = API_PATH


def _short_host_name() -> str:
    return socket.gethostname().split(".")[0] or "localhost"


def _instance_name(name: str | None) -> str:
    text = name or f"{INSTANCE_NAME_PREFIX} {_short_host_name()}"
    return text.encode()[:MAX_INSTANCE_NAME_BYTES].decode(errors="ignore")


def lan_ipv4_addresses() -> list[str]:
    """The box's IPv4 addresses except loopback, which means nothing to another host."""
    return sorted({address.ip for adapter in ifaddr.get_adapters() for address in adapter.ips
                   if address.is_IPv4 and not ipaddress.ip_address(address.ip).is_loopback})


class Advertiser:
    """Announces this appliance's API on the LAN until closed.

    `addresses` are both what is advertised and the interfaces answered on; by default every
    non-loopback IPv4 address of the box, on every interface.  They are read once, at start:
    restart the Advertiser when the box's addresses change.
    """

    def __init__(self, port: int, fingerprint: str, name: str | None = None,
                 addresses: list[str] | None = None, version: str = APPLIANCE_VERSION) -> None:
        self.port = port
        self.fingerprint = parse_fingerprint(fingerprint)
        self.requested_name = _instance_name(name)
        self.addresses = addresses
        self.version = version
        self._zeroconf: Zeroconf | None = None
        self._info: ServiceInfo | None = None

    @property
    def host_name(self) -> str:
        """The mDNS host name the advertisement points at, unique to this certificate.

        Not the box's own host name: boxes from one image often share it ("raspberrypi"), and
        two boxes answering for one name make consoles mix up their addresses.
        """
        return f"paivystys-{self.fingerprint.replace(':', '')[:16].lower()}.local."

    @property
    def name(self) -> str:
        """The instance name as registered: zeroconf adds a number if another box has ours."""
        if self._info is None:
            return self.requested_name
        return self._info.name.removesuffix("." + SERVICE_TYPE)

    def start(self) -> None:
        """Probe for a unique name, then announce; returns once announced (about 1.6 s)."""
        addresses = self.addresses if self.addresses is not None else lan_ipv4_addresses()
        if not addresses:
            raise NoAddressToAdvertise(
                "The box has no LAN address to advertise the API on (no network yet?).")
        info = ServiceInfo(
            SERVICE_TYPE, f"{self.requested_name}.{SERVICE_TYPE}", port=self.port,
            properties={"fingerprint": self.fingerprint, "version": self.version,
                        "path": API_PATH},
            server=self.host_name, parsed_addresses=addresses)
        zeroconf = Zeroconf(interfaces=addresses if self.addresses is not None
                            else InterfaceChoice.All)
        try:
            zeroconf.register_service(info, allow_name_change=True)
        except BaseException:
            zeroconf.close()
            raise
        self._zeroconf, self._info = zeroconf, info
        log.info("Advertising the API as %r on %s port %d", self.name, ", ".join(addresses),
                 self.port)

    def close(self) -> None:
        """Say goodbye (consoles drop the appliance from their lists) and stop answering."""
        if self._zeroconf is not None:
            self._zeroconf.close()
        self._zeroconf = None

    def __enter__(self) -> Advertiser:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def _found_appliance(info: ServiceInfo) -> FoundAppliance | None:
    """The appliance `info` describes, or None when its TXT lacks a usable fingerprint."""
    properties = info.decoded_properties
    try:
        fingerprint = parse_fingerprint(properties.get("fingerprint") or "")
    except ValueError:
        log.info("Ignoring %s: its advertisement has no valid certificate fingerprint", info.name)
        return None
    return FoundAppliance(
        name=info.name.removesuffix("." + SERVICE_TYPE),
        host=(info.server or "").rstrip("."),
        addresses=tuple(info.parsed_scoped_addresses()),
        port=info.port or 0,
        fingerprint=fingerprint,
        version=properties.get("version") or "",
        path=properties.get("path") or API_PATH,
    )


def browse(timeout: float = 2.0,
           interfaces: InterfaceChoice | list[str] = InterfaceChoice.All) -> list[FoundAppliance]:
    """The appliances that answer on the LAN within `timeout` seconds, by name.

    mDNS has no "that was all", so this listens for the whole timeout.  Questions ask for
    multicast answers (QM): a unicast answer to port 5353 on a box that runs both a console and
    an appliance (lab mode) may be delivered to the appliance's socket instead of ours, and
    multicast mDNS is what firewalls' mDNS rules let in.
    """
    deadline = time.monotonic() + timeout
    changes: queue.SimpleQueue[tuple[str, ServiceStateChange]] = queue.SimpleQueue()

    def note_change(name: str, state_change: ServiceStateChange, **_: Any) -> None:
        changes.put((name, state_change))

    found: dict[str, FoundAppliance] = {}
    zeroconf = Zeroconf(interfaces=interfaces)
    try:
        browser = ServiceBrowser(zeroconf, SERVICE_TYPE, handlers=[note_change],
                                 question_type=DNSQuestionType.QM)
        try:
            while (remaining := deadline - time.monotonic()) > 0:
                try:
                    name, state_change = changes.get(timeout=remaining)
                except queue.Empty:
                    break
                if state_change is ServiceStateChange.Removed:
                    found.pop(name, None)
                    continue
                info = zeroconf.get_service_info(
                    SERVICE_TYPE, name, timeout=max(1, int((deadline - time.monotonic()) * 1000)),
                    question_type=DNSQuestionType.QM)
                appliance = _found_appliance(info) if info else None
                if appliance:
                    found[name] = appliance
        finally:
            browser.cancel()
    finally:
        zeroconf.close()
    return sorted(found.values(), key=lambda appliance: appliance.name)
