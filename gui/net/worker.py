"""Blocking calls on Qt's thread pool, their answers back on the UI thread.

Every network call goes through here so that no window ever waits on the network.  A call's
answer is delivered by a queued signal, i.e. as an event on the UI thread; if the window that
asked has been closed meanwhile, the answer is dropped instead of touching a deleted widget.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal

from .client import ApiFailure, FailureKind

log = logging.getLogger(__name__)


class _Delivery(QObject):
    """Lives on the UI thread, as a child of the BackgroundCalls that made it."""

    succeeded = Signal(object)
    failed = Signal(object)


class _Call(QRunnable):
    def __init__(self, call: Callable[[], Any], delivery: _Delivery) -> None:
        super().__init__()
        self._call = call
        self._delivery = delivery

    def run(self) -> None:
        try:
            result = self._call()
        except ApiFailure as failure:
            self._deliver(self._delivery.failed, failure)
        except Exception as error:
            # A defect in the console, not a network failure: log the traceback for the bug
            # report, and still give the window an answer so nothing waits forever.
            log.exception("A background call failed unexpectedly")
            self._deliver(self._delivery.failed,
                          ApiFailure(FailureKind.SERVER_ERROR, f"{type(error).__name__}: {error}"))
        else:
            self._deliver(self._delivery.succeeded, result)

    @staticmethod
    def _deliver(signal: Any, value: object) -> None:
        # RuntimeError: the asking window is gone, its delivery object deleted: nobody to tell.
        with contextlib.suppress(RuntimeError):
            signal.emit(value)


class BackgroundCalls(QObject):
    """Runs calls for one window; its child objects die with the window, and so do answers."""

    def __init__(self, parent: QObject | None = None,
                 pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._pending: set[_Delivery] = set()

    @property
    def pending(self) -> int:
        """Calls whose answer has not been delivered yet (for busy indicators and tests)."""
        return len(self._pending)

    def run(self, call: Callable[[], Any], on_success: Callable[[Any], None],
            on_failure: Callable[[ApiFailure], None]) -> None:
        """Run `call()` in the pool; then `on_success(result)` or `on_failure(failure)` on the
        UI thread.  `call` must raise only ApiFailure for expected failures."""
        delivery = _Delivery(self)
        self._pending.add(delivery)

        def finish(handler: Callable[[Any], None], value: Any) -> None:
            self._pending.discard(delivery)
            delivery.deleteLater()
            handler(value)

        queued = Qt.ConnectionType.QueuedConnection
        delivery.succeeded.connect(lambda result: finish(on_success, result), queued)
        delivery.failed.connect(lambda failure: finish(on_failure, failure), queued)
        self._pool.start(_Call(call, delivery))
