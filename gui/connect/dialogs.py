"""The two certificate decisions: trusting an appliance the first time, and a changed one.

Both are opened with `open()` (window-modal, not a nested event loop), report through
`accepted`/`rejected`, and are children of the connect window, so tests find and click them
like a person would.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

PAIRS_PER_LINE = 8
CONFIRM_DIGITS = 4


def grouped_fingerprint(fingerprint: str) -> str:
    """Four lines of eight pairs: short enough to read aloud and compare line by line."""
    pairs = fingerprint.split(":")
    return "\n".join(":".join(pairs[i:i + PAIRS_PER_LINE])
                     for i in range(0, len(pairs), PAIRS_PER_LINE))


def fingerprint_label(fingerprint: str, object_name: str) -> QLabel:
    label = QLabel(grouped_fingerprint(fingerprint))
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    label.setFont(font)
    label.setObjectName(object_name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setFrameShape(QFrame.Shape.StyledPanel)
    label.setStyleSheet("QLabel { background: palette(base); padding: 10px; }")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


def _wrapped(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class FingerprintDialog(QDialog):
    """First connect: show the certificate's fingerprint for comparison with the box's own."""

    def __init__(self, appliance: str, fingerprint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fingerprint = fingerprint
        self.setWindowTitle(self.tr("New switchboard"))
        self.setMinimumWidth(520)
        heading = QLabel(self.tr("Is this your switchboard?"))
        heading.setFont(_heading_font(self.font()))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.trust_button = QPushButton(self.tr("Trust and connect"))
        # Trusting must be a deliberate click, never a hurried Enter.
        buttons = _button_row(default=self.cancel_button, deliberate=self.trust_button)
        self.cancel_button.clicked.connect(self.reject)
        self.trust_button.clicked.connect(self.accept)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        layout.addWidget(heading)
        layout.addWidget(_wrapped(self.tr(
            "This computer has not connected to {appliance} before. Its certificate "
            "fingerprint is:").format(appliance=appliance)))
        layout.addWidget(fingerprint_label(fingerprint, "fingerprint"))
        layout.addWidget(_wrapped(self.tr(
            "Compare it with what the command <b>paivystys status</b> shows on the switchboard, "
            "or its own screen before it is set up (or ask the person who installed it). Trust "
            "it only if they are the same: from then on this computer talks only to the "
            "switchboard with this certificate.")))
        layout.addSpacing(4)
        layout.addLayout(buttons)


class CertificateChangedDialog(QDialog):
    """A pinned appliance presents another certificate: refuse unless a person insists.

    Either the box was reinstalled (a new certificate is normal then) or something else on the
    network answers in its name.  The default is not to connect; trusting the new certificate
    needs its first digits typed from the box's own `paivystys status`, so nobody clicks
    through without looking at the box.
    """

    def __init__(self, appliance: str, pinned: str, presented: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.presented = presented
        self.setWindowTitle(self.tr("Warning: certificate changed"))
        self.setMinimumWidth(560)

        banner = QLabel(self.tr("The certificate of {appliance} has CHANGED").format(
            appliance=appliance))
        banner.setObjectName("warning_banner")
        banner.setFont(_heading_font(self.font()))
        banner.setWordWrap(True)
        banner.setStyleSheet("QLabel#warning_banner { background: #b3261e; color: white; "
                             "padding: 12px; border-radius: 4px; }")

        self.confirmation = QLineEdit()
        self.confirmation.setObjectName("confirmation")
        self.confirmation.setPlaceholderText(self.tr("first {n} characters").format(
            n=CONFIRM_DIGITS))
        self.confirmation.setMaximumWidth(180)

        self.refuse_button = QPushButton(self.tr("Do not connect"))
        self.trust_button = QPushButton(self.tr("Trust the new certificate"))
        self.trust_button.setEnabled(False)
        buttons = _button_row(default=self.refuse_button, deliberate=self.trust_button)
        self.refuse_button.clicked.connect(self.reject)
        self.trust_button.clicked.connect(self.accept)
        self.confirmation.textChanged.connect(self._check_confirmation)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(10)
        layout.addWidget(banner)
        layout.addWidget(_wrapped(self.tr(
            "The switchboard now presents a different certificate than the one this computer "
            "trusted. Either it has been reinstalled or reset, or another device on the "
            "network is pretending to be it. Nothing has been sent to it.")))
        layout.addWidget(QLabel(self.tr("Trusted until now:")))
        layout.addWidget(fingerprint_label(pinned, "pinned_fingerprint"))
        layout.addWidget(QLabel(self.tr("Presented now:")))
        layout.addWidget(fingerprint_label(presented, "presented_fingerprint"))
        layout.addWidget(_wrapped(self.tr(
            "If you know the switchboard was reinstalled, check the new fingerprint with "
            "<b>paivystys status</b> on the switchboard and type its first {n} characters "
            "here:").format(n=CONFIRM_DIGITS)))
        layout.addWidget(self.confirmation)
        layout.addSpacing(4)
        layout.addLayout(buttons)
        self.refuse_button.setFocus()

    def _check_confirmation(self, text: str) -> None:
        typed = "".join(text.split()).replace(":", "").upper()
        expected = self.presented.replace(":", "")[:CONFIRM_DIGITS]
        self.trust_button.setEnabled(typed == expected)


def _button_row(default: QPushButton, deliberate: QPushButton) -> QHBoxLayout:
    """The safe choice is the default (Enter); the risky one only ever takes a click.

    Plain buttons rather than QDialogButtonBox, which makes its accept button the default.
    """
    default.setDefault(True)
    deliberate.setAutoDefault(False)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(deliberate)
    row.addWidget(default)
    return row


def _heading_font(base: QFont) -> QFont:
    font = QFont(base)
    font.setPointSizeF(base.pointSizeF() * 1.35)
    font.setBold(True)
    return font


def heading_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setFont(_heading_font(label.font()))
    return label
