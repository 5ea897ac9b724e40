"""The console's languages: English in the source, Finnish from `paivystys_fi.ts`.

Qt loads only compiled `.qm` files; they are made from the `.ts` sources with
`pyside6-lrelease` (shipped in PySide6-Essentials) when the console's wheel is built
(gui/setup.py) and by the tests, never edited by hand.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger(__name__)

TRANSLATIONS_DIR = Path(__file__).parent
CATALOG = "paivystys"


def lrelease_command() -> str:
    """`pyside6-lrelease` beside this Python (a venv's bin), else on PATH."""
    beside = Path(sys.executable).with_name("pyside6-lrelease")
    if beside.exists():
        return str(beside)
    found = shutil.which("pyside6-lrelease")
    if found is None:
        raise FileNotFoundError("pyside6-lrelease is missing: install PySide6-Essentials")
    return found


def lupdate_command() -> str:
    return lrelease_command().replace("lrelease", "lupdate")


def console_sources() -> list[Path]:
    """Every module of the console that may hold user-visible text (tests do not; a wheel
    build's `build/` holds stale copies)."""
    package = TRANSLATIONS_DIR.parent
    return sorted(path for path in package.rglob("*.py")
                  if not {"tests", "build"} & set(path.relative_to(package).parts)
                  and not path.name.startswith("setup"))


def update_catalog(catalog: Path) -> None:
    """Bring `catalog` (a .ts) in line with the sources: new texts are added as unfinished,
    texts no longer in the sources dropped, existing translations kept."""
    subprocess.run([lupdate_command(), "-silent", "-no-obsolete",
                    *map(str, console_sources()), "-ts", str(catalog)], check=True)


def compile_translations(directory: Path = TRANSLATIONS_DIR) -> list[Path]:
    """Compile every `.ts` in `directory` to the `.qm` beside it."""
    made = []
    for source in sorted(directory.glob("*.ts")):
        target = source.with_suffix(".qm")
        subprocess.run([lrelease_command(), "-silent", str(source), "-qm", str(target)],
                       check=True)
        made.append(target)
    return made


def install_translators(app: QCoreApplication, locale: QLocale) -> list[QTranslator]:
    """Translate the console, and Qt's own standard texts, into `locale`'s language.

    Returns the installed translators, which the caller keeps (Qt does not own them) and
    removes to switch language.  A missing translation leaves English, with a log line.
    """
    installed = []
    ours = QTranslator(app)
    if ours.load(locale, CATALOG, "_", str(TRANSLATIONS_DIR)):
        installed.append(ours)
    elif locale.language() != QLocale.Language.English:
        log.info("No console translation for %s in %s", locale.name(), TRANSLATIONS_DIR)
    qt_own = QTranslator(app)
    if qt_own.load(locale, "qtbase", "_",
                   QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        installed.append(qt_own)
    for translator in installed:
        app.installTranslator(translator)
    return installed
