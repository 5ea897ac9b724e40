"""The appliance's health in one dictionary, from what each service last reported.

A report older than ``STALE_AFTER`` says more about its writer than about the part: such a
part is shown as not known, naming the service that stopped reporting."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from paivystys.appliance.asterisk.apply import owed_reloads
from paivystys.appliance.backup import last_backup_at, last_good_backup
from paivystys.appliance.db.integrity import recorded_integrity
from paivystys.appliance.db.models import HealthReport, ModemHealth, OutboxMessage, utcnow
from paivystys.appliance.sms.outbox import states
from paivystys.appliance.sms.sim_pin import SIM_READY, describe_sim, sim_report

STALE_AFTER = dt.timedelta(seconds=60)
DISK_LOW_BYTES = 1_000_000_000
WRITERS = {"asterisk": "the call monitor", "trunk": "the call monitor",
           "modem": "the modem service"}


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _report(key: str, now: dt.datetime) -> dict[str, Any]:
    row = HealthReport.get_or_none(HealthReport.key == key)
    if row is None:
        return {"ok": None, "state": f"no report yet from {WRITERS[key]}", "detail": None,
                "updated_at": None}
    updated = _aware(row.updated_at)
    if now - updated > STALE_AFTER:
        return {"ok": None, "state": f"{WRITERS[key]} has not reported since "
                                     f"{updated.isoformat(timespec='seconds')}",
                "detail": row.state, "updated_at": updated.isoformat(timespec="seconds")}
    return {"ok": row.ok, "state": row.state, "detail": row.detail,
            "updated_at": updated.isoformat(timespec="seconds")}


def modem_health(now: dt.datetime) -> dict[str, Any]:
    """The modem as its service last reported it; a SIM that waits for a person (its PIN,
    its PUK, no SIM) is not ok, and ``state`` says what to do."""
    row = ModemHealth.get_or_none(ModemHealth.id == 1)
    if row is None:
        return {"ok": None, "state": "no report yet from the modem service", "registered": None,
                "signal": None, "operator": None, "last_error": None, "sim": None,
                "pin_attempts_left": None}
    updated = _aware(row.updated_at)
    stale = now - updated > STALE_AFTER and row.connected
    sim = sim_report()
    sim_waits = sim is not None and sim.state != SIM_READY
    ok = None if stale else (row.connected and row.registered and not sim_waits)
    state = ("the modem service has not reported since "
             f"{updated.isoformat(timespec='seconds')}" if stale
             else describe_sim(sim.state, sim.attempts_left) if sim is not None and sim_waits
             else "registered" if ok else "connected, no network" if row.connected
             else "not connected")
    return {"ok": ok, "state": state, "registered": row.registered, "signal": row.signal,
            "operator": row.operator, "last_error": row.last_error,
            "sim": sim.state if sim is not None else None,
            "pin_attempts_left": sim.attempts_left if sim is not None else None,
            "updated_at": updated.isoformat(timespec="seconds")}


def _configuration(data_dir: Path) -> dict[str, Any]:
    owed = owed_reloads(data_dir)
    if not owed:
        return {"ok": True, "state": "every saved change is applied to Asterisk", "owed": []}
    return {"ok": False, "owed": owed,
            "state": "saved changes are not yet applied to Asterisk; they are when it answers "
                     "again (the call monitor retries as soon as it reconnects)"}


def _database(data_dir: Path) -> dict[str, Any]:
    """The database's last integrity check; when it failed, the backup to restore."""
    last = last_good_backup(data_dir)
    good = ({"name": last.name, "created_at": last.created_at.isoformat(timespec="seconds")}
            if last is not None else None)
    try:
        check = recorded_integrity(data_dir)
    except ValueError as error:
        return {"ok": None, "state": f"the record of the last integrity check cannot be read: "
                                     f"{error}", "checked_at": None, "problems": [],
                "last_good_backup": good}
    if check is None:
        return {"ok": None, "state": "the database has not been checked yet (it is at every "
                                     "boot and before every nightly backup)",
                "checked_at": None, "problems": [], "last_good_backup": good}
    state = f"the database {check.summary}"
    if not check.ok:
        state += (". Calls are still answered and logged into it, but what is written there "
                  "may be lost. " + (f"The last good backup is {last.name}, saved "
                                     f"{last.created_at.isoformat(timespec='seconds')}: "
                                     "restore it (Manage, Backups)." if last is not None
                                     else "There is no backup on the box: restore one "
                                          "downloaded earlier."))
    return {"ok": check.ok, "state": state,
            "checked_at": check.checked_at.isoformat(timespec="seconds"),
            "problems": list(check.problems), "last_good_backup": good}


def _disk(path: Path) -> dict[str, Any]:
    usage = shutil.disk_usage(path)
    return {"ok": usage.free > DISK_LOW_BYTES, "free_bytes": usage.free,
            "total_bytes": usage.total, "path": str(path)}


def snapshot(data_dir: Path, version: str, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    last_backup = last_backup_at()
    waiting = OutboxMessage.select().where(OutboxMessage.state.in_(states.OPEN_STATES)).count()
    return {
        "asterisk": _report("asterisk", now),
        "trunk": _report("trunk", now),
        "modem": modem_health(now),
        "disk": _disk(data_dir),
        "configuration": _configuration(data_dir),
        "database": _database(data_dir),
        "sms_waiting": waiting,
        "last_backup": last_backup.isoformat(timespec="seconds") if last_backup else None,
        "version": version,
        "checked_at": now.isoformat(timespec="seconds"),
    }
