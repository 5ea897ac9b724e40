"""Finnish comes from the compiled catalog; every text in the source has a translation."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from paivystys.gui.connect.messages import describe
from paivystys.gui.connect.window import ConnectWindow
from paivystys.gui.connection.store import ApplianceStore
from paivystys.gui.i18n import TRANSLATIONS_DIR, install_translators
from paivystys.gui.net.client import ApiFailure, FailureKind


@pytest.fixture
def finnish(qapp: QApplication) -> Iterator[None]:
    translators = install_translators(qapp, QLocale(QLocale.Language.Finnish))
    assert translators, "paivystys_fi.qm did not load"
    yield
    for translator in translators:
        qapp.removeTranslator(translator)


def test_every_text_is_translated_to_finnish(translations: list[Path]) -> None:
    assert TRANSLATIONS_DIR / "paivystys_fi.qm" in translations
    messages = list(ET.parse(TRANSLATIONS_DIR / "paivystys_fi.ts").iter("message"))
    assert messages
    unfinished = [m.findtext("source") for m in messages
                  if m.find("translation").get("type") == "unfinished"]
    assert unfinished == []


def test_the_console_speaks_finnish(finnish: None, store: ApplianceStore,
                                    show: Callable[[ConnectWindow], ConnectWindow]) -> None:
    window = show(ConnectWindow(store))
    assert window.connect_button.text() == "Yhdistä"
    assert describe(ApiFailure(FailureKind.UNAUTHORIZED, ""), logging_in=True) == (
        "Väärä käyttäjätunnus tai salasana.")
