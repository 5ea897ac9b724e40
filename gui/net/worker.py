"""Blocking calls on Qt's thread pool, their answers back on the UI thread.

Every network call goes through here so that no window ever waits on the network.  A call's
answer is delivered by a queued signal, i.e. as an event on the UI thread; if the window that
asked has been deleted meanwhile, the answer is dropped instead of touching a deleted widget.

Qt objects must be created, used and destroyed on their own thread, and Python destroys an
object in whichever thread drops its last reference.  So a pool thread never holds the last
reference to anything a window owns: every call, handler and closure stays referenced from
`_pending` (UI side) until its answer has been handled on the UI thread, pool threads emit
only on one relay object that lives as long as the program, and tracebacks (whose frames
hold the asking window) are cut before an answer leaves the pool thread.
"""

from __future__ import annotations

import gc
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal

from paivystys.gui.net.client import ApiFailure, FailureKind

log = logging.getLogger(__name__)
GC_INTERVAL_MS = 1000


class _Relay(QObject):
    """The one object pool threads emit on; created on the UI thread, never deleted."""

    answered = Signal(int, bool, object)  # call id, succeeded, result or ApiFailure


@dataclass
class _Owner:
    """Whether the BackgroundCalls that asked still exists (a plain object: no Qt)."""

    alive: bool = True
    pending: int = 0


@dataclass
class _Pending:
    call: Callable[[], Any]
    on_success: Callable[[Any], None]
    on_failure: Callable[[ApiFailure], None]
    owner: _Owner = field(repr=False)


_relay: _Relay | None = None
_pending: dict[int, _Pending] = {}
_call_ids = itertools.count(1)


def _relay_on_ui_thread() -> _Relay:
    global _relay
    if _relay is None:
        _relay = _Relay()
        _relay.answered.connect(_deliver, Qt.ConnectionType.QueuedConnection)
    return _relay


def _deliver(call_id: int, succeeded: bool, value: Any) -> None:
    pending = _pending.pop(call_id)
    pending.owner.pending -= 1
    if not pending.owner.alive:
        return
    if succeeded:
        pending.on_success(value)
    else:
        pending.on_failure(value)


def _without_frames(failure: ApiFailure) -> ApiFailure:
    failure.__traceback__ = None
    failure.__cause__ = failure.__context__ = None
    return failure


class _Call(QRunnable):
    """Holds only an id, the relay and (while running) a borrowed reference to the call."""

    def __init__(self, call_id: int, relay: _Relay) -> None:
        super().__init__()
        self._call_id = call_id
        self._relay = relay

    def run(self) -> None:
        call = _pending[self._call_id].call
        succeeded = False
        try:
            value: Any = call()
            succeeded = True
        except ApiFailure as failure:
            value = _without_frames(failure)
        except Exception as error:
            # A defect in the console, not a network failure: log the traceback for the bug
            # report, and still give the window an answer so nothing waits forever.
            log.exception("A background call failed unexpectedly")
            value = ApiFailure(FailureKind.SERVER_ERROR, f"{type(error).__name__}: {error}")
        del call
        self._relay.answered.emit(self._call_id, succeeded, value)


class BackgroundCalls(QObject):
    """Runs calls for one window; once the window is deleted, answers to it are dropped."""

    def __init__(self, parent: QObject | None = None,
                 pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        owner = self._owner = _Owner()

        def forget() -> None:
            owner.alive = False

        self.destroyed.connect(forget)

    @property
    def pending(self) -> int:
        """Calls whose answer has not been delivered yet (for busy indicators and tests)."""
        return self._owner.pending

    def run(self, call: Callable[[], Any], on_success: Callable[[Any], None],
            on_failure: Callable[[ApiFailure], None]) -> None:
        """Run `call()` in the pool; then `on_success(result)` or `on_failure(failure)` on the
        UI thread.  `call` must raise only ApiFailure for expected failures."""
        call_id = next(_call_ids)
        _pending[call_id] = _Pending(call, on_success, on_failure, self._owner)
        self._owner.pending += 1
        self._pool.start(_Call(call_id, _relay_on_ui_thread()))


def finish_background_calls(timeout_ms: int = 3000) -> None:
    """At exit: drop calls not started yet and give running ones a moment to end."""
    pool = QThreadPool.globalInstance()
    pool.clear()
    pool.waitForDone(timeout_ms)


class UiThreadCollector(QObject):
    """Python's cycle collector, run on the UI thread only.

    Left automatic, a collection may start in whichever thread allocates at that moment, a
    pool thread included, and destroy a cycle holding Qt widgets there.  So automatic
    collection is off while this lives and a timer collects on the UI thread, by the same
    thresholds Python would use.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect)
        self._timer.start(GC_INTERVAL_MS)

    def collect(self) -> None:
        young, middle, old = gc.get_count()
        threshold_young, threshold_middle, threshold_old = gc.get_threshold()
        if old > threshold_old:
            gc.collect(2)
        elif middle > threshold_middle:
            gc.collect(1)
        elif young > threshold_young:
            gc.collect(0)

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()
