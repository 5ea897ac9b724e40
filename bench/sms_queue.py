"""Confirm -> outbox row: how long after a person presses 1 the "took the call" messages of
the others are in the outbox (the issue's budget: 50 ms), and how long until the simulated
modem has sent them all.

For each group size a group rings all at once: one human who answers after 1 s and presses 1
at once, everyone else never answers.  The confirmation's time is the ``Timestamp`` of the
appliance's ``PvConfirmed`` UserEvent (Asterisk's clock); the rows' time is their
``created_at`` (the monitor's clock, the same host clock).  In the same run, and as the
baseline, Asterisk's own PvConfirmed -> caller's BridgeEnter (the bridge the call waits for).

Run as root: sudo .venv/bin/python bench/sms_queue.py [--calls 5] [--sizes 5,20,50]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import threading
import time

import _lab

from paivystys.appliance.ami.client import AmiClient, Headers
from paivystys.appliance.db.models import Call, OutboxMessage
from paivystys.appliance.directory import Directory
from paivystys.appliance.lab.caller import place_call
from paivystys.appliance.lab.handsets import Handsets
from paivystys.appliance.ringing.events import PvConfirmed, parse
from paivystys.appliance.sms import kinds
from paivystys.appliance.sms.outbox import states

CALLER = "+358501230002"


class Confirmations:
    def __init__(self, ami: AmiClient) -> None:
        self._lock = threading.Lock()
        self.confirmed: dict[str, float] = {}
        self.heard: dict[str, float] = {}  # when this process's own AMI connection got it
        self.bridged: dict[str, float] = {}
        ami.add_listener(self._on_event)

    def _on_event(self, headers: Headers) -> None:
        event = parse(headers) if headers.get("Event") == "UserEvent" else None
        with self._lock:
            if isinstance(event, PvConfirmed):
                self.confirmed[event.call_id] = float(headers["Timestamp"])
                self.heard[event.call_id] = time.time()
            elif headers.get("Event") == "BridgeEnter":
                self.bridged.setdefault(headers["Uniqueid"], float(headers["Timestamp"]))


def configure(size: int, number: str) -> list[str]:
    directory = Directory()
    with directory.batch():
        directory.add_number(number, f"Bench {size}")
        group = f"Bench {size}"
        directory.add_group(group)
        phones = []
        for index in range(size):
            phone = f"+3584077{size:02d}{index:03d}"
            directory.add_person(f"Henkilö {size}-{index}", phone)
            directory.add_member(phone, group)
            phones.append(phone)
        directory.set_number_groups(number, [group])
    return phones


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--sizes", default="5,20,50")
    args = parser.parse_args()
    _lab.isolate()
    sizes = [int(size) for size in args.sizes.split(",")]
    with _lab.running_lab({"ring_time": "20", "confirm_timeout": "10"}) as lab:
        appliance, carrier = lab.ami(lab.appliance()), lab.ami(lab.carrier())
        events = Confirmations(appliance)
        handsets = Handsets(carrier)
        print(f"{'group':>5} {'confirm->rows ms (median/max)':>30} {'confirm->bridge ms':>20} "
              f"{'all sent after confirm s':>26}")
        for size in sizes:
            number = f"+3582099{size:05d}"
            phones = configure(size, number)
            handsets.set(phones[0], "human", answer_after=1, confirm_after=0.1, talk=1)
            for phone in phones[1:]:
                handsets.set(phone, "no-answer")
            to_rows, to_bridge, to_sent, to_heard = [], [], [], []
            for _ in range(args.calls):
                started = dt.datetime.now(dt.UTC)
                place_call(carrier, CALLER, number)
                _lab.wait_quiet([appliance, carrier])
                call = Call.select().where(Call.arrived_at >= started).get()
                confirmed = events.confirmed[call.call_id]
                rows = list(OutboxMessage.select().where(OutboxMessage.call == call,
                                                         OutboxMessage.reason == kinds.TAKEN))
                assert len(rows) == size - 1, (len(rows), size)
                to_rows.append(max(row.created_at.timestamp() for row in rows) - confirmed)
                to_bridge.append(events.bridged[call.call_id] - confirmed)
                to_heard.append(events.heard[call.call_id] - confirmed)
                deadline = time.monotonic() + 600
                while True:
                    sent = [OutboxMessage.get_by_id(row.id) for row in rows]
                    if all(row.state in (states.SENT, states.DELIVERED) for row in sent):
                        break
                    assert time.monotonic() < deadline, "messages not sent in 10 min"
                    time.sleep(0.05)
                to_sent.append(max(row.sent_at.timestamp() for row in sent) - confirmed)
            rows_ms = [value * 1000 for value in to_rows]
            print(f"{size:>5} {statistics.median(rows_ms):>17.1f} / {max(rows_ms):<10.1f}"
                  f"{statistics.median(to_bridge) * 1000:>20.1f} "
                  f"{statistics.median(to_sent):>26.2f}   (AMI delivery to another "
                  f"client: {statistics.median(to_heard) * 1000:.1f} ms)")
        appliance.close()
        carrier.close()


if __name__ == "__main__":
    main()
