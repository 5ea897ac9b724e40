"""The console's own icon, shipped as package data: the window's icon and the desktop entry's.

One scalable SVG serves every size (Qt's SVG icon engine, part of PySide6-Essentials, renders
it for the title bar, the task bar and the 256 px launcher alike).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon

ICON_NAME = "paivystys-console"  # the desktop entry's Icon= and the icon theme's file name
ICON_FILE = Path(__file__).with_name(f"{ICON_NAME}.svg")


def application_icon() -> QIcon:
    """For QApplication.setWindowIcon(): a desktop entry shows its own icon, but X11
    window managers, Windows' task bar and macOS's Dock take the window's."""
    return QIcon(str(ICON_FILE))
