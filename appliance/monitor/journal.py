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

from paivystys.appliance.ami.client import AmiClient, AmiError
from paivystys.appliance.asterisk import variables as v
from paivystys.appliance.db.models import Call
from paivystys.appliance.monitor.call_monitor import CallMonitor
from paivystys.appliance.ringing import events

log = logging.getLogger(__name__)

Fields = dict[str, str]


def read_journal(ami: AmiClient) -> dict[str, Fields]:
    entries: dict[str, Fields] = {}
    for event in ami.action_list("DBGetTree", Family=v.JOURNAL_FAMILY):
        parts = event.get("Key", "").strip("/").split("/")
        if len(parts) == 3 and parts[0] == v.JOURNAL_FAMILY:
            entries.setdefault(parts[1], {})[parts[2]] = event.get("Val", "")
    return entries


def journal_events(fields: Fields) -> list[tuple[str, events.UserEvent]]:
    """The UserEvents the monitor would have seen, rebuilt from one call's journal, each with
    its time (epoch seconds, as AMI's Timestamp)."""
    arrived, number_id, call_id = _split(fields.get(v.JOURNAL_START, ""), 3)
    if not call_id or not _is_time(arrived):
        raise ValueError(f"journal entry without a usable start: {fields!r}")
    caller64, caller_length, presentation = _split(fields.get(v.JOURNAL_CALLER, ""), 3)
    replayed: list[tuple[str, events.UserEvent]] = [(arrived, events.PvCallStart(
        call_id, number_id=number_id, dialled=fields.get(v.JOURNAL_DIALLED, ""),
        caller64=caller64, caller_length=caller_length, presentation=presentation))]
    if v.JOURNAL_DECISION in fields:
        decision, routing = _split(fields[v.JOURNAL_DECISION], 2)
        replayed.append((arrived, events.PvDecision(call_id, decision=decision, routing=routing,
                                                    recording="")))
    person, group, stage, confirmed_at, phone = _split(fields.get(v.JOURNAL_CONFIRMED, ""), 5)
    if person and _is_time(confirmed_at):
        replayed.append((confirmed_at, events.PvLegRing(call_id, person=person, group=group,
                                                        phone=phone, stage=stage)))
        replayed.append((confirmed_at, events.PvConfirmed(call_id, person=person, stage=stage,
                                                          group=group, phone=phone)))
    dial_status, ended_at = _split(fields.get(v.JOURNAL_ENDED, ""), 2)
    if _is_time(ended_at):
        replayed.append((ended_at, events.PvCallEnd(call_id, dial_status=dial_status)))
    return replayed


def replay_journal(ami: AmiClient, monitor: CallMonitor) -> list[str]:
    """Log every journalled call the call log lacks or has open; returns their call ids."""
    replayed = []
    for key, fields in read_journal(ami).items():
        try:
            missed = journal_events(fields)
        except ValueError as error:
            log.warning("journal %s: %s; dropping it", key, error)
            forget(ami, key)
            continue
        call_id = missed[0][1].call_id
        known = Call.get_or_none(Call.call_id == call_id)
        if known is None or known.ended_at is None:
            for timestamp, event in missed:
                monitor.handle_event(events.ami_headers(event, timestamp))
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
