"""The desktop console: start-up to the login window, call-log pages of 100,000 calls, memory.

(a) Start-up: wall time from starting the process to its first window being exposed, for the
    console's own main() (a first start: empty HOME, no known appliance, mDNS browsing) and,
    interleaved in the same run, a bare PySide6 QApplication showing an empty QWidget.
(b) Pages: a real `paivystys-api` process serving 100,000 calls (built as
    bench/calllog_page.py builds them); a console process asks its CallLogView for the first
    page, a filtered page (missed calls) and next pages by cursor, and times each until the
    rows are in the model and until the view is drawn.  Baseline, interleaved in the same
    process: the same request with plain httpx, JSON decoded.
(c) Memory: the console's RSS when its login window is shown, and the pager's after the first
    page and after paging on.

All children run offscreen (QT_QPA_PLATFORM=offscreen) in a private network namespace with
only `lo` (the console browses mDNS on every interface; here it finds only loopback), so it
needs root, as the other call-level benchmarks do.

Run: sudo .venv/bin/python bench/console.py [--calls 100000] [--starts 5] [--runs 20]
     [--console-python /path/to/office-venv/bin/python]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _lab import isolate, start_api, timed_step
from calllog_page import build

from paivystys.appliance.api.tls import CERT_FILE, fingerprint
from paivystys.appliance.db.database import open_database
from paivystys.appliance.users.service import ROLE_ADMIN, create_user

CHILD = Path(__file__).with_name("_console_child.py")
USER = "bench"
PASSWORD = "bench-salasana-1"
START_TIMEOUT_S = 60


def child_environment(home: Path) -> dict[str, str]:
    # A fresh HOME: a first start (no remembered appliance or language), and the benchmark
    # never touches the real user's console settings.
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local")}


def start_once(python: str, mode: str, home: Path) -> tuple[float, dict[str, Any]]:
    """Seconds from spawning the child to its window being exposed, and what it reported."""
    began = time.perf_counter()
    child = subprocess.Popen([python, str(CHILD), mode], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=child_environment(home))
    assert child.stdout is not None
    line = child.stdout.readline()
    elapsed = time.perf_counter() - began
    _out, errors = child.communicate(timeout=START_TIMEOUT_S)
    assert line and child.returncode == 0, f"{mode} failed ({child.returncode}): {errors}"
    return elapsed, json.loads(line)


def measure_startup(python: str, starts: int,
                    work: Path) -> dict[str, dict[str, list[float]]]:
    results: dict[str, dict[str, list[float]]] = {}
    for index in range(starts):
        for mode in ("startup-bare", "startup-console"):
            home = work / f"home-{mode}-{index}"
            home.mkdir()
            elapsed, fields = start_once(python, mode, home)
            samples = results.setdefault(mode, {"seconds": [], "rss_mb": []})
            samples["seconds"].append(elapsed)
            samples["rss_mb"].append(fields["VmRSS"] / 1024)
    return results


def serve_api(state: Path, calls: int) -> tuple[subprocess.Popen[bytes], str]:
    done = timed_step(f"building {calls:,} calls...")
    db = open_database(state / "paivystys.db")
    build(db, calls, random.Random(20261125))
    create_user(USER, PASSWORD, ROLE_ADMIN)
    db.close()
    done()
    process, port = start_api(state, START_TIMEOUT_S)
    return process, f"https://127.0.0.1:{port}"


def measure_paging(url: str, state: Path, runs: int, home: Path) -> list[dict[str, Any]]:
    ca_file = state / "tls" / CERT_FILE
    pager = subprocess.run(
        [sys.executable, str(CHILD), "paging", url, fingerprint(ca_file.read_bytes()),
         str(ca_file), USER, PASSWORD, str(runs)],
        capture_output=True, text=True, env=child_environment(home), timeout=600)
    reports = [json.loads(line) for line in pager.stdout.splitlines()]
    assert any(item["event"] == "timing" for item in reports), pager.stderr
    if pager.returncode != 0:
        # The numbers are in; say how the process ended rather than hide it: PySide6 6.12.0
        # on Python 3.11 drops a reference to None or True with many calls, and aborts.
        fatal = [line for line in pager.stderr.splitlines() if "Fatal" in line]
        print(f"\n  (the pager exited with {pager.returncode} after reporting: "
              f"{fatal[0] if fatal else pager.stderr.strip()[-200:]})", end="")
    return reports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--runs", type=int, default=20)
    # The repository's venv holds the appliance and the test tools too (httpx then imports
    # its command line's rich, for one); an office PC's has the console's wheel alone.
    parser.add_argument("--console-python", default=sys.executable,
                        help="the Python whose console the start-up runs start (e.g. a "
                             "venv with only `pip install ./gui`)")
    args = parser.parse_args()
    isolate()
    with tempfile.TemporaryDirectory(prefix="paivystys-console-bench-") as temporary:
        work = Path(temporary)
        done = timed_step(f"starting the console and a bare window {args.starts} times each...")
        startup = measure_startup(args.console_python, args.starts, work)
        done()
        state = work / "appliance"
        state.mkdir()
        api, url = serve_api(state, args.calls)
        try:
            home = work / "home-pager"
            home.mkdir()
            done = timed_step(f"paging, {args.runs} runs per case...")
            paging = measure_paging(url, state, args.runs, home)
            done()
        finally:
            api.terminate()
            api.wait(timeout=10)
    print_report(args, startup, paging)


def print_report(args: argparse.Namespace, startup: dict[str, dict[str, list[float]]],
                 paging: list[dict[str, Any]]) -> None:
    bare = statistics.median(startup["startup-bare"]["seconds"])
    print(f"\nStart-up to the first window exposed, offscreen, {args.starts} starts each "
          f"with {args.console_python} (median / max s, RSS MB at that moment):")
    for mode, label in (("startup-bare", "bare QApplication + QWidget"),
                        ("startup-console", "console: connect/login window")):
        seconds, rss = startup[mode]["seconds"], startup[mode]["rss_mb"]
        print(f"  {label:32} {statistics.median(seconds):6.2f} / {max(seconds):5.2f}   "
              f"{statistics.median(rss):5.0f} MB   "
              f"({statistics.median(seconds) / bare:4.1f} x bare)")
    print(f"\nCall-log pages of {args.calls:,} calls, {args.runs} runs, median ms "
          "(page size 100; plain = httpx + JSON in the same process):")
    print(f"  {'case':24} {'plain':>7} {'in model':>9} {'drawn':>7}  model / plain")
    for row in (item for item in paging if item["event"] == "timing"):
        plain, model, drawn = (row[key] * 1000 for key in ("plain", "model", "drawn"))
        print(f"  {row['case']:24} {plain:7.1f} {model:9.1f} {drawn:7.1f}  {model / plain:5.2f} x")
    print("\nPager process memory (the console's call log with its client):")
    for row in (item for item in paging if item["event"] == "memory"):
        print(f"  {row['stage']:24} {row['rows']:6,} rows   RSS {row['VmRSS'] / 1024:5.0f} MB, "
              f"peak {row['VmHWM'] / 1024:5.0f} MB")


if __name__ == "__main__":
    main()
