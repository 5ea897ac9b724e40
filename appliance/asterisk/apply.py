"""Applying the database to Asterisk: regenerate its configuration and reload what changed.

Reloading the dialplan and PJSIP does not drop calls in progress.
"""

from __future__ import annotations

import logging
from pathlib import Path

from paivystys.appliance.asterisk.configuration import APPLIANCE_SPEC, appliance_configs
from paivystys.appliance.asterisk.deployment import Deployment
from paivystys.appliance.db.models import database_proxy
from paivystys.appliance.runtime.instance import AsteriskInstance

log = logging.getLogger(__name__)

RELOADS = {"extensions.conf": "dialplan reload", "pjsip.conf": "module reload res_pjsip.so"}


def state_dir() -> Path:
    """The appliance's state directory: where its database lives."""
    return Path(database_proxy.obj.database).resolve().parent


def write_configs(instance: AsteriskInstance) -> list[str]:
    """Write the generated files; returns the names of those whose content changed.  Files
    whose content stays get their owner and mode checked all the same."""
    changed = []
    for name, text in appliance_configs(instance.instance_dir).items():
        target = instance.instance_dir / "etc" / name
        if target.exists() and target.read_text() == text:
            continue
        instance.write_config(name, text)
        changed.append(name)
    instance.secure_configs()
    return changed


def apply_configuration() -> None:
    """Regenerate the appliance's Asterisk configuration and reload a running Asterisk.

    Does nothing when this database has no Asterisk instance beside it (e.g. a unit test's
    database, or the console's own copy)."""
    deployment = Deployment.load(state_dir())
    if deployment is None:
        return
    instance = deployment.instance(APPLIANCE_SPEC)
    changed = write_configs(instance)
    if not changed or not instance.is_running():
        return
    for command in dict.fromkeys(RELOADS[name] for name in changed if name in RELOADS):
        output = instance.rx(command)
        log.info("applied configuration: %s -> %s", command, output.strip()[:200])
