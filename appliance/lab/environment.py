"""Lab mode: the appliance and a simulated phone network on this machine.

Two real Asterisk instances (the appliance and the carrier) from the project's sid rootfs,
the FastAGI server and the call monitor, all in one network namespace that has only `lo`.
Tests use the same class with a temporary state directory.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from paivystys.appliance.ami.client import AmiClient
from paivystys.appliance.asterisk.apply import write_configs
from paivystys.appliance.asterisk.base import base_configs
from paivystys.appliance.asterisk.configuration import APPLIANCE_SPEC, FASTAGI_LISTEN
from paivystys.appliance.asterisk.site import LabAsterisk, load_site, remove_site, save_site
from paivystys.appliance.backup import check_at_boot
from paivystys.appliance.db.database import migrate_database, open_database
from paivystys.appliance.db.models import OnCallNumber
from paivystys.appliance.directory import seed_demo
from paivystys.appliance.lab.carrier import CARRIER_SPEC, carrier_configs
from paivystys.appliance.lab.services import Service
from paivystys.appliance.prompts import generate_prompts
from paivystys.appliance.runtime import netns
from paivystys.appliance.runtime.instance import AsteriskInstance
from paivystys.appliance.runtime.rootfs import ensure_rootfs

log = logging.getLogger(__name__)

LAB_NETNS = "paivystys-lab"
AMI_USER = "paivystys"
API_PORT = 8443


@dataclass
class Lab:
    state_dir: Path
    netns_name: str | None = LAB_NETNS
    progress: Callable[[str], None] = field(default=print)

    @property
    def db_path(self) -> Path:
        return self.state_dir / "paivystys.db"

    def site(self) -> LabAsterisk | None:
        """The lab's Asterisk as every command of this state directory finds it."""
        site = load_site(self.state_dir, APPLIANCE_SPEC)
        return site if isinstance(site, LabAsterisk) else None

    def _site_or_fail(self) -> LabAsterisk:
        site = self.site()
        if site is None:
            raise LabNotRunning(f"lab mode is not set up in {self.state_dir}: run "
                                "'paivystys lab up' first")
        return site

    def appliance(self) -> AsteriskInstance:
        return self._site_or_fail().instance

    def carrier(self) -> AsteriskInstance:
        site = self._site_or_fail()
        return AsteriskInstance(CARRIER_SPEC, self.state_dir, site.rootfs, site.netns_name)

    @property
    def modem_device(self) -> Path:
        """The simulated modem's serial device (a link to its pseudo-terminal)."""
        return self.state_dir / "run" / "modem.tty"

    @property
    def modem_control(self) -> Path:
        """The simulated modem's control socket (incoming SMS, going silent...)."""
        return self.state_dir / "run" / "modem-sim.sock"

    @property
    def modem_sent_log(self) -> Path:
        """Every SMS part the simulated modem accepted, one JSON line each."""
        return self.state_dir / "log" / "modem-sent.jsonl"

    @property
    def events_socket(self) -> Path:
        """The call monitor's event feed, read by the API's live view."""
        return self.state_dir / "run" / "events.sock"

    @property
    def api_url(self) -> str:
        return f"https://127.0.0.1:{API_PORT}"

    def services(self) -> dict[str, Service]:
        run = self.state_dir / "run"
        secret = self.state_dir / APPLIANCE_SPEC.name / "ami.secret"
        # Asterisk sees its instance directory as /srv/instance (chrooted); the FastAGI server
        # reads the sounds and recordings in it where they are.
        agi_args = ("--listen", f"{FASTAGI_LISTEN[0]}:{FASTAGI_LISTEN[1]}",
                    "--db", str(self.db_path), "--ready-file", str(run / "agi.ready"),
                    "--instance-dir", str(self.state_dir / APPLIANCE_SPEC.name))
        monitor_args = ("--db", str(self.db_path),
                        "--ami", f"127.0.0.1:{APPLIANCE_SPEC.ami_port}",
                        "--ami-user", AMI_USER, "--ami-secret-file", str(secret),
                        "--events-socket", str(self.events_socket),
                        "--ready-file", str(run / "monitor.ready"))
        guard_args = ("--db", str(self.db_path),
                      "--ami", f"127.0.0.1:{APPLIANCE_SPEC.ami_port}",
                      "--ami-user", AMI_USER, "--ami-secret-file", str(secret),
                      "--ready-file", str(run / "sipguard.ready"))
        simulator_args = ("--link", str(self.modem_device), "--control", str(self.modem_control),
                          "--sent-log", str(self.modem_sent_log), "--delivery-delay", "1",
                          "--ready-file", str(run / "modem-sim.ready"))
        modem_args = ("--db", str(self.db_path), "--device", str(self.modem_device),
                      "--ready-file", str(run / "modem.ready"))
        # mDNS stays off in the lab's namespace (only lo); the API is at api_url.
        api_args = ("--db", str(self.db_path), "--listen", f"127.0.0.1:{API_PORT}",
                    "--recordings-dir", str(self.state_dir / APPLIANCE_SPEC.name / "recordings"),
                    "--events-socket", str(self.events_socket), "--no-advertise",
                    "--ready-file", str(run / "api.ready"),
                    "--setup-code-file", str(run / "setup-code"))
        # In start order: the modem service needs the simulated modem's device.
        return {
            "agi": Service("agi", "paivystys.agi.server", agi_args, self.state_dir,
                           self.netns_name),
            "monitor": Service("monitor", "paivystys.appliance.monitor.service", monitor_args,
                               self.state_dir, self.netns_name),
            "sipguard": Service("sipguard", "paivystys.appliance.sipguard.service", guard_args,
                                self.state_dir, self.netns_name),
            "modem-sim": Service("modem-sim", "paivystys.modem.simulator", simulator_args,
                                 self.state_dir, self.netns_name),
            "modem": Service("modem", "paivystys.modem.service", modem_args, self.state_dir,
                             self.netns_name),
            "api": Service("api", "paivystys.appliance.api.server", api_args, self.state_dir,
                           self.netns_name),
        }

    # --- lifecycle -----------------------------------------------------------------------
    def up(self, seed: bool = True) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        rootfs = ensure_rootfs(self.progress)
        if self.netns_name is not None:
            netns.create(self.netns_name)
        site = LabAsterisk(self.state_dir, APPLIANCE_SPEC, rootfs=rootfs,
                           netns_name=self.netns_name)
        save_site(site)
        # As the box's set-up at boot: the integrity check first, recorded for the health.
        damage = check_at_boot(self.db_path) if self.db_path.exists() else None
        if damage is not None:
            self.progress(damage)
        migration = migrate_database(self.db_path)
        if migration.from_version != migration.to_version and not migration.created:
            self.progress(f"database schema migrated from version {migration.from_version} "
                          f"to {migration.to_version}")
        open_database(self.db_path)
        if seed and OnCallNumber.select().count() == 0:
            seed_demo()
            self.progress("database was empty: created the demo configuration")
        appliance = site.instance
        carrier = self.carrier()
        self._prepare_carrier(carrier)
        self._prepare_appliance(site)
        for instance in (carrier, appliance):
            if not instance.is_running():
                instance.start()
        for instance in (carrier, appliance):
            instance.wait_ready(timeout=30)
        for name, service in self.services().items():
            service.start()
            if name == "modem-sim":
                self.wait_services_ready(only=(name,))
        self.wait_services_ready()
        self.progress(f"lab is up in {self.state_dir}")

    def _prepare_appliance(self, site: LabAsterisk) -> None:
        site.instance.prepare_dirs()
        generate_prompts(site.instance.instance_dir, progress=self.progress)
        write_configs(site)

    def _prepare_carrier(self, carrier: AsteriskInstance) -> None:
        carrier.prepare_dirs()
        configs = base_configs(CARRIER_SPEC)
        configs.update(carrier_configs())
        for name, text in configs.items():
            carrier.write_config(name, text)

    def wait_services_ready(self, timeout: float = 30.0,
                            only: tuple[str, ...] | None = None) -> None:
        """The services answer: the FastAGI port accepts, the monitor is connected to AMI, the
        simulated modem has its device, the modem service talks to it."""
        deadline = time.monotonic() + timeout
        for name, service in self.services().items():
            if only is not None and name not in only:
                continue
            while not service.is_running() or not service.ready_file.exists():
                if time.monotonic() > deadline:
                    raise LabError(f"service '{name}' did not become ready; see "
                                   f"{service.log_file}")
                time.sleep(0.1)

    def down(self) -> None:
        site = self.site()
        for service in reversed(self.services().values()):
            service.stop()
        if site is not None:
            for instance in (self.appliance(), self.carrier()):
                instance.stop()
            if self.netns_name is not None:
                netns.delete(self.netns_name)
            remove_site(self.state_dir)
        self.progress("lab is down")

    def status(self) -> dict[str, object]:
        site = self.site()
        result: dict[str, object] = {"state_dir": str(self.state_dir),
                                     "netns": self.netns_name, "set_up": site is not None}
        if site is not None:
            for instance in (self.appliance(), self.carrier()):
                result[f"asterisk_{instance.spec.name}"] = instance.is_running()
        for name, service in self.services().items():
            result[f"service_{name}"] = service.is_running()
        return result

    # --- talking to the instances (the caller must be inside the lab's namespace) --------
    def ami(self, instance: AsteriskInstance) -> AmiClient:
        client = AmiClient("127.0.0.1", instance.spec.ami_port, AMI_USER, instance.ami_secret())
        client.connect()
        return client

    def enter_namespace(self) -> None:
        if self.netns_name is not None:
            netns.enter(self.netns_name)


class LabError(RuntimeError):
    pass


class LabNotRunning(LabError):
    pass
