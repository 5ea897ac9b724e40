"""Applying the database to Asterisk: regenerate its configuration and reload what changed.

Reloading the dialplan and PJSIP does not drop calls in progress.  The reload goes over AMI
(:mod:`paivystys.appliance.asterisk.site`), so the unprivileged services apply changes as
well as root's CLI does.

Nothing is lost when Asterisk cannot be told: the files are written first, so an Asterisk
that was down reads them when it starts; the modules still to reload are remembered
(``asterisk-reload-pending`` in the state directory) and reloaded by the next apply, even
one whose own files did not change.  Applies are serialised across processes by a lock
file beside it.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from paivystys.appliance.asterisk.configuration import APPLIANCE_SPEC, appliance_configs
from paivystys.appliance.asterisk.site import AsteriskSite, AsteriskUnavailable, load_site
from paivystys.appliance.db.models import database_proxy

log = logging.getLogger(__name__)

# The module each generated file belongs to, in reload order (the trunk before the dialplan
# that dials it); the other files are read at start only.
RELOADS = {"pjsip.conf": "res_pjsip.so", "extensions.conf": "pbx_config"}
PENDING_FILE = "asterisk-reload-pending"
LOCK_FILE = "asterisk-apply.lock"
# Set by the unit tests' harness, whose databases no Asterisk reads: changes are saved and
# not applied.  Anywhere else a database without an Asterisk is an error, never a silent
# success.
NO_ASTERISK_ENV = "PAIVYSTYS_NO_ASTERISK"


def state_dir() -> Path:
    """The appliance's state directory: where its database lives."""
    return Path(database_proxy.obj.database).resolve().parent


def current_site() -> AsteriskSite | None:
    """The Asterisk of this process's database; None only under the unit tests' harness."""
    directory = state_dir()
    site = load_site(directory, APPLIANCE_SPEC)
    if site is None and os.environ.get(NO_ASTERISK_ENV) != "1":
        raise AsteriskUnavailable(
            f"no Asterisk is set up for the database in {directory} (it has no "
            "deployment.json): start lab mode with 'paivystys lab up', or set the box up with "
            "'paivystys box setup'")
    return site


def write_configs(site: AsteriskSite) -> list[str]:
    """Write the generated files; returns the names of those whose content changed.  Files
    whose content stays get their owner and mode checked all the same."""
    instance = site.instance
    changed = []
    for name, text in appliance_configs(site).items():
        target = instance.instance_dir / "etc" / name
        if target.exists() and target.read_text() == text:
            continue
        instance.write_config(name, text)
        changed.append(name)
    instance.secure_configs()
    return changed


def apply_configuration() -> None:
    """Regenerate the appliance's Asterisk configuration and make Asterisk reload what changed.

    Raises :class:`AsteriskUnavailable` when Asterisk could not be told (not set up, not
    running, a reload refused); the files are written all the same."""
    site = current_site()
    if site is None:
        log.debug("no Asterisk for this database (%s=1): not applied", NO_ASTERISK_ENV)
        return
    with _apply_lock(site.state_dir):
        changed = write_configs(site)
        pending = owed_reloads(site.state_dir)
        owed = {*pending, *(RELOADS[name] for name in changed if name in RELOADS)}
        modules = [module for module in RELOADS.values() if module in owed]
        if not modules:
            return
        _write_pending(site.state_dir, modules)
        try:
            answers = site.reload(modules)
        except AsteriskUnavailable as error:
            raise AsteriskUnavailable(
                f"{error}; the configuration is written, and Asterisk takes it when it starts "
                "or at the next change") from error
        (site.state_dir / PENDING_FILE).unlink(missing_ok=True)
    log.info("applied configuration: %s", ", ".join(
        f"{module} ({answer})" for module, answer in zip(modules, answers, strict=True)))


@contextlib.contextmanager
def _apply_lock(directory: Path) -> Iterator[None]:
    # Read-only is enough for flock, and lets root's CLI and the services' user share a lock
    # file whichever of them made it.
    fd = os.open(directory / LOCK_FILE, os.O_RDONLY | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def owed_reloads(directory: Path) -> list[str]:
    """The modules a saved change still owes a reload (Asterisk was down or refused)."""
    try:
        modules = json.loads((directory / PENDING_FILE).read_text())
    except FileNotFoundError:
        return []
    except ValueError:
        return list(RELOADS.values())  # a damaged note: reload everything, to be sure
    return [m for m in modules if m in RELOADS.values()] if isinstance(modules, list) else []


def _write_pending(directory: Path, modules: list[str]) -> None:
    partial = directory / f".{PENDING_FILE}.partial"
    partial.unlink(missing_ok=True)
    partial.write_text(json.dumps(modules))
    os.replace(partial, directory / PENDING_FILE)
