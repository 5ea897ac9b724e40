"""Where the appliance's Asterisk runs: rootfs and network namespace, as recorded at start-up.

`deployment.json` in the state directory is written by whatever started Asterisk (lab mode,
the test harness) so that later commands (a CLI change, a reload) reach the same instance.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from paivystys.appliance.runtime.instance import AsteriskInstance, InstanceSpec

FILE_NAME = "deployment.json"


@dataclass(frozen=True)
class Deployment:
    state_dir: Path
    rootfs: Path
    netns: str | None

    @classmethod
    def load(cls, state_dir: Path) -> Deployment | None:
        path = state_dir / FILE_NAME
        if not path.exists():
            return None
        data = json.loads(path.read_text())
        return cls(state_dir=state_dir, rootfs=Path(data["rootfs"]), netns=data["netns"])

    def save(self) -> None:
        data = asdict(self)
        data.pop("state_dir")
        data["rootfs"] = str(self.rootfs)
        (self.state_dir / FILE_NAME).write_text(json.dumps(data, indent=2) + "\n")

    def remove(self) -> None:
        (self.state_dir / FILE_NAME).unlink(missing_ok=True)

    def instance(self, spec: InstanceSpec) -> AsteriskInstance:
        return AsteriskInstance(spec, self.state_dir, self.rootfs, self.netns)
