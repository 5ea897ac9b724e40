"""The switchboard's software: the version it runs, and an update from a package its vendor
signed (the .deb, with its .sig file beside it).

The package is uploaded with its signature; the switchboard checks both and installs it
itself.  Installing restarts its services (not calls in progress), so the page keeps asking
while the update is on its way and says the switchboard is restarting while it does not
answer; it answers again with the same certificate, so the console connects as before.
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from paivystys.gui.manage.page import ManagePage, heading
from paivystys.gui.net.client import ApiFailure, ApplianceClient, FailureKind
from paivystys.gui.net.worker import BackgroundCalls
from paivystys.gui.widgets.fields import hint_label

SIGNATURE_SUFFIX = ".sig"
SIGNATURE_HEADER = "Update-Signature"
MAX_SIGNATURE_BYTES = 4096
DEB_TYPE = "application/vnd.debian.binary-package"
POLL_MS = 2_000  # while an update is on its way
PROGRESS_MS = 100
# Where the update has not ended yet: the page keeps asking.
UNDER_WAY = ("waiting", "installing")
BAD_STYLE = "QLabel { color: #b00020; font-weight: bold; }"


@dataclass
class ChosenPackage:
    path: Path
    size: int
    signature: bytes
    version: str | None  # as its signature file says (checked by the switchboard, not here)


class UploadProgress:
    """Bytes sent so far: written by the upload's pool thread, read by the page's timer (a
    plain object: no Qt object is touched from the pool thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sent = 0

    def set(self, sent: int) -> None:
        with self._lock:
            self._sent = sent

    @property
    def sent(self) -> int:
        with self._lock:
            return self._sent


class SoftwarePage(ManagePage):
    def __init__(self, client: ApplianceClient, calls: BackgroundCalls,
                 parent: QWidget | None = None) -> None:
        super().__init__(client, calls, parent)
        self.software: dict[str, Any] = {}
        self.chosen: ChosenPackage | None = None
        self.uploading: UploadProgress | None = None

        self.version = QLabel(self.tr("…"))
        self.version.setObjectName("installedVersion")
        self.state = QLabel(self.tr("…"))
        self.state.setObjectName("updateState")
        self.state.setWordWrap(True)
        facts = QFormLayout()
        facts.setHorizontalSpacing(14)
        facts.addRow(self.tr("Installed version:"), self.version)
        facts.addRow(self.tr("Update:"), self.state)

        self.choose_button = QPushButton(self.tr("Choose package…"))
        self.choose_button.clicked.connect(self.choose)
        self.chosen_label = QLabel(self.tr("No package chosen."))
        self.chosen_label.setObjectName("chosenPackage")
        self.chosen_label.setWordWrap(True)
        self.install_button = QPushButton(self.tr("Install update…"))
        self.install_button.setEnabled(False)
        self.install_button.clicked.connect(self.install)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        chooser = QHBoxLayout()
        chooser.addWidget(self.choose_button)
        chooser.addWidget(self.chosen_label, 1)
        chooser.addWidget(self.install_button)

        holder = QVBoxLayout()
        holder.setContentsMargins(12, 12, 12, 12)
        holder.addWidget(heading(self.tr("Switchboard software")))
        holder.addLayout(facts)
        holder.addSpacing(12)
        holder.addWidget(hint_label(self.tr(
            "An update is a package from the switchboard's vendor: a .deb file with its "
            "signature (the .sig file of the same name) beside it. The switchboard installs "
            "only a newer version its vendor signed. Its services restart for a minute or two; "
            "calls in progress go on, and everything (settings, call log, recordings, "
            "logins) is kept.")))
        holder.addLayout(chooser)
        holder.addWidget(self.progress)
        holder.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(holder, 1)
        layout.addLayout(self.message_row())

        self.poll = QTimer(self)
        self.poll.setInterval(POLL_MS)
        self.poll.timeout.connect(self._poll)
        self.progress_timer = QTimer(self)
        self.progress_timer.setInterval(PROGRESS_MS)
        self.progress_timer.timeout.connect(self._show_progress)

    # --- what the switchboard says --------------------------------------------------------

    def reload(self) -> None:
        self.calls.run(lambda: self.client.get("/api/update"), self._show, self._not_answered)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.poll.stop()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.software.get("state") in UNDER_WAY:
            self.poll.start()

    def _poll(self) -> None:
        if self.calls.pending == 0:  # the answer before is still on its way: skip this one
            self.reload()

    def _show(self, update: dict[str, Any]) -> None:
        self.software = update
        self.error.setVisible(False)
        self.version.setText(update["installed_version"] if not update["architecture"] else
                             self.tr("{version} ({architecture})").format(
                                 version=update["installed_version"],
                                 architecture=update["architecture"]))
        text, bad = self._state_text(update)
        self.state.setText(text)
        self.state.setStyleSheet(BAD_STYLE if bad else "")
        under_way = update["state"] in UNDER_WAY
        if under_way and self.isVisible():
            self.poll.start()
        elif not under_way:
            self.poll.stop()
        self._enable()

    def _state_text(self, update: dict[str, Any]) -> tuple[str, bool]:
        """What the update's state means for the person at the console, and whether it is a
        problem."""
        if not update["updates"]:
            return self.tr("This switchboard takes no updates: {reason}").format(
                reason=update["why_not"]), False
        state, version = update["state"], update["version"]
        if state == "waiting":
            return self.tr("Version {version} is uploaded; the switchboard is about to "
                           "install it.").format(version=version), False
        if state == "installing":
            return self.tr("Installing version {version}. The switchboard's services restart; "
                           "calls in progress go on.").format(version=version), False
        if state == "installed":
            return self.tr("Version {version} was installed (asked by {user}).").format(
                version=version, user=update["requested_by"] or "?"), False
        if state == "failed":
            return self.tr("The update to version {version} failed: {reason}").format(
                version=version or "?", reason=update["reason"]), True
        return self.tr("No update so far."), False

    def _not_answered(self, failure: ApiFailure) -> None:
        """While an update is on its way, a switchboard that does not answer is restarting its
        services: keep asking."""
        if failure.kind is FailureKind.UNREACHABLE and self.software.get("state") in UNDER_WAY:
            self.state.setText(self.tr("The switchboard is restarting its services to finish "
                                       "the update…"))
            self.state.setStyleSheet("")
            return
        self.poll.stop()
        self.failed(failure)

    # --- choosing and uploading a package ---------------------------------------------------

    def choose(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Choose the update package"), "",
            self.tr("Debian packages (*.deb)"))
        if path:
            self.select(Path(path))

    def select(self, path: Path) -> None:
        """Take `path` as the package to install, with its signature beside it."""
        self.chosen = None
        signature_path = path.with_name(path.name + SIGNATURE_SUFFIX)
        try:
            size = path.stat().st_size
            with signature_path.open("rb") as file:
                signature = file.read(MAX_SIGNATURE_BYTES + 1)
        except OSError as error:
            missing = signature_path if not signature_path.exists() else path
            self.chosen_label.setText(self.tr("Cannot read {file}: {reason}. The signature "
                                              "file goes beside the package.").format(
                file=missing.name, reason=error.strerror or error))
            self.chosen_label.setStyleSheet(BAD_STYLE)
            self._enable()
            return
        self.chosen = ChosenPackage(path, size, signature, _signed_version(signature))
        self.chosen_label.setStyleSheet("")
        self.chosen_label.setText(
            self.tr("{file}: version {version}").format(file=path.name,
                                                        version=self.chosen.version)
            if self.chosen.version else path.name)
        self._enable()

    def _enable(self) -> None:
        takes_updates = bool(self.software.get("updates"))
        busy = self.uploading is not None or self.software.get("state") in UNDER_WAY
        self.choose_button.setEnabled(takes_updates and not busy)
        self.install_button.setEnabled(takes_updates and not busy and self.chosen is not None)

    def install(self) -> None:
        chosen = self.chosen
        if chosen is None:
            return
        version = chosen.version or chosen.path.name
        self.confirm(self.tr("Install the update"),
                     self.tr("Install version {version} on the switchboard?").format(
                         version=version),
                     [self.tr("Its services restart for a minute or two; calls in progress "
                              "go on."),
                      self.tr("The console reconnects by itself when the switchboard "
                              "answers again.")],
                     self.tr("Install"), lambda: self.upload(chosen))

    def upload(self, chosen: ChosenPackage) -> None:
        progress = self.uploading = UploadProgress()
        self.progress.setRange(0, max(1, chosen.size))
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.progress_timer.start()
        self.say(self.tr("Uploading {file}…").format(file=chosen.path.name))
        self._enable()
        client = self.client
        headers = {SIGNATURE_HEADER: base64.b64encode(chosen.signature).decode(),
                   "Content-Type": DEB_TYPE}

        def send() -> Any:
            with chosen.path.open("rb") as file:
                return client.upload("/api/update", file, chosen.size, headers, progress.set)

        self.calls.run(send, self._uploaded, self._upload_refused)

    def _show_progress(self) -> None:
        if self.uploading is not None:
            self.progress.setValue(self.uploading.sent)

    def _upload_ended(self) -> None:
        self.uploading = None
        self.progress_timer.stop()
        self.progress.setVisible(False)

    def _uploaded(self, update: dict[str, Any]) -> None:
        self._upload_ended()
        self.chosen = None
        self.chosen_label.setText(self.tr("No package chosen."))
        self.say(self.tr("Uploaded. The switchboard checked the package and installs it "
                         "now."))
        self._show(update)

    def _upload_refused(self, failure: ApiFailure) -> None:
        self._upload_ended()
        if failure.kind is FailureKind.INVALID:
            self.status.setVisible(False)
            self.error.setText(self.tr("Not installed: {reason}").format(
                reason=failure.message))
            self.error.setVisible(True)
            self._enable()
            return
        self.failed(failure)
        self._enable()


def _signed_version(signature: bytes) -> str | None:
    """The version a signature file names, to show before uploading; None when it names
    none (the switchboard then says what is wrong with it)."""
    try:
        version = json.loads(signature).get("version")
    except (ValueError, AttributeError):
        return None
    return version if isinstance(version, str) and len(version) <= 64 else None
