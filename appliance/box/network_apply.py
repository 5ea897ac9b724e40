"""``paivystys box network-apply``: the root side of the box's network setting.

Started as root by paivystys-network.path whenever the services leave a request or a decision
in the state directory's ``network/`` (and once at every boot), it

1. takes a request (the setting an admin wants), checks it again as if typed, and tries it:
   the trial file in /run, ``networkctl reload`` and ``networkctl reconfigure`` of the link;
2. watches the trial: a new static address must come up on the link (networkd first checks
   that no other device uses it), a DHCP lease is reported as the new address;
3. keeps it when an admin confirms it through the new address (the file in /etc, the trial
   file gone), or goes back to the setting the box keeps when an admin says so, when the
   trial's time is over, or when the new address does not come up;
4. says each step in ``status.json``; a step that failed says so and why.

It runs until no trial is left.  A restart during a trial ends it (the trial file is in
/run); the first run after the restart says so.  The link is the one the default route leaves
by, else the only wired port, else the only one with a cable in.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import json
import logging
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from paivystys.appliance.box.network_files import (
    KEPT_NAME,
    TRIAL_NAME,
    check_link,
    kept_setting,
    render_kept,
    render_trial,
)
from paivystys.appliance.errors import Invalid
from paivystys.appliance.network import PROBATION_S, exchange
from paivystys.appliance.network.exchange import (
    APPLIED,
    DECISION_FILE,
    FAILED,
    PENDING,
    REQUEST_FILE,
    REVERTED,
    STATUS_FILE,
    Decision,
    ExchangeError,
    Request,
    Status,
)
from paivystys.appliance.network.setting import NetworkSetting

log = logging.getLogger(__name__)

POLL_S = 0.5
# A new static address must be on the link within this: networkd's conflict check (RFC 5227)
# takes up to about 9 s before it adds the address.
SETTLE_S = 20.0
COMMAND_TIMEOUT_S = 30.0
ARPHRD_ETHER = "1"
# The files of the box's network are read by systemd-networkd, which runs as its own user.
NETWORK_FILE_MODE = 0o644
# The status is read by the services (the exchange directory is the services' group's).
STATUS_MODE = 0o644


class HostError(Exception):
    """The machine did not do what was asked (a command failed, a link cannot be chosen);
    the message says what and why, in one line."""


@dataclass(frozen=True)
class LinkAddress:
    interface: ipaddress.IPv4Interface
    dynamic: bool  # from a DHCP lease (the kernel counts its lifetime down)


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds since boot, counting while suspended (CLOCK_BOOTTIME)."""

    def now(self) -> dt.datetime:
        """The wall clock, for people."""

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.clock_gettime(time.CLOCK_BOOTTIME)

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class Host:
    """The machine under ``root``: its links (from /sys), its boot (from /proc), its
    addresses and routes (``ip``) and systemd-networkd (``networkctl``).  A test gives a
    temporary root and stand-ins for the two commands."""

    def __init__(self, root: Path = Path("/"), networkctl: str = "networkctl",
                 ip: str = "ip") -> None:
        self.root = root
        self._networkctl = networkctl
        self._ip = ip

    @property
    def kept_dir(self) -> Path:
        return self.root / "etc/systemd/network"

    @property
    def trial_dir(self) -> Path:
        return self.root / "run/systemd/network"

    def boot_id(self) -> str:
        return (self.root / "proc/sys/kernel/random/boot_id").read_text().strip()

    def boot_time(self) -> float:
        """When this boot began, on the wall clock (seconds since the epoch)."""
        for line in (self.root / "proc/stat").read_text().splitlines():
            if line.startswith("btime "):
                return float(line.split()[1])
        raise HostError("/proc/stat has no boot time")

    def wired_links(self) -> list[str]:
        """Ethernet ports with a device behind them: not loopback, bridges, VLANs, tunnels or
        Wi-Fi."""
        found = []
        for entry in sorted((self.root / "sys/class/net").iterdir()):
            try:
                kind = (entry / "type").read_text().strip()
            except OSError:
                continue
            wireless = (entry / "wireless").exists() or (entry / "phy80211").exists()
            if kind == ARPHRD_ETHER and (entry / "device").exists() and not wireless:
                found.append(entry.name)
        return found

    def has_carrier(self, link: str) -> bool:
        try:
            return (self.root / "sys/class/net" / link / "carrier").read_text().strip() == "1"
        except OSError:  # EINVAL while the link is down
            return False

    def default_route_link(self) -> str | None:
        routes = self._ip_json("-4", "route", "show", "default")
        return next((route["dev"] for route in routes if route.get("dev")), None)

    def addresses(self, link: str) -> list[LinkAddress]:
        found = []
        for entry in self._ip_json("-4", "address", "show", "dev", check_link(link)):
            for info in entry.get("addr_info", []):
                if info.get("family") == "inet":
                    found.append(LinkAddress(
                        ipaddress.IPv4Interface(f"{info['local']}/{info['prefixlen']}"),
                        bool(info.get("dynamic"))))
        return found

    def networkctl(self, *arguments: str) -> None:
        self._run([self._networkctl, *arguments])

    def _ip_json(self, *arguments: str) -> list[dict]:
        output = self._run([self._ip, "-j", *arguments])
        try:
            parsed = json.loads(output or "[]")
        except ValueError as error:
            raise HostError(f"'ip {' '.join(arguments)}' answered something that is not "
                            f"JSON: {error}") from error
        return [item for item in parsed if isinstance(item, dict)]

    @staticmethod
    def _run(command: Sequence[str]) -> str:
        try:
            done = subprocess.run(list(command), capture_output=True, text=True,
                                  timeout=COMMAND_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise HostError(f"'{' '.join(command)}' could not run: {error}") from error
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip().splitlines()
            raise HostError(f"'{' '.join(command)}' failed (exit {done.returncode}): "
                            f"{said[-1] if said else 'no message'}")
        return done.stdout


def _replace(path: Path, text: str) -> None:
    """Write ``path`` whole and at once, its directory made first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    exchange.write_file(path, text.encode(), NETWORK_FILE_MODE)


def _describe(setting: NetworkSetting | None) -> str:
    return "a setting written by hand" if setting is None else setting.describe()


class NetworkApplier:
    """One run of the applier over the exchange directory ``directory``."""

    def __init__(self, directory: Path, host: Host, clock: Clock | None = None,
                 probation_s: float = PROBATION_S, settle_s: float = SETTLE_S) -> None:
        self.directory = directory
        self.host = host
        self.clock = clock or SystemClock()
        self.probation_s = probation_s
        self.settle_s = settle_s

    # --- the run ----------------------------------------------------------------------

    def run(self) -> Status:
        """Take what waits, and watch a trial until it is kept or given up."""
        status = self.start()
        while True:
            status = self.step(status)
            if status.state == PENDING:
                self.clock.sleep(POLL_S)
            elif not any((self.directory / name).exists()
                         for name in (REQUEST_FILE, DECISION_FILE)):
                return status

    def start(self) -> Status:
        """The status as this run begins: after a restart, a trial has ended by itself."""
        boot_id = self.host.boot_id()
        in_use = self.kept()
        try:
            status = exchange.read_status(self.directory)
        except ExchangeError as error:
            log.warning("starting afresh: %s", error)
            status = None
        if status is None:
            return self._save(Status(APPLIED, boot_id, in_use))
        if status.state == PENDING and status.boot_id != boot_id:
            return self._save(self._ended(
                status, REVERTED, "the box restarted before the setting was confirmed; it is "
                                  f"back on {_describe(in_use)}", in_use=in_use, boot_id=boot_id))
        status.in_use = in_use
        status.boot_id = boot_id
        return self._save(status)

    def step(self, status: Status) -> Status:
        """One look: a request, a decision, the trial's progress."""
        try:
            document, modified = exchange.take(self.directory / REQUEST_FILE)
        except ExchangeError as error:
            status = self._settle_trial(status, "a newer request came")
            status = self._save(self._ended(status, FAILED,
                                            f"the request could not be read: {error}"))
        else:
            if document is not None:
                status = self._request(document, modified, status)
        try:
            decision, _modified = exchange.take(self.directory / DECISION_FILE)
        except ExchangeError as error:
            log.warning("ignoring a decision: %s", error)
            decision = None
        if decision is not None:
            status = self._decision(decision, status)
        if status.state == PENDING:
            status = self._watch(status)
        return status

    # --- a request ----------------------------------------------------------------------

    def _request(self, document: dict, modified: float | None, status: Status) -> Status:
        status = self._settle_trial(status, "a newer request came")
        try:
            request = Request.from_json(document)
        except Invalid as error:
            return self._save(self._ended(status, FAILED, f"the request was refused: {error}"))
        status = dataclasses.replace(status, request_id=request.id, setting=request.setting,
                                     by=request.by)
        if modified is not None and modified < self.host.boot_time():
            return self._save(self._ended(status, FAILED, "the box restarted before it took "
                                                          "the request; set it again"))
        in_use = self.kept()
        try:
            link = self.choose_link()
            status.interface = link
            if request.setting == in_use:
                return self._save(self._ended(status, APPLIED, None))
            present = self.host.addresses(link)
            kept = [item.interface for item in present if not item.dynamic]
            keep_dhcp = any(item.dynamic for item in present)
            wanted = request.setting.address
            check_conflict = wanted is not None and all(
                item.interface.ip != wanted.ip for item in present)
            _replace(self.host.trial_dir / TRIAL_NAME,
                     render_trial(link, request.setting, kept, keep_dhcp, check_conflict))
            self._reload(link)
        except (HostError, OSError, Invalid) as error:
            self._remove_trial_quietly(status.interface)
            return self._save(self._ended(status, FAILED, f"not applied: {error}"))
        now = self.clock.monotonic()
        deadline_at = self.clock.now() + dt.timedelta(seconds=self.probation_s)
        log.info("trying %s on %s until %s (request %s by %s)", request.setting.describe(),
                 link, exchange.timestamp(deadline_at), request.id, request.by)
        return self._save(dataclasses.replace(
            status, state=PENDING, reason=None, new_addresses=[],
            kept_addresses=[str(item.interface.ip) for item in present], started=now,
            deadline=now + self.probation_s, deadline_at=exchange.timestamp(deadline_at)))

    def choose_link(self) -> str:
        wired = self.host.wired_links()
        if not wired:
            raise HostError("this machine has no wired network port")
        routed = self.host.default_route_link()
        if routed in wired:
            return routed
        if len(wired) == 1:
            return wired[0]
        connected = [link for link in wired if self.host.has_carrier(link)]
        if len(connected) == 1:
            return connected[0]
        raise HostError(f"several wired ports ({', '.join(wired)}) and no default route to "
                        "tell which one the LAN is on")

    # --- the trial ------------------------------------------------------------------------

    def _watch(self, status: Status) -> Status:
        assert status.setting is not None and status.interface is not None
        now = self.clock.monotonic()
        try:
            present = self.host.addresses(status.interface)
        except HostError as error:
            log.warning("cannot see the addresses of %s: %s", status.interface, error)
            present = None
        setting = status.setting
        if present is not None:
            if setting.is_static:
                new = [str(setting.address.ip)] if any(
                    item.interface == setting.address for item in present) else []
            else:
                new = [str(item.interface.ip) for item in present if item.dynamic]
            if new != status.new_addresses:
                log.info("the setting on trial answers at %s", ", ".join(new) or "no address")
                status = self._save(dataclasses.replace(status, new_addresses=new))
        started = status.started if status.started is not None else now
        if setting.is_static and not status.new_addresses and now - started > self.settle_s:
            return self._give_up(status, (
                f"the address {setting.address.ip} did not come up on {status.interface} "
                f"within {self.settle_s:.0f} s: another device on the LAN may already use it "
                "(networkd checks before it takes an address)"))
        if status.deadline is not None and now >= status.deadline:
            reason = (f"not confirmed through the new address within "
                      f"{self.probation_s:.0f} s")
            if not setting.is_static and not status.new_addresses:
                reason += "; no DHCP server gave the box an address"
            return self._give_up(status, reason)
        return status

    def _decision(self, document: dict, status: Status) -> Status:
        try:
            decision = Decision.from_json(document)
        except Invalid as error:
            log.warning("ignoring a decision: %s", error)
            return status
        if status.state != PENDING or decision.request_id != status.request_id:
            log.info("ignoring %s's decision on request %s: it is not on trial",
                     decision.by, decision.request_id)
            return status
        if not decision.keep:
            return self._give_up(status, f"{decision.by} went back")
        return self._keep(status, decision.by)

    def _keep(self, status: Status, by: str) -> Status:
        assert status.setting is not None and status.interface is not None
        kept_file = self.host.kept_dir / KEPT_NAME
        try:
            if status.setting.is_static:
                _replace(kept_file, render_kept(status.interface, status.setting))
            else:
                kept_file.unlink(missing_ok=True)
        except OSError as error:
            return self._give_up(status, f"keeping it failed: {error}")
        log.info("%s confirmed %s; the box keeps it", by, status.setting.describe())
        try:
            (self.host.trial_dir / TRIAL_NAME).unlink(missing_ok=True)
            self._reload(status.interface)
        except (HostError, OSError) as error:
            return self._save(self._ended(status, FAILED, (
                f"the setting is kept for the next start, but networkd did not take it now: "
                f"{error}"), in_use=self.kept()))
        return self._save(self._ended(status, APPLIED, None, in_use=self.kept()))

    def _give_up(self, status: Status, reason: str) -> Status:
        """End the trial: back to the setting the box keeps."""
        in_use = self.kept()
        log.warning("giving up %s: %s", _describe(status.setting), reason)
        try:
            (self.host.trial_dir / TRIAL_NAME).unlink(missing_ok=True)
            if status.interface is not None:
                self._reload(status.interface)
        except (HostError, OSError) as error:
            return self._save(self._ended(status, FAILED, (
                f"{reason}; going back failed too ({error}): restart the box to go back to "
                f"{_describe(in_use)} (a setting on trial lasts until a restart only)"),
                in_use=in_use))
        return self._save(self._ended(status, REVERTED,
                                      f"{reason}; the box is back on {_describe(in_use)}",
                                      in_use=in_use))

    def _settle_trial(self, status: Status, reason: str) -> Status:
        """A trial in progress is given up before anything else is tried."""
        return self._give_up(status, reason) if status.state == PENDING else status

    def _remove_trial_quietly(self, link: str | None) -> None:
        """After a failed start of a trial, nothing of it stays."""
        trial = self.host.trial_dir / TRIAL_NAME
        if not trial.exists():
            return
        try:
            trial.unlink()
            if link is not None:
                self._reload(link)
        except (HostError, OSError) as error:
            log.warning("could not take the failed trial back: %s", error)

    # --- helpers --------------------------------------------------------------------------

    def kept(self) -> NetworkSetting | None:
        """The setting the box keeps across restarts."""
        try:
            text = (self.host.kept_dir / KEPT_NAME).read_text()
        except FileNotFoundError:
            text = None
        return kept_setting(text)

    def _reload(self, link: str) -> None:
        self.host.networkctl("reload")
        self.host.networkctl("reconfigure", link)

    @staticmethod
    def _ended(status: Status, state: str, reason: str | None, **changed: object) -> Status:
        """``status`` with no trial left: ``state`` and why, and whatever else ``changed``."""
        return dataclasses.replace(status, state=state, reason=reason, new_addresses=[],
                                   kept_addresses=[], started=None, deadline=None,
                                   deadline_at=None, **changed)

    def _save(self, status: Status) -> Status:
        status.updated_at = exchange.timestamp(self.clock.now())
        exchange.write_json(self.directory / STATUS_FILE, status.to_json(), STATUS_MODE)
        return status
