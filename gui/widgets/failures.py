"""Failures as every screen shows them: worded for the person at the console, in the UI
language, on an inline error line with, where it helps, a button to try again.

The client reports kinds (net/client.py); this is the one place that turns a kind into a
sentence, so every window says the same thing about the same failure.  The texts are written
out in `QCoreApplication.translate` calls so that pyside6-lupdate finds them.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QDateTime
from PySide6.QtWidgets import QLabel, QPushButton

from paivystys.gui.net.client import ApiFailure, FailureKind


def describe(failure: ApiFailure, logging_in: bool = False) -> str:
    """One or two sentences: what happened and what to do next."""
    kind = failure.kind
    if kind is FailureKind.UNAUTHORIZED and logging_in:
        return QCoreApplication.translate("Failures", "Wrong username or password.")
    if kind is FailureKind.UNAUTHORIZED:
        return QCoreApplication.translate(
            "Failures", "Your login has expired or was ended on the switchboard. Log in again.")
    if kind is FailureKind.LOCKED:
        until = QDateTime.currentDateTime().addSecs(failure.retry_after or 0).toString("HH:mm")
        return QCoreApplication.translate(
            "Failures", "Too many wrong passwords: this user is locked until {time}. "
                     "An admin can unlock it sooner.").format(time=until)
    if kind is FailureKind.THROTTLED:
        return QCoreApplication.translate(
            "Failures", "Too many failed logins from this computer. "
                     "Wait {seconds} s and try again.").format(
            seconds=failure.retry_after or 60)
    if kind is FailureKind.UNREACHABLE:
        return QCoreApplication.translate(
            "Failures", "The switchboard does not answer. Check that it is powered on and that "
                     "this computer is on the same network.")
    if kind is FailureKind.TLS_MISMATCH:
        return QCoreApplication.translate(
            "Failures", "The switchboard presented a different certificate than the one you "
                     "trusted. Nothing was sent to it. Connect again to see the details.")
    if kind is FailureKind.FORBIDDEN:
        return QCoreApplication.translate("Failures", "Your user is not allowed to do this.")
    if kind is FailureKind.NOT_FOUND:
        return QCoreApplication.translate(
            "Failures", "It is no longer there: someone may have removed it meanwhile.")
    if kind is FailureKind.INVALID and failure.field:
        return QCoreApplication.translate(
            "Failures", "The value of “{field}” was refused: {reason}").format(
            field=failure.field, reason=failure.message)
    if kind is FailureKind.INVALID:
        return QCoreApplication.translate(
            "Failures", "The switchboard refused the request: {reason}").format(
            reason=failure.message)
    return QCoreApplication.translate(
        "Failures", "The switchboard ran into an error. Try again; if it keeps happening, see "
                 "its health page or log.")


def error_label() -> QLabel:
    """A hidden inline error line, shown in the theme's error red when there is something."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet("QLabel { color: #b3261e; }")
    label.setVisible(False)
    return label


def try_again_button(text: str) -> QPushButton:
    button = QPushButton(text)
    button.setVisible(False)
    return button
