"""``paivystys-sipguard``: the nftables table in front of the SIP port, fed by Asterisk's
security events.

At start it installs the table (rate limits, the operator's networks, blocks still running
from an earlier start), then listens on AMI for security events and blocks repeat offenders;
it follows the trunk's settings, so a changed operator address is protected within
``--refresh`` seconds.  Runs until SIGTERM (or SIGINT); the blocks it made outlive it and
expire by themselves.  Needs CAP_NET_ADMIN in the network namespace Asterisk listens in.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
import time
from pathlib import Path

from paivystys.appliance.ami.client import AmiClient
from paivystys.appliance.ami.options import (
    add_ami_arguments,
    read_ami_secret,
    stop_on_signals,
)
from paivystys.appliance.asterisk.pjsip import APPLIANCE_BIND
from paivystys.appliance.asterisk.stored_trunk import trunk_spec
from paivystys.appliance.audit import record
from paivystys.appliance.db.database import database_path, open_database
from paivystys.appliance.db.schema import EXIT_SCHEMA_MISMATCH, SchemaError
from paivystys.appliance.runtime.systemd import (
    Heartbeat,
    Readiness,
    configure_logging,
    keep_watchdog,
    notify,
)
from paivystys.appliance.sipguard.firewall import Firewall, FirewallError, Limits, Network
from paivystys.appliance.sipguard.guard import (
    OFFENCE_EVENTS,
    BlockDecision,
    Guard,
    Policy,
    offence_from_event,
)
from paivystys.appliance.sipguard.operators import OperatorNetworks

log = logging.getLogger("paivystys.sipguard")

AUDIT_ACTOR = "sip-guard"
AUDIT_ACTION = "sip.block"
# Only the offences reach this connection, not every call's events.
EVENT_FILTERS = (f"^Event: ({'|'.join(sorted(OFFENCE_EVENTS))})",)
REFRESH_S = 5.0  # how often the trunk's settings are read again
RESOLVE_EVERY_S = 300.0  # how often the operator's host names are looked up again



def _arguments(argv: list[str] | None) -> argparse.Namespace:
    defaults = Policy()
    parser = argparse.ArgumentParser(prog="paivystys-sipguard", description=__doc__)
    parser.add_argument("--db", type=Path, default=None,
                        help=f"database file (default: $PAIVYSTYS_DB or {database_path()})")
    add_ami_arguments(parser)
    parser.add_argument("--threshold", type=int, default=defaults.threshold,
                        help="offences from one source within --window that block it "
                             f"(default: {defaults.threshold})")
    parser.add_argument("--window", type=float, default=defaults.window_s, metavar="SECONDS",
                        help=f"(default: {defaults.window_s:.0f})")
    parser.add_argument("--block", type=int, default=defaults.block_s, metavar="SECONDS",
                        help="a first block's length; each repeat within a day doubles it "
                             f"(default: {defaults.block_s})")
    parser.add_argument("--max-block", type=int, default=defaults.max_block_s,
                        metavar="SECONDS", help=f"(default: {defaults.max_block_s})")
    parser.add_argument("--refresh", type=float, default=REFRESH_S, metavar="SECONDS",
                        help="how often the trunk's operator addresses are read again "
                             f"(default: {REFRESH_S:.0f})")
    parser.add_argument("--ready-file", type=Path, metavar="PATH",
                        help="written (our pid) once the table is in place and AMI is "
                             "connected, removed on exit")
    parser.add_argument("--verbose", action="store_true", help="log debug messages")
    args = parser.parse_args(argv)
    read_ami_secret(parser, args)
    try:
        args.policy = Policy(threshold=args.threshold, window_s=args.window,
                             block_s=args.block, max_block_s=args.max_block)
    except ValueError as exc:
        parser.error(str(exc))
    return args


def _audit(decision: BlockDecision) -> None:
    record(AUDIT_ACTOR, AUDIT_ACTION, str(decision.address),
           {"seconds": decision.seconds, "offences": decision.offences,
            "last_event": decision.kind, "account": decision.account[:64],
            "repeat": decision.repeat})


class TrunkFollower:
    """Keeps the firewall's and the guard's idea of the operator in step with the trunk."""

    def __init__(self, firewall: Firewall, guard: Guard, operators: OperatorNetworks) -> None:
        self.firewall = firewall
        self.guard = guard
        self.operators = operators
        self.hosts: tuple[str, ...] = ()
        self.networks: tuple[Network, ...] = ()
        self.resolved_at = 0.0

    def current(self) -> tuple[Network, ...]:
        """The operator's networks now (the trunk read again, names looked up when due)."""
        hosts = trunk_spec().operator_hosts
        if hosts != self.hosts or time.monotonic() - self.resolved_at >= RESOLVE_EVERY_S:
            self.hosts = hosts
            self.resolved_at = time.monotonic()
            self.networks = self.operators.networks(hosts)
        return self.networks

    def apply(self, networks: tuple[Network, ...]) -> None:
        self.firewall.set_operators(networks)
        self.guard.set_operators(networks)
        # An address that has become the operator's must not stay blocked.
        for block in self.firewall.blocked():
            if self.guard.is_operator(block.address):
                self.firewall.unblock(block.address)
                self.guard.forget_block(block.address)
                log.warning("lifted the block of %s: it is the operator's now", block.address)
        log.info("operator networks: %s", ", ".join(map(str, networks)) or "none")

    def follow(self, stop: threading.Event, every: float) -> None:
        applied = self.networks
        while not stop.wait(every):
            try:
                networks = self.current()
                if networks != applied:
                    self.apply(networks)
                    applied = networks
            except Exception:  # the next round tries again; the guard keeps guarding
                log.exception("could not follow the trunk's operator addresses")



