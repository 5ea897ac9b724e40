"""Manage, Backups against the real API: the backups the switchboard keeps, listed with a
Download button each that saves it where the admin chooses (whole, readable by the owner
only), one saved now, the configuration as it is now, and a restore asked first."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from paivystys.appliance.directory import Directory
from paivystys.gui.manage.backups import DOWNLOAD_COLUMN
from paivystys.gui.manage.view import ManageView
from paivystys.gui.net.client import ApplianceClient
from paivystys.gui.tests.conftest import ADMIN_PASSWORD, Appliance, screenshot


@pytest.fixture
def manage(qtbot: QtBot, appliance: Appliance, show: Callable[[ManageView], ManageView],
           log_in: Callable[[str, str], ApplianceClient]) -> ManageView:
    view = ManageView(log_in("admin", ADMIN_PASSWORD))
    view.resize(1000, 560)
    show(view)
    view.tabs.setCurrentWidget(view.backups)
    _settle(qtbot, view)
    return view


def _settle(qtbot: QtBot, view: ManageView) -> None:
    qtbot.waitUntil(lambda: view.calls.pending == 0)


def _save_here(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[str]:
    """The file dialog answers `path`; returns the names it was offered."""
    offered: list[str] = []

    def dialog(_parent: object, _title: str, suggested: str, _filter: str) -> tuple[str, str]:
        offered.append(Path(suggested).name)
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    return offered


def _private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_backup_saved_now_is_listed_and_downloaded_from_its_row(
        qtbot: QtBot, manage: ManageView, appliance: Appliance, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    page = manage.backups
    assert page.about.text().startswith("This switchboard saves no backup at night (lab mode "
                                        "has no nightly timer)")  # not a box
    assert "It keeps the newest 14." in page.about.text()
    assert "no backups on the switchboard yet" in page.about.text()
    page.save_button.click()
    _settle(qtbot, manage)
    assert page.model.rowCount() == 1
    name = page.model.rows[0]["name"]
    assert page.status.text() == f"Saved {name} on the switchboard."
    assert page.model.index(0, 1).data() == name
    assert page.model.index(0, 2).data().endswith(" kB")
    stored = appliance.state_dir / "backups" / name
    button = page.table.indexWidget(page.model.index(0, DOWNLOAD_COLUMN))
    assert isinstance(button, QPushButton) and button.text() == "Download…"
    screenshot(manage, "manage-backups", tmp_path)

    target = tmp_path / "kopiot" / "toimisto.json"
    target.parent.mkdir()
    offered = _save_here(monkeypatch, target)
    button.click()
    _settle(qtbot, manage)
    assert offered == [name]
    assert target.read_bytes() == stored.read_bytes()
    assert _private(target)
    assert [path.name for path in target.parent.iterdir()] == ["toimisto.json"]  # no .part
    assert page.status.text() == f"Saved {target}. Keep it safe: it holds passwords."


def test_the_configuration_as_it_is_now_is_downloaded(
        qtbot: QtBot, manage: ManageView, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    Directory().add_group("Juuri lisätty")
    target = tmp_path / "nyt.json"
    offered = _save_here(monkeypatch, target)
    manage.backups.current_button.click()
    _settle(qtbot, manage)
    assert offered[0].startswith("paivystys-backup-") and offered[0].endswith(".json")
    backup = json.loads(target.read_bytes())
    assert "Juuri lisätty" in [group["name"] for group in backup["tables"]["group"]]
    assert _private(target)


def test_a_place_that_cannot_be_written_is_said_and_nothing_is_left(
        qtbot: QtBot, manage: ManageView, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "ei-ole" / "kopio.json"
    _save_here(monkeypatch, target)
    manage.backups.current_button.click()
    _settle(qtbot, manage)
    page = manage.backups
    assert page.error.isVisible()
    assert page.error.text() == f"Cannot write {target}: No such file or directory"
    assert not target.parent.exists()


def test_nothing_is_downloaded_when_the_dialog_is_cancelled(
        qtbot: QtBot, manage: ManageView, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args: ("", ""))
    manage.backups.current_button.click()
    _settle(qtbot, manage)
    assert manage.backups.status.text() == "" and not manage.backups.error.isVisible()


def test_a_restore_is_asked_first_and_then_ends_the_login(
        qtbot: QtBot, manage: ManageView, log_in: Callable[[str, str], ApplianceClient]) -> None:
    page = manage.backups
    page.save_button.click()
    _settle(qtbot, manage)
    name = page.model.rows[0]["name"]
    Directory().add_group("Palautuksessa poistuva")
    assert not page.restore_button.isEnabled()  # nothing chosen yet
    page.table.selectRow(0)
    page.restore_button.click()
    box = page.confirmation
    assert box is not None
    assert "Replace the whole configuration with the backup of " in box.text()
    assert "Every login ends, this one too" in box.informativeText()
    assert box.defaultButton() is next(b for b in box.buttons()
                                       if box.buttonRole(b) == QMessageBox.ButtonRole.RejectRole)
    next(b for b in box.buttons()
         if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole).click()
    qtbot.waitUntil(lambda: page.confirmation is None)
    _settle(qtbot, manage)
    assert page.status.text() == f"Restored the backup {name}. Log in again to go on."
    assert not page.save_button.isEnabled() and not page.restore_button.isEnabled()
    groups = [group["name"] for group in log_in("admin", ADMIN_PASSWORD).get("/api/groups")]
    assert "Palautuksessa poistuva" not in groups


def test_a_box_says_it_saves_one_every_night(qtbot: QtBot, manage: ManageView,
                                             appliance: Appliance) -> None:
    deployment = appliance.state_dir / "deployment.json"
    deployment.write_text(json.dumps({"kind": "system"}))  # as the box's set-up writes it
    try:
        manage.backups.reload()
        _settle(qtbot, manage)
    finally:
        deployment.unlink()
    assert manage.backups.about.text().startswith(
        "Every night the switchboard saves its configuration (people, groups, numbers, users, "
        "settings, SMS texts and the trunk; not the call log or recordings) and keeps the "
        "newest 14. A backup holds the trunk's password")
