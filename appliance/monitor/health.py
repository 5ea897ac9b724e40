"""The call monitor reports what it sees of Asterisk for /api/health: whether Asterisk
answers on AMI, and the SIP trunk's state (from Asterisk itself)."""

from __future__ import annotations

import logging
import threading

from paivystys.appliance.ami.client import AmiClient, AmiError
from paivystys.appliance.db.models import HealthReport, utcnow
from paivystys.appliance.trunk.status import trunk_status

log = logging.getLogger(__name__)

EVERY_S = 15.0


def write_report(key: str, ok: bool | None, state: str, detail: str | None = None) -> None:
    values = {"ok": ok, "state": state, "detail": detail, "updated_at": utcnow()}
    HealthReport.insert(key=key, **values).on_conflict(
        conflict_target=[HealthReport.key], update=values).execute()


def report_once(ami: AmiClient) -> None:
    if not ami.connected:
        write_report("asterisk", False, "not answering on AMI")
        return
    try:
        ami.action("Ping")
    except AmiError as error:
        write_report("asterisk", False, f"AMI ping failed: {error}")
        return
    write_report("asterisk", True, "up")
    try:
        status = trunk_status(ami)
    except AmiError as error:
        write_report("trunk", None, f"could not ask Asterisk: {error}")
        return
    write_report("trunk", status.registered, status.state, status.detail)


def run_reports(ami: AmiClient, stop: threading.Event) -> None:
    """Every ``EVERY_S`` until ``stop``; a failure is logged and retried next time."""
    while not stop.wait(EVERY_S):
        try:
            report_once(ami)
        except Exception:
            log.exception("health report failed")
