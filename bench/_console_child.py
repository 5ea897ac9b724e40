"""The processes bench/console.py measures: a console, a bare Qt window, a call-log pager.

Each is its own process so that its start-up and memory are the console's alone, not the
benchmark's (which holds peewee, the database builder and its own httpx).  Only the standard
library is imported at the top: what each child imports is part of what it measures.  Each
reports on stdout as JSON lines.

    python bench/_console_child.py startup-bare
    python bench/_console_child.py startup-console
    python bench/_console_child.py paging URL FINGERPRINT CA_FILE USER PASSWORD RUNS
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any


def report(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def memory_kb() -> dict[str, int]:
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def _exposure_hook(app: Any) -> None:
    """Report once the first window is on screen (its Expose event), then quit."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtGui import QWindow

    class FirstExposure(QObject):
        reported = False

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if (not self.reported and event.type() == QEvent.Type.Expose
                    and isinstance(watched, QWindow) and watched.isExposed()):
                self.reported = True
                report(event="exposed", **memory_kb())
                QTimer.singleShot(0, app.quit)
            return False

    app._first_exposure = FirstExposure(app)  # kept alive as long as the application
    app.installEventFilter(app._first_exposure)


def startup_bare() -> int:
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication(sys.argv)
    _exposure_hook(app)
    window = QWidget()
    window.show()
    return app.exec()


def startup_console() -> int:
    """The console's own main(), as the desktop entry starts it; the hook rides on its
    QApplication, which main() creates (so the name is swapped in the app module)."""
    from PySide6.QtWidgets import QApplication

    from paivystys.gui import app as console_app

    class ReportingApplication(QApplication):
        def __init__(self, argv: list[str]) -> None:
            super().__init__(argv)
            _exposure_hook(self)

    console_app.QApplication = ReportingApplication  # type: ignore[misc]
    return console_app.main(["paivystys-console"])


def paging(url: str, fingerprint: str, ca_file: str, user: str, password: str,
           runs: int) -> int:
    """Ask the call-log view for pages; time each until its rows are in the model (and until
    the view is drawn), against the same request made with plain httpx in the same run."""
    import ssl

    import httpx
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from paivystys.gui.calllog.view import CallLogView
    from paivystys.gui.net.client import ApplianceClient
    from paivystys.gui.net.worker import UiThreadCollector, finish_background_calls

    app = QApplication(sys.argv)
    collector = UiThreadCollector(app)  # as the console's main() runs it
    client = ApplianceClient(url, fingerprint)
    client.login(user, password)
    view = CallLogView(client)
    view.resize(1200, 800)
    view.show()
    page_size = view.page_size
    plain = httpx.Client(base_url=url, verify=ssl.create_default_context(cafile=ca_file),
                         headers={"Authorization": f"Bearer {client.token}"})

    def until(signal: Any, ask: Any) -> tuple[float, float]:
        """Seconds from `ask()` to `signal`, and to the view drawn after it."""
        loop = QEventLoop()
        arrived: list[float] = []

        def done(*_args: Any) -> None:
            arrived.append(time.perf_counter())
            loop.quit()

        signal.connect(done)
        QTimer.singleShot(30_000, loop.quit)
        began = time.perf_counter()
        ask()
        loop.exec()
        signal.disconnect(done)
        assert arrived, "no page within 30 s"
        view.grab()  # lays out and paints the whole view, as the next frame would
        return arrived[0] - began, time.perf_counter() - began

    def plain_page(params: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        began = time.perf_counter()
        answer = plain.get("/api/calls", params=params)
        answer.raise_for_status()
        page = answer.json()
        return time.perf_counter() - began, page

    def settle() -> None:
        """Until the view has no request on its way (a filter change starts one)."""
        loop = QEventLoop()
        poll = QTimer(interval=10)
        poll.timeout.connect(lambda: view.calls.pending or loop.quit())
        poll.start()
        loop.exec()
        poll.stop()

    view.period_box.setCurrentIndex(view.period_box.findData("all"))
    settle()
    report(event="memory", stage="first page shown", rows=view.model.rowCount(),
           **memory_kb())
    results: dict[str, dict[str, list[float]]] = {}

    def record(case: str, plain_s: float, model_s: float, drawn_s: float) -> None:
        samples = results.setdefault(case, {"plain": [], "model": [], "drawn": []})
        samples["plain"].append(plain_s)
        samples["model"].append(model_s)
        samples["drawn"].append(drawn_s)

    all_outcomes = 0  # the outcome filter's first entry
    for case, outcome in (("first page", None), ("filtered: missed", "missed")):
        view.outcome_box.setCurrentIndex(
            all_outcomes if outcome is None else view.outcome_box.findData(outcome))
        settle()
        for _ in range(runs):
            plain_s, _page = plain_page({**view.filter_params(), "limit": page_size,
                                         "with_total": True})
            model_s, drawn_s = until(view.model.modelReset, view.reload)
            record(case, plain_s, model_s, drawn_s)
    view.outcome_box.setCurrentIndex(all_outcomes)
    settle()
    _s, page = plain_page({**view.filter_params(), "limit": page_size})
    for _ in range(runs):
        plain_s, page = plain_page({**view.filter_params(), "limit": page_size,
                                    "cursor": page["next_cursor"]})
        model_s, drawn_s = until(view.model.rowsInserted, view.load_more)
        record("next page by cursor", plain_s, model_s, drawn_s)
    report(event="memory", stage=f"after {runs} more pages", rows=view.model.rowCount(),
           **memory_kb())
    for case, samples in results.items():
        report(event="timing", case=case, runs=runs,
               **{name: statistics.median(values) for name, values in samples.items()})
    view.close()
    plain.close()
    client.close()
    finish_background_calls()
    collector.stop()
    return 0


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    mode, *arguments = sys.argv[1:]
    if mode == "startup-bare":
        return startup_bare()
    if mode == "startup-console":
        return startup_console()
    if mode == "paging":
        url, fingerprint, ca_file, user, password, runs = arguments
        return paging(url, fingerprint, ca_file, user, password, int(runs))
    raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    raise SystemExit(main())
