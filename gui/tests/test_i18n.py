"""Finnish comes from the compiled catalog; every text in the source has a translation."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from paivystys.gui.appliances.store import ApplianceStore
from paivystys.gui.connect.window import ConnectWindow
from paivystys.gui.i18n import TRANSLATIONS_DIR, install_translators, update_catalog
from paivystys.gui.i18n.language import ENGLISH, FINNISH, default_language
from paivystys.gui.net.client import ApiFailure, FailureKind
from paivystys.gui.widgets.failures import describe


@pytest.fixture
def finnish(qapp: QApplication) -> Iterator[None]:
    translators = install_translators(qapp, QLocale(QLocale.Language.Finnish))
    assert translators, "paivystys_fi.qm did not load"
    yield
    for translator in translators:
        qapp.removeTranslator(translator)


def test_every_text_is_translated_to_finnish(translations: list[Path], tmp_path: Path) -> None:
    assert TRANSLATIONS_DIR / "paivystys_fi.qm" in translations
    catalog = tmp_path / "paivystys_fi.ts"
    shutil.copy(TRANSLATIONS_DIR / "paivystys_fi.ts", catalog)
    update_catalog(catalog)  # a text added to the sources since is now in, unfinished
    messages = list(ET.parse(catalog).iter("message"))
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


@pytest.mark.parametrize(("system", "spoken"), [
    (QLocale.Language.Finnish, FINNISH), (QLocale.Language.Swedish, FINNISH),
    (QLocale.Language.C, FINNISH), (QLocale.Language.English, ENGLISH),
    (QLocale.Language.German, ENGLISH)])
def test_the_first_language_follows_the_pc(system: QLocale.Language, spoken: str) -> None:
    assert default_language(QLocale(system)) == spoken
