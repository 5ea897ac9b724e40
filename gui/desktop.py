"""Put the console in the Linux desktop's application menu, for the user who installed it.

`pip install` makes the `paivystys-console` command but no menu entry; this writes the
desktop entry and the icon into the user's XDG data directory (no root, no system files):

    python -m paivystys.gui.desktop            # install or update
    python -m paivystys.gui.desktop --remove   # before `pip uninstall`

The entry's Exec names the console of the Python environment that runs this, by absolute
path: a launcher started from the menu does not see a virtual environment's PATH.  On
Windows and macOS there is no such entry to write: pip's `paivystys-console` launcher (on
Windows a windowed .exe, from the gui-scripts entry point) is what to pin or link.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale

from paivystys.gui.i18n import install_translators
from paivystys.gui.icons import ICON_FILE, ICON_NAME

DESKTOP_FILE = Path(__file__).with_name("paivystys-console.desktop")
LAUNCHER = "paivystys-console"
# Characters that make an Exec argument need quoting, and those escaped inside the quotes
# (Desktop Entry Specification 1.5, "The Exec key").
_RESERVED = re.compile(r"[\s\"'\\><~|&;$*?#()`]")
_ESCAPED_IN_QUOTES = re.compile(r"([\"`$\\])")


def data_home() -> Path:
    """$XDG_DATA_HOME, or ~/.local/share when it is unset or (against the spec) relative."""
    configured = os.environ.get("XDG_DATA_HOME", "")
    if configured and Path(configured).is_absolute():
        return Path(configured)
    return Path.home() / ".local" / "share"


def console_command() -> list[str]:
    """This environment's console: its launcher, else its Python running the package (a
    `pip install --user` puts the launcher in ~/.local/bin, not beside the Python)."""
    launcher = Path(sys.executable).with_name(LAUNCHER)
    if launcher.exists():
        return [str(launcher)]
    return [sys.executable, "-m", "paivystys.gui"]


def _exec_argument(argument: str) -> str:
    argument = argument.replace("%", "%%")  # a lone % would start a field code (%f, %u...)
    if not _RESERVED.search(argument):
        return argument
    quoted = '"' + _ESCAPED_IN_QUOTES.sub(r"\\\1", argument) + '"'
    # Exec is also a string value, whose own escape for a backslash is a second backslash.
    return quoted.replace("\\", "\\\\")


def desktop_entry_text(command: list[str]) -> str:
    """The shipped entry with Exec= running `command`."""
    lines = DESKTOP_FILE.read_text(encoding="utf-8").splitlines()
    exec_line = "Exec=" + " ".join(_exec_argument(argument) for argument in command)
    return "\n".join(exec_line if line.startswith("Exec=") else line for line in lines) + "\n"


def entry_paths(data_dir: Path) -> tuple[Path, Path]:
    """Where the entry and the icon go under an XDG data directory."""
    return (data_dir / "applications" / f"{LAUNCHER}.desktop",
            data_dir / "icons" / "hicolor" / "scalable" / "apps" / f"{ICON_NAME}.svg")


def install_desktop_entry(data_dir: Path | None = None,
                          command: list[str] | None = None) -> list[Path]:
    """Write (or overwrite) the desktop entry and its icon; returns the files written.

    Desktop environments watch these directories, so the menu shows the entry at once."""
    entry, icon = entry_paths(data_dir or data_home())
    entry.parent.mkdir(parents=True, exist_ok=True)
    icon.parent.mkdir(parents=True, exist_ok=True)
    icon.write_bytes(ICON_FILE.read_bytes())
    entry.write_text(desktop_entry_text(command or console_command()), encoding="utf-8")
    return [entry, icon]


def remove_desktop_entry(data_dir: Path | None = None) -> list[Path]:
    """Remove what install_desktop_entry() wrote; returns the files that were there."""
    removed = []
    for path in entry_paths(data_dir or data_home()):
        if path.exists():
            path.unlink()
            removed.append(path)
    return removed


def main(argv: list[str] | None = None) -> int:
    # Qt translates only with an application; this command speaks the system's language.
    # The translators are the application's children, so it keeps them alive.
    app = QCoreApplication.instance() or QCoreApplication([sys.argv[0]])
    install_translators(app, QLocale.system())
    parser = argparse.ArgumentParser(
        prog="python -m paivystys.gui.desktop",
        description=QCoreApplication.translate(
            "Desktop", "Add the console to this user's application menu."))
    parser.add_argument("--remove", action="store_true", help=QCoreApplication.translate(
        "Desktop", "remove the menu entry and the icon instead"))
    arguments = parser.parse_args(argv)
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        print(QCoreApplication.translate(
            "Desktop", "This system has no freedesktop.org application menu. Start the "
            "console with {command}, or pin or link that.").format(
                command=" ".join(console_command())))
        return 1
    if arguments.remove:
        for path in remove_desktop_entry():
            print(QCoreApplication.translate("Desktop", "Removed {path}").format(path=path))
        return 0
    for path in install_desktop_entry():
        print(QCoreApplication.translate("Desktop", "Wrote {path}").format(path=path))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
