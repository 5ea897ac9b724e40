"""Screenshots the tests take of what users see, kept in docs/ when asked for."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QWidget

SCREENSHOTS = os.environ.get("PAIVYSTYS_SCREENSHOTS")  # a folder: keep the screenshots there


def screenshot(widget: QWidget, name: str, tmp_path: Path) -> Path:
    """Grab `widget` as the user sees it; into $PAIVYSTYS_SCREENSHOTS when that is set."""
    folder = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    assert widget.grab().save(str(path))
    return path
