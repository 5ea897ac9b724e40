"""`python -m paivystys.gui.i18n`: add the console's new texts to the Finnish catalog, for a
translator to fill in with pyside6-linguist (or any editor)."""

from paivystys.gui.i18n import TRANSLATIONS_DIR, update_catalog

update_catalog(TRANSLATIONS_DIR / "paivystys_fi.ts")
