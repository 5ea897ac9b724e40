"""The Qt binding keeps Python's reference counts right.

PySide6 6.12.0 dropped a reference to None on every void Qt call and to True on every signal
emitted from Python; on Python 3.11, where those objects can be freed, the console aborted
("bool_dealloc") after a few thousand calls.  This fails on such a binding before a user's
console does.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QLabel

CALLS = 5000


class _Emitter(QObject):
    ticked = Signal(int)


def test_qt_calls_and_emits_keep_none_and_true_alive(qapp: QApplication) -> None:
    label = QLabel()
    emitter = _Emitter()
    emitter.ticked.connect(label.setNum)
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for number in range(CALLS):
        label.setText("päivystys")
        emitter.ticked.emit(number)
    # A few references may come and go with the interpreter's own work, never thousands.
    assert sys.getrefcount(None) > none_before - CALLS // 10
    assert sys.getrefcount(True) > true_before - CALLS // 10
