"""The call log through the real API process on 100,000 calls: a page over HTTPS with JSON,
as the console asks for it (target: 200 ms), and the API process's memory.

Baseline in the same run: GET /api/me (the same TLS connection, login check and JSON, no call
log), so the ratio says what the call log adds.  The database is built as
bench/calllog_page.py builds it.  No root needed (loopback).

Run: .venv/bin/python bench/api_calllog.py [--calls 100000] [--runs 30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import ssl
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from _lab import start_api
from calllog_page import START, build, cursor_at

from paivystys.appliance.db.database import open_database
from paivystys.appliance.users.service import ROLE_ADMIN, create_user

PASSWORD = "bench-salasana-1"


def memory_kb(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def timed(client: httpx.Client, path: str, params: dict, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        answer = client.get(path, params=params)
        samples.append((time.perf_counter() - began) * 1000)
        assert answer.status_code == 200, answer.text
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        state = Path(temporary)
        db = open_database(state / "paivystys.db")
        build(db, args.calls, random.Random(20261125))
        create_user("bench", PASSWORD, ROLE_ADMIN)
        deep = cursor_at(args.calls * 9 // 10, None, "-arrived_at")
        process, port = start_api(state)
        try:
            idle = memory_kb(process.pid)
            trust = ssl.create_default_context(cafile=str(state / "tls" / "api.crt"))
            with httpx.Client(base_url=f"https://127.0.0.1:{port}", verify=trust) as client:
                token = client.post("/api/login", json={"username": "bench",
                                                        "password": PASSWORD}).json()["token"]
                client.headers["Authorization"] = f"Bearer {token}"
                window = {"since": (START + dt.timedelta(days=550)).isoformat(),
                          "until": (START + dt.timedelta(days=730)).isoformat(),
                          "number_id": 2, "outcome": "missed"}
                cases = [
                    ("baseline GET /api/me", "/api/me", {}),
                    ("page 1 (50 calls, legs)", "/api/calls", {"limit": 50}),
                    ("page 1 with total", "/api/calls", {"limit": 50, "with_total": True}),
                    ("row 90,000 by cursor", "/api/calls", {"limit": 50, "cursor": deep}),
                    ("number+outcome+half-year", "/api/calls", {"limit": 50, **window}),
                    ("a person's calls", "/api/calls", {"limit": 50, "person_id": 17}),
                    ("sort -wait_s page 1", "/api/calls", {"limit": 50, "sort": "-wait_s"}),
                ]
                results = [(name, *timed(client, path, params, args.runs))
                           for name, path, params in cases]
                began = time.perf_counter()
                size = len(client.get("/api/calls.csv").content)
                csv_s = time.perf_counter() - began
            busy = memory_kb(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=10)
        db.close()
    baseline = results[0][1]
    print(f"{args.calls} calls, {args.runs} runs each; ms over HTTPS (keep-alive), p50 / p95:")
    for name, p50, p95 in results:
        print(f"  {name:28} {p50:7.1f} / {p95:7.1f}   ({p50 / baseline:4.1f} x baseline)")
    print(f"  CSV of all calls: {csv_s:.1f} s, {size / 1e6:.1f} MB")
    print(f"API process memory: idle RSS {idle['VmRSS'] / 1024:.0f} MB; after the runs RSS "
          f"{busy['VmRSS'] / 1024:.0f} MB, peak {busy['VmHWM'] / 1024:.0f} MB")


if __name__ == "__main__":
    main()
