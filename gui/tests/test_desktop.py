"""The desktop entry and icon the console installs into a user's XDG data directory."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from paivystys.gui.desktop import (
    DESKTOP_FILE,
    console_command,
    install_desktop_entry,
    main,
    remove_desktop_entry,
)
from paivystys.gui.icons import ICON_FILE, ICON_NAME, application_icon


def read_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # Name[fi] keeps its case
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def validate(path: Path) -> None:
    """desktop-file-validate when the machine has it (Debian: desktop-file-utils)."""
    validator = shutil.which("desktop-file-validate")
    if validator is not None:
        checked = subprocess.run([validator, str(path)], capture_output=True, text=True)
        assert checked.returncode == 0 and "error" not in checked.stdout, checked.stdout


def test_the_shipped_entry_is_valid() -> None:
    validate(DESKTOP_FILE)
    assert read_entry(DESKTOP_FILE)["Icon"] == ICON_NAME


def test_installs_the_entry_and_icon_for_this_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main([]) == 0
    entry = tmp_path / "applications" / "paivystys-console.desktop"
    icon = tmp_path / "icons" / "hicolor" / "scalable" / "apps" / f"{ICON_NAME}.svg"
    assert icon.read_bytes() == ICON_FILE.read_bytes()
    validate(entry)
    fields = read_entry(entry)
    assert fields["Exec"] == " ".join(console_command())
    assert Path(console_command()[0]).is_absolute()
    assert fields["Icon"] == ICON_NAME
    assert fields["Name[fi]"] == "Päivystysvaihde"
    assert main(["--remove"]) == 0
    assert not entry.exists() and not icon.exists()
    assert remove_desktop_entry(tmp_path) == []


def test_an_odd_path_is_quoted_as_the_spec_says(tmp_path: Path) -> None:
    command = ["/home/Anna Virtanen/100% venv/bin/python", "-m", "paivystys.gui"]
    entry, _icon = install_desktop_entry(tmp_path, command)
    validate(entry)
    assert read_entry(entry)["Exec"] == (
        '"/home/Anna Virtanen/100%% venv/bin/python" -m paivystys.gui')


def test_without_a_launcher_python_runs_the_package(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python3"))
    assert console_command() == [str(tmp_path / "python3"), "-m", "paivystys.gui"]


def test_the_icon_renders(qapp: QApplication) -> None:
    icon = application_icon()
    assert not icon.isNull()
    image = icon.pixmap(48, 48).toImage()
    assert image.width() == 48
    assert image.pixelColor(24, 4).alpha() == 255  # the blue tile, not transparency
