"""The health strip says when saved changes have not reached the switchboard's Asterisk, and
when its database failed its integrity check, and only then."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QLocale
from pytestqt.qtbot import QtBot

from paivystys.gui.formatting import format_datetime
from paivystys.gui.main.window import HealthStrip

SERVICE = {"ok": True, "state": "running", "detail": None, "updated_at": None}


def _health(**parts: Any) -> dict[str, Any]:
    return {"asterisk": SERVICE, "trunk": SERVICE,
            "modem": {"ok": True, "state": "registered", "signal": 20},
            "disk": {"ok": True, "free_bytes": 5e9, "total_bytes": 3e10, "path": "/"}, **parts}


def test_changes_not_yet_in_asterisk_stand_out_until_they_are(qtbot: QtBot) -> None:
    strip = HealthStrip()
    qtbot.addWidget(strip)
    strip.show()
    owed = {"ok": False, "owed": ["pbx_config"],
            "state": "saved changes are not yet applied to Asterisk"}
    strip.show_health(_health(configuration=owed))
    assert strip.configuration.isVisible()
    assert strip.configuration.text() == "Changes not yet in use"
    assert strip.configuration.toolTip() == owed["state"]
    assert "bold" in strip.configuration.styleSheet()

    strip.show_health(_health(configuration={"ok": True, "owed": [], "state": "applied"}))
    assert not strip.configuration.isVisible()


def test_a_switchboard_that_does_not_report_it_shows_nothing(qtbot: QtBot) -> None:
    strip = HealthStrip()
    qtbot.addWidget(strip)
    strip.show()
    strip.show_health(_health())
    assert not strip.configuration.isVisible()


def test_a_damaged_database_stands_out_with_the_backup_to_restore(qtbot: QtBot) -> None:
    strip = HealthStrip()
    qtbot.addWidget(strip)
    strip.show()
    damaged = {"ok": False, "state": "the database failed its integrity check (at boot, …)",
               "checked_at": "2025-12-05T06:01:02+00:00", "problems": ["Page 18: …"],
               "last_good_backup": {"name": "paivystys-backup-20251205-031502.json",
                                    "created_at": "2025-12-05T03:15:02+00:00"}}
    strip.show_health(_health(database=damaged))
    saved = format_datetime(dt.datetime(2025, 12, 5, 3, 15, 2, tzinfo=dt.UTC), QLocale())
    assert strip.database.isVisible()
    assert strip.database.text() == (f"Database damaged: restore the backup of {saved} "
                                     "(Manage, Backups)")
    assert strip.database.toolTip() == damaged["state"]
    assert "bold" in strip.database.styleSheet()

    strip.show_health(_health(database={**damaged, "last_good_backup": None}))
    assert strip.database.text() == "Database damaged: no backup on the switchboard"

    for sound in ({**damaged, "ok": True}, {**damaged, "ok": None}):
        strip.show_health(_health(database=sound))
        assert not strip.database.isVisible()
    strip.show_health(_health())  # a switchboard older than this console
    assert not strip.database.isVisible()
