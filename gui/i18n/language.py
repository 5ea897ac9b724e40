"""Which language the console speaks, chosen by the user and remembered on this PC.

Finnish or English: the catalog (`paivystys_fi.ts`) and Qt's own texts follow the choice, and
so does `QLocale()`, which the views use for dates, times, numbers and phone numbers.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, QSettings, QTranslator, Signal
from PySide6.QtWidgets import QComboBox, QWidget

from paivystys.gui.i18n import install_translators

FINNISH = "fi"
ENGLISH = "en"
# Each name in its own language: someone who cannot read the current one still finds theirs.
LANGUAGE_NAMES = {FINNISH: "Suomi", ENGLISH: "English"}
SETTINGS_KEY = "language"


def locale_for(code: str) -> QLocale:
    if code == FINNISH:
        return QLocale(QLocale.Language.Finnish, QLocale.Country.Finland)
    # British English: 24-hour clock and day-month dates, as the office is used to.
    return QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)


def default_language(system: QLocale) -> str:
    """Finnish on a PC set to Finnish, Swedish (Swedish-speaking Finns read Finnish office
    software more often than English) or to no language at all; English elsewhere."""
    finnish_readers = (QLocale.Language.Finnish, QLocale.Language.Swedish, QLocale.Language.C)
    return FINNISH if system.language() in finnish_readers else ENGLISH


def current_language() -> str:
    """The language being spoken now, from the default locale `Language` sets."""
    return FINNISH if QLocale().language() == QLocale.Language.Finnish else ENGLISH


class Language:
    """The installed translators of one language, swapped as a whole when the user switches."""

    def __init__(self, app: QCoreApplication, settings: QSettings) -> None:
        self._app = app
        self._settings = settings
        self._translators: list[QTranslator] = []
        stored = settings.value(SETTINGS_KEY)
        self.code = stored if stored in LANGUAGE_NAMES else default_language(QLocale.system())
        self._install()

    def switch(self, code: str) -> None:
        if code not in LANGUAGE_NAMES:
            raise ValueError(f"no such console language: {code!r}")
        self.code = code
        self._settings.setValue(SETTINGS_KEY, code)
        self._install()

    def _install(self) -> None:
        for translator in self._translators:
            self._app.removeTranslator(translator)
        locale = locale_for(self.code)
        QLocale.setDefault(locale)
        self._translators = install_translators(self._app, locale)


class LanguageSelector(QComboBox):
    """The language list; emits `chosen(code)` when the user picks another one."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("language")
        for code, name in LANGUAGE_NAMES.items():
            self.addItem(name, code)
        self.setCurrentIndex(self.findData(current_language()))
        self.setToolTip("Kieli / Language")
        self.activated.connect(self._choose)

    def _choose(self, index: int) -> None:
        if self.itemData(index) != current_language():
            self.chosen.emit(self.itemData(index))