def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    configure_logging(args.verbose)
    try:
        database = open_database(args.db)
    except SchemaError as exc:  # one line in the log: what to run
        log.error("%s", exc)
        return EXIT_SCHEMA_MISMATCH
    firewall = Firewall((APPLIANCE_BIND.port,), Limits())
    guard = Guard(firewall.block, args.policy, on_block=_audit)
    follower = TrunkFollower(firewall, guard, OperatorNetworks())
    try:
        networks = follower.current()
        carried = firewall.install(networks)
    except FirewallError as exc:
        log.error("%s", exc)
        return 1
    guard.set_operators(networks)
    for block in carried:
        guard.already_blocked(block.address, block.seconds_left)
    log.info("guarding SIP port %d; operator networks: %s; %d block(s) carried over",
             APPLIANCE_BIND.port, ", ".join(map(str, networks)) or "none", len(carried))

    def on_event(headers: dict[str, str]) -> None:
        offence = offence_from_event(headers)
        if offence is not None:
            guard.offence(offence)

    readiness = Readiness(args.ready_file)

    def on_connect(ami: AmiClient) -> None:
        readiness.ready(f"hearing Asterisk's security events at {ami.host}:{ami.port}")

    host, port = args.ami
    client = AmiClient(host, port, args.ami_user, args.ami_secret, event_filters=EVENT_FILTERS)
    client.add_listener(on_event)
    stop = threading.Event()
    stop_on_signals(stop, log)
    threading.Thread(target=follower.follow, args=(stop, args.refresh), name="trunk",
                     daemon=True).start()
    # The limits are in the kernel now: up for systemd, whether or not Asterisk answers yet.
    notify("READY=1", f"STATUS=rate limits in place; connecting to Asterisk at {host}:{port}")
    heartbeat = Heartbeat()
    keep_watchdog(heartbeat.fresh, stop)
    try:
        client.run_forever(on_connect, stop, on_tick=heartbeat.beat)
    finally:
        readiness.stopping()
    database.close()
    log.info("stopped; the table and its blocks stay in place")
    return 0


if __name__ == "__main__":
    sys.exit(main())
