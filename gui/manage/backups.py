"""Backups: the configuration backups the switchboard keeps (one every night, the newest of
them as many as its settings say), each downloaded to where the admin chooses or restored;
one saved on the switchboard now, or the configuration downloaded as it is now.

A backup holds the trunk's password and the users' password hashes: a downloaded one is
written readable by its owner only, whole or not at all (a temporary file beside the chosen
one, renamed when complete), so a failed download never leaves half a backup."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QFileDialog, QPushButton, QVBoxLayout, QWidget

from paivystys.gui.formatting import format_datetime, format_decimal
from paivystys.gui.manage.page import ManagePage, heading
from paivystys.gui.manage.tables import Column, Row, RowsModel, rows_table, selected_row
from paivystys.gui.net.client import ApiFailure, ApplianceClient, FailureKind
from paivystys.gui.net.worker import BackgroundCalls
from paivystys.gui.widgets.fields import hint_label
from paivystys.gui.widgets.table import NUMBER_ALIGNMENT

DOWNLOAD_COLUMN = 3


@dataclass(frozen=True)
class Download:
    """Where a download went; `write_error` says why it could not be written there."""

    path: Path
    write_error: str | None = None


def _saved_at(backup: Row) -> str:
    return format_datetime(dt.datetime.fromisoformat(backup["created_at"]), QLocale())


def save_privately(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write `path` through `write(stream)` readable by its owner only (mode 0600 where the
    system has modes), complete or not at all."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


class BackupsPage(ManagePage):
    def __init__(self, client: ApplianceClient, calls: BackgroundCalls,
                 parent: QWidget | None = None) -> None:
        super().__init__(client, calls, parent)
        self.folder = Path.home()  # where the last backup was saved
        self.kept: int | None = None
        self.about = hint_label("")
        self.model = RowsModel(self, [
            Column(self.tr("Saved"), _saved_at),
            Column(self.tr("File"), lambda backup: backup["name"]),
            Column(self.tr("Size"), lambda backup: self.tr("{size} kB").format(
                size=format_decimal(backup["size"] / 1000, QLocale())),
                alignment=NUMBER_ALIGNMENT),
            Column("", lambda _backup: ""),  # the row's Download button
        ])
        self.table = rows_table(self.model, sortable=False)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._add_download_buttons)
        self.download_buttons: dict[str, QPushButton] = {}
        self.save_button = QPushButton(self.tr("Save a backup now"))
        self.save_button.setToolTip(self.tr("Saves the configuration on the switchboard, "
                                            "beside the nightly backups."))
        self.save_button.clicked.connect(self.save_now)
        self.current_button = QPushButton(self.tr("Download the configuration now…"))
        self.current_button.setToolTip(self.tr("The configuration as it is at this moment, "
                                               "saved on this computer."))
        self.current_button.clicked.connect(self.download_current)
        self.restore_button = QPushButton(self.tr("Restore…"))
        self.restore_button.clicked.connect(self.restore_selected)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("Backups on the switchboard")))
        layout.addWidget(self.about)
        layout.addWidget(self.table, 1)
        layout.addLayout(self.message_row(self.save_button, self.current_button,
                                          self.restore_button))
        self._selection_changed()

    def reload(self) -> None:
        self.ask(lambda: self.client.get("/api/backups"), self._show)

    def _show(self, answer: dict) -> None:
        self.kept = answer["kept"]
        about = (self.tr(
            "Every night the switchboard saves its configuration (people, groups, numbers, "
            "users, settings, SMS texts and the trunk; not the call log or recordings) and "
            "keeps the newest {kept}.") if answer["nightly"] else self.tr(
            "This switchboard saves no backup at night (lab mode has no nightly timer): save "
            "one with “Save a backup now”. It keeps the newest {kept}.")).format(
            kept=answer["kept"])
        about += " " + self.tr("A backup holds the trunk's password and the users' password "
                               "hashes: keep downloaded copies as safe as passwords.")
        if not answer["backups"]:
            about += " " + self.tr("There are no backups on the switchboard yet.")
        self.about.setText(about)
        chosen = selected_row(self.table)
        self.model.replace_rows(answer["backups"])
        names = [backup["name"] for backup in answer["backups"]]
        if chosen is not None and chosen["name"] in names:
            self.table.selectRow(names.index(chosen["name"]))
        self._selection_changed()

    def _add_download_buttons(self) -> None:
        self.download_buttons = {}
        for row, backup in enumerate(self.model.rows):
            button = QPushButton(self.tr("Download…"))
            button.clicked.connect(lambda _checked=False, name=backup["name"]:
                                   self.download_stored(name))
            self.table.setIndexWidget(self.model.index(row, DOWNLOAD_COLUMN), button)
            self.download_buttons[backup["name"]] = button

    def _selection_changed(self) -> None:
        self.restore_button.setEnabled(selected_row(self.table) is not None)

    # --- saving and downloading --------------------------------------------------------

    def save_now(self) -> None:
        def saved(backup: Row) -> None:
            self.save_button.setEnabled(True)
            self.say(self.tr("Saved {name} on the switchboard.").format(name=backup["name"]))
            self.reload()

        def refused(failure: ApiFailure) -> None:
            self.save_button.setEnabled(True)
            if failure.kind is FailureKind.SERVER_ERROR and failure.message:
                # The switchboard says why (its database failed the integrity check).
                self.error.setText(self.tr("Not saved: {reason}").format(
                    reason=failure.message))
                self.error.setVisible(True)
                self.status.setVisible(False)
            else:
                self.failed(failure)

        self.save_button.setEnabled(False)
        self.calls.run(lambda: self.client.post("/api/backups"), saved, refused)

    def choose_file(self, name: str) -> Path | None:
        """Where to save the backup `name` on this computer; None: not at all."""
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Save the backup"), str(self.folder / name),
            self.tr("Backups (*.json)"))
        return Path(path) if path else None

    def download_stored(self, name: str) -> None:
        path = self.choose_file(name)
        if path is not None:
            self.download_to(f"/api/backups/{name}", path)

    def download_current(self) -> None:
        now = dt.datetime.now(dt.UTC)
        path = self.choose_file(f"paivystys-backup-{now:%Y%m%d-%H%M%S}.json")
        if path is not None:
            self.download_to("/api/backup", path)

    def download_to(self, api_path: str, path: Path) -> None:
        """Download in the background into `path`, whole and private or not at all."""
        client = self.client

        def download() -> Download:
            try:
                save_privately(path, lambda stream: client.download(api_path, stream))
            except OSError as error:
                return Download(path, error.strerror or str(error))
            return Download(path)

        self.say(self.tr("Downloading…"))
        self.calls.run(download, self._downloaded, self.failed)

    def _downloaded(self, result: Download) -> None:
        if result.write_error is not None:
            self.status.setVisible(False)
            self.error.setText(self.tr("Cannot write {path}: {reason}").format(
                path=result.path, reason=result.write_error))
            self.error.setVisible(True)
            return
        self.folder = result.path.parent
        self.say(self.tr("Saved {path}. Keep it safe: it holds passwords.").format(
            path=result.path))

    # --- restoring ---------------------------------------------------------------------

    def restore_selected(self) -> None:
        backup = selected_row(self.table)
        if backup is None:
            return
        name = backup["name"]
        self.confirm(
            self.tr("Restore a backup"),
            self.tr("Replace the whole configuration with the backup of {time}?").format(
                time=_saved_at(backup)),
            [self.tr("People, groups, numbers, users, settings, SMS texts and the trunk become "
                     "what they were then; later changes are lost."),
             self.tr("The call log and recordings stay as they are."),
             self.tr("Every login ends, this one too: log in again afterwards.")],
            self.tr("Restore"), lambda: self._restore(name))

    def _restore(self, name: str) -> None:
        def restored(_answer: Row) -> None:
            # Every login has ended: the next call to the switchboard asks for a new one.
            self.say(self.tr("Restored the backup {name}. Log in again to go on.").format(
                name=name))
            for button in (self.save_button, self.current_button, self.restore_button):
                button.setEnabled(False)

        def refused(failure: ApiFailure) -> None:
            self.failed(failure)
            self._selection_changed()

        self.restore_button.setEnabled(False)
        self.calls.run(lambda: self.client.post(f"/api/backups/{name}/restore"), restored,
                       refused)

