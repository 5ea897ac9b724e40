"""What the console remembers: pins in a file, tokens only in a keyring, never a password."""

from __future__ import annotations

from pathlib import Path

import keyring.backends.fail

from paivystys.gui.appliances.store import ApplianceStore
from paivystys.gui.tests.conftest import MemoryKeyring

URL = "https://192.168.1.20:8443"
FINGERPRINT = ":".join(["AB"] * 32)
NEW_FINGERPRINT = ":".join(["CD"] * 32)


def test_pins_and_the_last_user_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "appliances.json"
    store = ApplianceStore(path, keyring.backends.fail.Keyring())
    store.pin("Toimisto", URL, FINGERPRINT)
    store.pin("Varasto", "https://10.0.0.2:8443", NEW_FINGERPRINT)
    store.note_login(URL, "admin")

    again = ApplianceStore(path, keyring.backends.fail.Keyring())
    assert again.find(URL).fingerprint == FINGERPRINT
    assert again.last_used().name == "Toimisto"
    assert again.last_used().last_username == "admin"
    assert [a.name for a in again.known()] == ["Toimisto", "Varasto"]


def test_without_a_keyring_no_token_is_stored(tmp_path: Path) -> None:
    store = ApplianceStore(tmp_path / "appliances.json", keyring.backends.fail.Keyring())
    store.pin("Toimisto", URL, FINGERPRINT)
    assert not store.save_token(URL, "admin", "secret-token")
    assert store.token(URL, "admin") is None
    assert "secret-token" not in store.path.read_text()


def test_a_token_lives_in_the_keyring_and_dies_with_its_certificate(tmp_path: Path) -> None:
    memory = MemoryKeyring()
    store = ApplianceStore(tmp_path / "appliances.json", memory)
    store.pin("Toimisto", URL, FINGERPRINT)
    store.note_login(URL, "admin")
    assert store.save_token(URL, "admin", "secret-token")
    assert store.token(URL, "admin") == "secret-token"
    assert "secret-token" not in store.path.read_text()

    store.pin("Toimisto", URL, NEW_FINGERPRINT)  # given to the old server: no longer valid
    assert store.token(URL, "admin") is None


def test_a_damaged_file_does_not_stop_the_console(tmp_path: Path) -> None:
    path = tmp_path / "appliances.json"
    path.write_text("{not json")
    assert ApplianceStore(path, keyring.backends.fail.Keyring()).known() == []
