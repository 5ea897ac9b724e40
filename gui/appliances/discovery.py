"""Appliances announcing themselves on the LAN (mDNS/DNS-SD `_paivystys._tcp`), live.

zeroconf calls its handlers on its own thread, where resolving a service (which waits for
answers) must not happen; names therefore go through a queue to a resolver thread, which emits
Qt signals.  The signals are queued to the UI thread like any cross-thread signal.  The
fingerprint in the TXT record is only a hint: anyone on the LAN can advertise anything, so the
console still has a person confirm the fingerprint the server itself presents.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal
from zeroconf import DNSQuestionType, InterfaceChoice, ServiceBrowser, ServiceStateChange, Zeroconf

from paivystys.gui.net.pinning import parse_fingerprint

log = logging.getLogger(__name__)

SERVICE_TYPE = "_paivystys._tcp.local."
RESOLVE_TIMEOUT_MS = 3000


@dataclass(frozen=True)
class FoundAppliance:
    name: str  # the instance name, e.g. "Päivystysvaihde toimisto"
    host: str  # an address to connect to (IPv4 preferred: mDNS host names need nss-mdns)
    port: int
    fingerprint: str  # as advertised: compared, never trusted on its own

    @property
    def address_text(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


class ApplianceBrowser(QObject):
    """Emits `found` for each appliance that appears (or changes) and `lost` when it leaves."""

    found = Signal(object)  # FoundAppliance
    lost = Signal(str)  # its name

    def __init__(self, parent: QObject | None = None,
                 interfaces: InterfaceChoice | list[str] = InterfaceChoice.All) -> None:
        super().__init__(parent)
        self._interfaces = interfaces
        self._zeroconf: Zeroconf | None = None
        self._browser: ServiceBrowser | None = None
        self._changes: queue.SimpleQueue[tuple[str, ServiceStateChange] | None] = (
            queue.SimpleQueue())
        self._resolver: threading.Thread | None = None

    def start(self) -> None:
        """Start browsing; a LAN without multicast just finds nothing, it is not an error."""
        try:
            self._zeroconf = Zeroconf(interfaces=self._interfaces)
        except OSError as error:
            log.warning("Cannot browse the LAN for appliances: %s", error)
            return
        self._resolver = threading.Thread(target=self._resolve_changes, daemon=True,
                                          name="appliance-browser")
        self._resolver.start()
        # Multicast questions: see the appliance's discovery.browse for why not unicast.
        self._browser = ServiceBrowser(self._zeroconf, SERVICE_TYPE, handlers=[self._note],
                                       question_type=DNSQuestionType.QM)

    def stop(self) -> None:
        if self._browser is not None:
            self._browser.cancel()
        if self._resolver is not None:
            self._changes.put(None)
            self._resolver.join(timeout=RESOLVE_TIMEOUT_MS / 1000 + 1)
        if self._zeroconf is not None:
            self._zeroconf.close()
        self._browser = self._resolver = self._zeroconf = None

    def _note(self, name: str, state_change: ServiceStateChange, **_: Any) -> None:
        self._changes.put((name, state_change))

    def _resolve_changes(self) -> None:
        while (change := self._changes.get()) is not None:
            name, state_change = change
            short_name = name.removesuffix("." + SERVICE_TYPE)
            if state_change is ServiceStateChange.Removed:
                self.lost.emit(short_name)
                continue
            zeroconf = self._zeroconf
            if zeroconf is None:
                return
            info = zeroconf.get_service_info(SERVICE_TYPE, name, timeout=RESOLVE_TIMEOUT_MS,
                                             question_type=DNSQuestionType.QM)
            if info is None:
                continue
            try:
                fingerprint = parse_fingerprint(info.decoded_properties.get("fingerprint") or "")
            except ValueError:
                log.info("Ignoring %s: no valid certificate fingerprint advertised", name)
                continue
            addresses = sorted(info.parsed_scoped_addresses(), key=lambda a: ":" in a)
            if not addresses or not info.port:
                continue
            self.found.emit(FoundAppliance(short_name, addresses[0], info.port, fingerprint))
