"""Asterisk's call journal: the calls that happened while the monitor was away.

The dialplan writes a few facts of every call into AstDB (``variables.JOURNAL_*``): arrival,
caller, dialled number, decision, who confirmed, how it ended.  On every (re)connect the monitor
replays each journalled call it does not have complete as the events it missed, through the
same rules as live events, then forgets the journal entries of ended calls.  A call is thus
logged even when the monitor was stopped, killed or restarting while it happened (without the
legs that were not taken: only the winner is journalled).
"""

from __future__ import annotations

import logging
import re

from paivystys.appliance.ami.client import AmiClient, AmiError, Headers
from paivystys.appliance.asterisk import variables as v
from paivystys.appliance.db.models import Call
from paivystys.appliance.monitor.call_monitor import CallMonitor

log = logging.getLogger(__name__)

Fields = dict[str, str]


def call_key(call_id: str) -> str:
    """The journal key of a call: the dialplan's PV_CALL_KEY, the unique id's digits."""
    return re.sub(r"\D", "", call_id)


def read_journal(ami: AmiClient) -> dict[str, Fields]:
    entries: dict[str, Fields] = {}
    for event in ami.action_list("DBGetTree", Family=v.JOURNAL_FAMILY):
        parts = event.get("Key", "").strip("/").split("/")
        if len(parts) == 3 and parts[0] == v.JOURNAL_FAMILY:
            entries.setdefault(parts[1], {})[parts[2]] = event.get("Val", "")
    return entries


def journal_events(fields: Fields) -> list[Headers]:
    """The UserEvents the monitor would have seen, rebuilt from one call's journal."""
    arrived, number_id, call_id = _split(fields.get(v.JOURNAL_START, ""), 3)
    if not call_id or not _is_time(arrived):
        raise ValueError(f"journal entry without a usable start: {fields!r}")

    def event(name: str, at: str, **headers: str) -> Headers:
        return {"Event": "UserEvent", "UserEvent": name, "CallId": call_id, "Timestamp": at,
                **headers}

    caller64, caller_length, presentation = _split(fields.get(v.JOURNAL_CALLER, ""), 3)
    events = [event(v.EVENT_CALL_START, arrived, NumberId=number_id,
                    Dialled=fields.get(v.JOURNAL_DIALLED, ""), Caller64=caller64,
                    CallerLength=caller_length, Presentation=presentation)]
    if v.JOURNAL_DECISION in fields:
        decision, routing = _split(fields[v.JOURNAL_DECISION], 2)
        events.append(event(v.EVENT_DECISION, arrived, Decision=decision, Routing=routing,
                            Recording=""))
    person, group, stage, confirmed_at, phone = _split(fields.get(v.JOURNAL_CONFIRMED, ""), 5)
    if person and _is_time(confirmed_at):
        events.append(event(v.EVENT_LEG_RING, confirmed_at, Person=person, Group=group,
                            Phone=phone, Stage=stage))
        events.append(event(v.EVENT_CONFIRMED, confirmed_at, Person=person, Stage=stage,
                            Group=group, Phone=phone))
    dial_status, ended_at = _split(fields.get(v.JOURNAL_ENDED, ""), 2)
    if _is_time(ended_at):
        events.append(event(v.EVENT_CALL_END, ended_at, DialStatus=dial_status))
    return events


def replay_journal(ami: AmiClient, monitor: CallMonitor) -> list[str]:
    """Log every journalled call the call log lacks or has open; returns their call ids."""
    replayed = []
    for key, fields in read_journal(ami).items():
        try:
            events = journal_events(fields)
        except ValueError as error:
            log.warning("journal %s: %s; dropping it", key, error)
            forget(ami, key)
            continue
        call_id = events[0]["CallId"]
        known = Call.get_or_none(Call.call_id == call_id)
        if known is None or known.ended_at is None:
            for event in events:
                monitor.handle_event(event)
            replayed.append(call_id)
            log.warning("call %s: %s while the monitor was away; logged from Asterisk's "
                        "journal", call_id,
                        "ended" if v.JOURNAL_ENDED in fields else "started")
        elif v.JOURNAL_ENDED in fields:
            # Logged as ended, yet still journalled: the monitor stopped before what follows
            # a call's end (its SMS rows, then this forget) had all run.
            monitor.announce_again(call_id)
        if v.JOURNAL_ENDED in fields:
            forget(ami, key)
    return replayed


def forget(ami: AmiClient, key: str) -> None:
    try:
        ami.action("DBDelTree", check=False, Family=v.JOURNAL_FAMILY, Key=key)
    except AmiError as error:
        # Harmless: the next connect replays it again and finds the call complete.
        log.warning("could not forget journal entry %s: %s", key, error)


def _split(value: str, count: int) -> list[str]:
    parts = value.split("/", count - 1) if value else []
    return parts + [""] * (count - len(parts))


def _is_time(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
