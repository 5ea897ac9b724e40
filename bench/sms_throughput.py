"""Messages per minute through the simulated modem: the appliance's durable path (outbox row
-> AT+CMGW -> AT+CMSS -> AT+CMGD, a commit after each step) against the library's plain
``sendSms`` (one AT+CMGS) as the baseline, in the same run on the same simulator; then what a
real modem's answer time implies for a 20-person group.

No root needed (a pseudo-terminal and a temporary database).

Run: .venv/bin/python bench/sms_throughput.py [--messages 200] [--network-answer 2.0]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import OutboxMessage
from paivystys.appliance.sms.outbox import states
from paivystys.appliance.sms.outbox.store import enqueue
from paivystys.modem.gsm.adapter import ApplianceModem
from paivystys.modem.sender import OutboxSender
from paivystys.modem.simulator import ModemSimulator

with warnings.catch_warnings():
    warnings.simplefilter("ignore", SyntaxWarning)
    from gsmmodem.modem import GsmModem

TEXT = "Maija Virtanen otti puhelun klo 14.05 (Huolto). Soittaja: +358401234567."
GROUP = 20  # people: 19 "took the call" messages + 1 to the caller


def library_rate(directory: Path, count: int) -> float:
    with ModemSimulator(directory / "lib-tty", sent_log_path=directory / "lib.jsonl") as sim:
        modem = GsmModem(str(sim.link_path), 115200)
        modem.connect()
        began = time.perf_counter()
        for index in range(count):
            modem.sendSms(f"+3584012{index:05d}", TEXT)
        elapsed = time.perf_counter() - began
        modem.alive = False
        modem.serial.cancel_read()
        modem.close()
    return count / elapsed * 60


def appliance_seconds(directory: Path, name: str, count: int, network_answer: float) -> float:
    """Seconds from queueing ``count`` messages to the last one sent."""
    database = open_database(directory / f"{name}.db")
    with ModemSimulator(directory / f"{name}-tty",
                        sent_log_path=directory / f"{name}.jsonl") as sim:
        sim.send_delay = network_answer
        modem = ApplianceModem(str(sim.link_path))
        modem.connect()
        sender = OutboxSender(modem)
        sender.recover()
        began = time.perf_counter()
        for index in range(count):
            enqueue(key=f"{name}-{index}", recipient=f"+3584012{index:05d}", text=TEXT,
                    reason="taken")
        while OutboxMessage.select().where(OutboxMessage.state == states.QUEUED).exists():
            sender.send_due(limit=50)
        elapsed = time.perf_counter() - began
        modem.close()
    database.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--network-answer", type=float, default=2.0,
                        help="seconds a real network takes to acknowledge a send (assumed)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        baseline = library_rate(directory, args.messages)
        ours_s = appliance_seconds(directory, "ours", args.messages, 0.0)
        ours = args.messages / ours_s * 60
        group_s = appliance_seconds(directory, "group", GROUP, args.network_answer)
    print(f"simulated modem answering at once, {args.messages} single-part messages:")
    print(f"  library sendSms (AT+CMGS):            {baseline:8.0f} messages/min")
    print(f"  appliance outbox (CMGW+CMSS+CMGD):    {ours:8.0f} messages/min "
          f"({ours / baseline:.2f} x the library)")
    print(f"network answering each send in {args.network_answer:.1f} s:")
    print(f"  {GROUP} messages of one answered call:  last one sent after {group_s:.1f} s "
          f"({GROUP / group_s * 60:.0f} messages/min)")


if __name__ == "__main__":
    main()
