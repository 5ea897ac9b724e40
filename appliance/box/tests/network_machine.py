"""A machine for the network applier's tests: a temporary root with /proc and /sys as the
applier reads them, ``ip`` and ``networkctl`` stand-ins (shell scripts: the addresses and
routes they show are files the test writes, and networkctl logs what it was asked), and a
clock that moves only when told to (or when slept on)."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

from paivystys.appliance.box.network_apply import Host, NetworkApplier

BOOT_ID = "0b6f1c2e-4d3a-4e5f-8a9b-1c2d3e4f5a6b"
BOOT_TIME = 1_780_000_000  # wall-clock seconds of this boot
# `networkctl`: log the arguments; fail with a message while the file `fail` exists.
NETWORKCTL = """#!/bin/sh
echo "$*" >> "{fake}/networkctl.log"
if [ -e "{fake}/fail" ]; then
    echo "Failed to reload network settings: Unit dbus-org.freedesktop.network1.service not \
found." >&2
    exit 1
fi
"""
# `ip -j -4 route show default` and `ip -j -4 address show dev LINK`, as iproute2 prints them.
IP = """#!/bin/sh
case "$*" in
    *route*) cat "{fake}/routes.json" ;;
    *address*) cat "{fake}/addresses.json" ;;
    *) echo "unexpected: ip $*" >&2; exit 1 ;;
esac
"""


class FakeClock:
    def __init__(self) -> None:
        self.seconds = 1000.0
        # The wall clock starts at the real time: the services' side reads the real clock.
        self.wall = dt.datetime.now(dt.UTC).replace(microsecond=0)

    def monotonic(self) -> float:
        return self.seconds

    def now(self) -> dt.datetime:
        return self.wall + dt.timedelta(seconds=self.seconds - 1000.0)

    def sleep(self, seconds: float) -> None:
        self.seconds += seconds

    def advance(self, seconds: float) -> None:
        self.seconds += seconds


class FakeMachine:
    """One wired port, eth0, with the DHCP lease 10.0.2.15/24 and the default route; the
    applier's exchange directory in ``state_dir`` (default: in the root)."""

    def __init__(self, root: Path, state_dir: Path | None = None) -> None:
        self.root = root
        self.fake = root / "fake"
        self.fake.mkdir(parents=True)
        (root / "proc/sys/kernel/random").mkdir(parents=True)
        self.set_boot(BOOT_ID, BOOT_TIME)
        self.add_link("eth0")
        self.set_route("eth0")
        self.set_addresses(("10.0.2.15/24", True))
        self.state_dir = state_dir or root / "var/lib/paivystys"
        self.exchange = self.state_dir / "network"
        self.exchange.mkdir(parents=True, exist_ok=True)
        self.clock = FakeClock()
        self.host = Host(root, networkctl=self._script("networkctl", NETWORKCTL),
                         ip=self._script("ip", IP))

    def _script(self, name: str, text: str) -> str:
        path = self.fake / name
        path.write_text(text.format(fake=self.fake))
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
        return str(path)

    def applier(self, probation_s: float = 180, settle_s: float = 20) -> NetworkApplier:
        return NetworkApplier(self.exchange, self.host, self.clock, probation_s=probation_s,
                              settle_s=settle_s)

    def set_boot(self, boot_id: str, boot_time: int) -> None:
        (self.root / "proc/sys/kernel/random/boot_id").write_text(boot_id + "\n")
        (self.root / "proc/stat").write_text(f"cpu  1 2 3 4\nbtime {boot_time}\n"
                                             "processes 100\n")

    def add_link(self, name: str, *, wired: bool = True, carrier: bool = True) -> None:
        link = self.root / "sys/class/net" / name
        link.mkdir(parents=True)
        (link / "type").write_text("1\n" if wired else "772\n")
        if wired:
            (link / "device").mkdir()
        (link / "carrier").write_text("1\n" if carrier else "0\n")

    def set_route(self, link: str | None) -> None:
        routes = [] if link is None else [{"dst": "default", "gateway": "10.0.2.2",
                                           "dev": link, "protocol": "dhcp", "flags": []}]
        (self.fake / "routes.json").write_text(json.dumps(routes))

    def set_addresses(self, *addresses: tuple[str, bool]) -> None:
        """The link's IPv4 addresses: (address/prefix, from DHCP)."""
        infos = []
        for text, dynamic in addresses:
            local, prefix = text.split("/")
            info = {"family": "inet", "local": local, "prefixlen": int(prefix),
                    "scope": "global", "label": "eth0", "valid_life_time": 4294967295,
                    "preferred_life_time": 4294967295}
            if dynamic:
                info.update(dynamic=True, valid_life_time=86000, preferred_life_time=86000)
            infos.append(info)
        (self.fake / "addresses.json").write_text(json.dumps(
            [{"ifindex": 2, "ifname": "eth0", "flags": ["BROADCAST", "MULTICAST", "UP"],
              "mtu": 1500, "operstate": "UP", "addr_info": infos}]))

    def networkctl_calls(self) -> list[str]:
        log = self.fake / "networkctl.log"
        return log.read_text().splitlines() if log.exists() else []

    def fail_networkctl(self, failing: bool = True) -> None:
        if failing:
            (self.fake / "fail").touch()
        else:
            (self.fake / "fail").unlink(missing_ok=True)

    @property
    def trial_file(self) -> Path:
        return self.root / "run/systemd/network/05-paivystys-trial.network"

    @property
    def kept_file(self) -> Path:
        return self.root / "etc/systemd/network/10-paivystys.network"

    def status(self) -> dict:
        return json.loads((self.exchange / "status.json").read_text())
