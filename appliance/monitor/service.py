"""``paivystys-monitor``: keeps the call log from Asterisk's AMI events.

Runs until SIGTERM (or SIGINT).  While Asterisk is down it retries with back-off; after each
(re)connect it closes calls that ended while nobody was listening.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from pathlib import Path

from paivystys.appliance.ami.client import AmiClient
from paivystys.appliance.ami.options import (
    add_ami_arguments,
    read_ami_secret,
    stop_on_signals,
)
from paivystys.appliance.asterisk.apply import apply_configuration, owed_reloads, state_dir
from paivystys.appliance.db.database import database_path, open_database
from paivystys.appliance.db.schema import EXIT_SCHEMA_MISMATCH, SchemaError
from paivystys.appliance.monitor.call_monitor import CallMonitor
from paivystys.appliance.monitor.feed import EventFeed
from paivystys.appliance.monitor.health import report_once, run_reports, write_report
from paivystys.appliance.monitor.journal import forget, replay_journal
from paivystys.appliance.ringing.bus import CallEnded, EventBus
from paivystys.appliance.ringing.rule import call_key
from paivystys.appliance.runtime.systemd import (
    Heartbeat,
    Readiness,
    configure_logging,
    keep_watchdog,
    notify,
)
from paivystys.appliance.sms.notifier import SmsNotifier

log = logging.getLogger("paivystys.monitor")

# The monitor reads UserEvents, the caller's BridgeEnter and the answers to its own list
# actions (their ActionID is the line after Event).  A 20-person call makes Asterisk
# send ~10 other events per leg (Newstate, DialState, SoftHangupRequest...), which the monitor
# would parse only to ignore, on the thread that also queues the call's SMS.
# The filters match the start of the event only: Asterisk writes a channel's caller ID into
# its events as it is, and a network caller ID holding a line break and "ActionID:" or a
# blank line and a whole made-up event must not get a Newchannel event through (the dialplan
# makes the caller ID clean before it sends anything of its own).
EVENT_FILTERS = ("^Event: (UserEvent|BridgeEnter)[^A-Za-z]",
                 "^Event: [A-Za-z]+..ActionID: ")



def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="paivystys-monitor", description=__doc__)
    parser.add_argument("--db", type=Path, default=None,
                        help=f"database file (default: $PAIVYSTYS_DB or {database_path()})")
    add_ami_arguments(parser)
    parser.add_argument("--events-socket", type=Path, metavar="PATH",
                        help="serve every call event as JSON lines on this Unix socket "
                             "(for the API's live view)")
    parser.add_argument("--ready-file", type=Path, metavar="PATH",
                        help="written (our pid) once connected to AMI, removed on exit")
    parser.add_argument("--verbose", action="store_true", help="log debug messages")
    args = parser.parse_args(argv)
    read_ami_secret(parser, args)
    return args



def _on_connect(ami: AmiClient, monitor: CallMonitor, readiness: Readiness) -> None:
    # The journal first: it knows how the missed calls ended; reconcile then closes what
    # neither Asterisk's channels nor the journal can account for.
    replayed = replay_journal(ami, monitor)
    if replayed:
        log.warning("logged %d call(s) from Asterisk's journal", len(replayed))
    closed = monitor.reconcile(ami)
    if closed:
        log.warning("closed %d call(s) that ended while the monitor was away", len(closed))
    readiness.ready(f"logging calls from Asterisk at {ami.host}:{ami.port}")
    _apply_owed_configuration()
    try:
        report_once(ami)
    except Exception:  # the health report must never cost the call log its connection
        log.exception("health report failed")


def _apply_owed_configuration() -> None:
    """Asterisk answers again: a change saved while it could not be told is applied now,
    rather than at the next change.  Never at the cost of the call log's connection."""
    if not owed_reloads(state_dir()):
        return
    try:
        apply_configuration()
    except Exception as exc:
        log.warning("a saved change is still not applied to Asterisk: %s", exc)
    else:
        log.info("applied the configuration changes saved while Asterisk was away")


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    configure_logging(args.verbose)
    try:
        database = open_database(args.db)
    except SchemaError as exc:  # one line in the log: what to run
        log.error("%s", exc)
        return EXIT_SCHEMA_MISMATCH
    host, port = args.ami
    bus = EventBus()
    monitor = CallMonitor(bus)
    client = AmiClient(host, port, args.ami_user, args.ami_secret, event_filters=EVENT_FILTERS)
    # The call path's only SMS work: outbox rows; the modem service sends them.
    SmsNotifier().subscribe(bus)
    # A logged call needs its journal entry no more, once its SMS rows are written too
    # (subscribers run in this order): a journal entry left means work left after the end.
    bus.subscribe(lambda ended: forget(client, call_key(ended.call_id)), CallEnded)
    client.add_listener(monitor.handle_event)
    stop = threading.Event()
    stop_on_signals(stop, log)
    feed = EventFeed(bus, args.events_socket).start() if args.events_socket else None
    threading.Thread(target=run_reports, args=(client, stop), name="health",
                     daemon=True).start()
    log.info("monitoring %s:%s into %s", host, port, database.database)
    readiness = Readiness(args.ready_file)
    # Up for systemd at once: the monitor waits for Asterisk itself, and logs the calls it
    # missed meanwhile from Asterisk's journal when it connects.
    notify("READY=1", f"STATUS=connecting to Asterisk at {host}:{port}")
    heartbeat = Heartbeat()
    keep_watchdog(heartbeat.fresh, stop)
    try:
        client.run_forever(lambda ami: _on_connect(ami, monitor, readiness), stop,
                           on_tick=heartbeat.beat)
    finally:
        readiness.stopping()
        if feed is not None:
            feed.close()
        write_report("asterisk", None, "the call monitor stopped")
    database.close()
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
