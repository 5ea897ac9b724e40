"""The health strip says when saved changes have not reached the switchboard's Asterisk, and
only then."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

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
