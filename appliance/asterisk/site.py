"""Where the appliance's Asterisk runs and how to reach it: one interface, two places.

- :class:`LabAsterisk` (lab mode, tests): Asterisk from the project's rootfs, chrooted, in a
  network namespace that has only ``lo``; it sees its instance directory as /srv/instance
  and keeps everything it writes there too.
- :class:`SystemAsterisk` (the box): Debian's own ``asterisk`` package under its own systemd
  unit, started with ``-C STATE/appliance/etc/asterisk.conf``; it sees the instance directory
  at its real path and keeps its logs, astdb and control socket where Debian's package puts
  them.

Everything else is one code path: the configuration is generated into the instance's
``etc/`` by whoever makes the change, and Asterisk is told over AMI (``Reload``), as the
unprivileged services' user, never through its command line or root.  The AMI secret is
``STATE/appliance/ami.secret``.

Which place a state directory belongs to is recorded in its ``deployment.json`` by whatever set
it up (``paivystys lab up``, ``paivystys box setup``, the test harness).
"""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from paivystys.appliance.ami.client import AmiActionError, AmiClient, AmiError
from paivystys.appliance.asterisk.base import (
    AMI_USER,
    LAB_DIRECTORIES,
    debian_directories,
)
from paivystys.appliance.runtime import netns
from paivystys.appliance.runtime.instance import (
    CONFIG_DIR,
    INSTANCE_ROOT,
    AsteriskInstance,
    InstanceSpec,
)

FILE_NAME = "deployment.json"
LAB = "lab"
SYSTEM = "system"
KINDS = (LAB, SYSTEM)
HOST_ROOT = Path("/")  # the box's Asterisk is installed in the machine's own root
AMI_HOST = "127.0.0.1"
# Asterisk refuses a reload while another one runs ("A reload is in progress"): two changes
# applied at once from the API and the CLI.  The other reload finishes in well under a second.
RELOAD_BUSY_RETRY_S = 0.2
RELOAD_BUSY_GIVE_UP_S = 10.0
RELOAD_IN_PROGRESS = "A reload is in progress"


class AsteriskUnavailable(RuntimeError):
    """Asterisk could not be told of a change (not set up, not running, refused); the message
    says which and what happens to the change."""


@dataclass(frozen=True)
class AsteriskSite(ABC):
    """The appliance's Asterisk as seen from one state directory."""

    state_dir: Path
    spec: InstanceSpec
    kind: ClassVar[str]

    @property
    @abstractmethod
    def instance(self) -> AsteriskInstance:
        """The instance directory's files: etc/, sounds/, recordings/, the AMI secret."""

    @property
    @abstractmethod
    def seen_as(self) -> str:
        """The instance directory as Asterisk sees it (the paths written into its files)."""

    @property
    @abstractmethod
    def directories(self) -> dict[str, str]:
        """asterisk.conf's [directories]."""

    @property
    def sip_bind_host(self) -> str:
        """The address the SIP transport binds to."""
        return "127.0.0.1"

    @abstractmethod
    def _in_place(self, client: AmiClient) -> None:
        """Connect ``client`` from where Asterisk's loopback is reachable."""

    @property
    def recordings_seen_as(self) -> str:
        return f"{self.seen_as}/recordings"

    def ami(self, timeout: float = 5.0) -> AmiClient:
        """A logged-in AMI client (the caller closes it)."""
        client = AmiClient(AMI_HOST, self.spec.ami_port, AMI_USER, self.instance.ami_secret())
        client.action_timeout = timeout
        try:
            self._in_place(client)
        except AmiError as error:
            raise AsteriskUnavailable(
                f"Asterisk does not answer on AMI ({AMI_HOST}:{self.spec.ami_port}): {error}"
            ) from error
        return client

    def reload(self, modules: Iterable[str]) -> list[str]:
        """Reload each module over AMI; returns Asterisk's answers.  A refusal raises
        :class:`AsteriskUnavailable` naming the module and Asterisk's reason."""
        client = self.ami()
        answers = []
        try:
            for module in modules:
                answers.append(_reload_one(client, module))
        finally:
            client.close()
        return answers


@dataclass(frozen=True)
class LabAsterisk(AsteriskSite):
    rootfs: Path
    netns_name: str | None
    kind: ClassVar[str] = LAB

    @property
    def instance(self) -> AsteriskInstance:
        return AsteriskInstance(self.spec, self.state_dir, self.rootfs, self.netns_name)

    @property
    def seen_as(self) -> str:
        return INSTANCE_ROOT

    @property
    def directories(self) -> dict[str, str]:
        return dict(LAB_DIRECTORIES)

    def _in_place(self, client: AmiClient) -> None:
        # AMI listens on the loopback of the lab's namespace: the socket is made in there.
        netns.run_in(self.netns_name, client.connect)


@dataclass(frozen=True)
class SystemAsterisk(AsteriskSite):
    # Where Asterisk is installed (its user and group are read from there): the machine's
    # own root; a test gives another.
    host_root: Path = HOST_ROOT
    kind: ClassVar[str] = SYSTEM

    @property
    def instance(self) -> AsteriskInstance:
        return AsteriskInstance(self.spec, self.state_dir, self.host_root, None,
                                keeps_own_files=False)

    @property
    def seen_as(self) -> str:
        return str(self.instance.instance_dir)

    @property
    def directories(self) -> dict[str, str]:
        return debian_directories(f"{self.seen_as}/{CONFIG_DIR}")

    @property
    def sip_bind_host(self) -> str:
        # The operator and gateways on the LAN reach the box at any of its addresses.
        return "0.0.0.0"

    def _in_place(self, client: AmiClient) -> None:
        client.connect()


def save_site(site: AsteriskSite) -> None:
    """Record in the state directory which Asterisk serves it."""
    data: dict[str, object] = {"kind": site.kind}
    if isinstance(site, LabAsterisk):
        data.update(rootfs=str(site.rootfs), netns=site.netns_name)
    (site.state_dir / FILE_NAME).write_text(json.dumps(data, indent=2) + "\n")


def remove_site(state_dir: Path) -> None:
    (state_dir / FILE_NAME).unlink(missing_ok=True)


def load_site(state_dir: Path, spec: InstanceSpec) -> AsteriskSite | None:
    """The Asterisk recorded for ``state_dir``, or None when nothing set one up there."""
    path = state_dir / FILE_NAME
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise AsteriskUnavailable(f"cannot read {path}: {error}") from error
    kind = data.get("kind", LAB)  # files written before the box existed are all lab mode
    if kind == SYSTEM:
        return SystemAsterisk(state_dir, spec)
    if kind == LAB:
        return LabAsterisk(state_dir, spec, rootfs=Path(data["rootfs"]), netns_name=data["netns"])
    raise AsteriskUnavailable(f"{path}: unknown kind {kind!r} (expected one of {KINDS})")


def _reload_one(client: AmiClient, module: str) -> str:
    deadline = time.monotonic() + RELOAD_BUSY_GIVE_UP_S
    while True:
        try:
            return client.action("Reload", Module=module).get("Message", "")
        except AmiActionError as error:
            busy = error.response.get("Message", "").startswith(RELOAD_IN_PROGRESS)
            if not busy or time.monotonic() > deadline:
                reason = error.response.get("Message", "no reason given")
                raise AsteriskUnavailable(
                    f"Asterisk refused to reload {module}: {reason}") from error
        except AmiError as error:
            raise AsteriskUnavailable(f"reloading {module} over AMI failed: {error}") from error
        time.sleep(RELOAD_BUSY_RETRY_S)
