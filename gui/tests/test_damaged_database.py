"""A switchboard whose database failed its integrity check at boot, as the console shows it:
the health strip says it in red with the backup to restore, and a backup saved now is
refused with the switchboard's reason.  Against the real API, on a really damaged file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from pytestqt.qtbot import QtBot

from paivystys.appliance.backup import list_backups, save_backup
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.integrity import AT_BOOT, check_integrity, record_integrity
from paivystys.appliance.db.tests.damage import damage_page_header
from paivystys.appliance.users.service import ROLE_ADMIN, create_user
from paivystys.gui.appliances.store import ApplianceStore
from paivystys.gui.formatting import format_datetime
from paivystys.gui.main.window import MainWindow
from paivystys.gui.manage.view import ManageView
from paivystys.gui.net.client import ApplianceClient
from paivystys.gui.tests.conftest import ADMIN_PASSWORD, Appliance, run_api, screenshot


@pytest.fixture(scope="module")
def damaged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Appliance]:
    """The box as `paivystys box setup` leaves it after finding the damage: last night's
    backup of the sound database, then a page of the call log broken."""
    state_dir = tmp_path_factory.mktemp("damaged")
    db_path = state_dir / "paivystys.db"
    database = open_database(db_path)
    create_user("admin", ADMIN_PASSWORD, ROLE_ADMIN)
    save_backup(db_path)
    database.close()
    damage_page_header(db_path, "call")
    record_integrity(state_dir, check_integrity(db_path, AT_BOOT))
    (state_dir / "recordings").mkdir()
    yield from run_api(db_path, state_dir / "tls", state_dir / "recordings")


def test_the_health_strip_names_the_backup_to_restore(
        qtbot: QtBot, damaged: Appliance, store: ApplianceStore,
        show: Callable[[MainWindow], MainWindow], tmp_path: Path) -> None:
    (good,) = list_backups(damaged.state_dir)
    with ApplianceClient(damaged.url, damaged.fingerprint) as client:
        session = client.login("admin", ADMIN_PASSWORD)
    main = show(MainWindow(session, "Toimisto", store))
    strip = main.health_strip
    assert strip is not None
    qtbot.waitUntil(lambda: strip.database.isVisible())
    assert strip.database.text() == (
        f"Database damaged: restore the backup of "
        f"{format_datetime(good.created_at, QLocale())} (Manage, Backups)")
    assert "failed its integrity check (at boot" in strip.database.toolTip()
    assert good.name in strip.database.toolTip()
    assert "bold" in strip.database.styleSheet()
    screenshot(main, "health-database-damaged", tmp_path)


def test_a_backup_saved_now_is_refused_with_the_reason(
        qtbot: QtBot, damaged: Appliance, show: Callable[[ManageView], ManageView]) -> None:
    client = ApplianceClient(damaged.url, damaged.fingerprint)
    client.login("admin", ADMIN_PASSWORD)
    view = show(ManageView(client))
    view.tabs.setCurrentWidget(view.backups)
    qtbot.waitUntil(lambda: view.calls.pending == 0)
    page = view.backups
    page.save_button.click()
    qtbot.waitUntil(lambda: view.calls.pending == 0)
    assert page.error.isVisible()
    assert page.error.text().startswith("Not saved: not backed up: the database failed its "
                                        "integrity check (before a backup, ")
    assert page.model.rowCount() == 1  # last night's is still there
    assert page.save_button.isEnabled()
    client.close()
