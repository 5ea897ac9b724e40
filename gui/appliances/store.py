"""The appliances this console has trusted, and its login tokens.

Appliances (name, URL, pinned fingerprint, last username, last use) are a small JSON file in
the user's config directory: nothing secret, and the pins must survive.  A session token goes
only into the system keyring (Secret Service, macOS Keychain, Windows Credential Manager); on
a machine without one it is not stored at all and the user logs in again.  A password is
never stored anywhere.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
from PySide6.QtCore import QStandardPaths

log = logging.getLogger(__name__)

STORE_FILE = "appliances.json"
KEYRING_SERVICE = "paivystys-console"


@dataclass(frozen=True)
class KnownAppliance:
    name: str
    url: str
    fingerprint: str
    last_username: str = ""
    last_used: str = ""  # ISO 8601 UTC; orders the list, newest first


def default_store_path() -> Path:
    """`appliances.json` in the platform's per-user config directory for this application."""
    directory = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppConfigLocation)
    return Path(directory) / STORE_FILE


def _usable_keyring(backend: keyring.backend.KeyringBackend) -> bool:
    """False for keyring's "fail" and "null" backends, which mean "there is no keyring"."""
    return backend.priority > 0 and type(backend).__module__ not in (
        "keyring.backends.fail", "keyring.backends.null")


class ApplianceStore:
    def __init__(self, path: Path,
                 keyring_backend: keyring.backend.KeyringBackend | None = None) -> None:
        self.path = path
        backend = keyring_backend or keyring.get_keyring()
        self._keyring = backend if _usable_keyring(backend) else None
        self._appliances = self._load()

    @property
    def keeps_tokens(self) -> bool:
        """Whether logins survive a restart of the console (there is a system keyring)."""
        return self._keyring is not None

    def _load(self) -> dict[str, KnownAppliance]:
        try:
            rows = json.loads(self.path.read_text(encoding="utf-8"))["appliances"]
            return {row["url"]: KnownAppliance(**row) for row in rows}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError, TypeError) as error:
            # A damaged file must not keep the console from starting; the pins are lost, so
            # every appliance shows its first-connect fingerprint dialog again.
            log.warning("Ignoring unreadable %s: %s", self.path, error)
            return {}

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"appliances": [asdict(appliance) for appliance in self._appliances.values()]}
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                json.dump(data, file, ensure_ascii=False, indent=2)
            os.replace(temporary, self.path)  # a crash leaves the old pins, never half a file
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def known(self) -> list[KnownAppliance]:
        """Every trusted appliance, the last used first."""
        return sorted(self._appliances.values(), key=lambda a: a.last_used, reverse=True)

    def last_used(self) -> KnownAppliance | None:
        known = self.known()
        return known[0] if known else None

    def find(self, url: str) -> KnownAppliance | None:
        return self._appliances.get(url)

    def pin(self, name: str, url: str, fingerprint: str) -> KnownAppliance:
        """Trust `fingerprint` for `url` (first connect, or a confirmed new certificate).

        A new certificate invalidates the stored token: it was given to the old server.
        """
        old = self._appliances.get(url)
        if old is not None and old.fingerprint != fingerprint and old.last_username:
            self.forget_token(url, old.last_username)
        appliance = replace(old, name=name, fingerprint=fingerprint) if old else KnownAppliance(
            name, url, fingerprint)
        self._appliances[url] = appliance
        self._save()
        return appliance

    def note_login(self, url: str, username: str) -> None:
        """Remember who logged in last, and when, to fill the login form next time."""
        appliance = self._appliances[url]
        self._appliances[url] = replace(appliance, last_username=username,
                                        last_used=datetime.now(UTC).isoformat())
        self._save()

    def save_token(self, url: str, username: str, token: str) -> bool:
        """Keep `token` in the system keyring; False (and nothing stored) without one."""
        if self._keyring is None:
            return False
        try:
            self._keyring.set_password(KEYRING_SERVICE, f"{username}@{url}", token)
        except keyring.errors.KeyringError as error:
            log.warning("The keyring refused the token: %s", error)
            return False
        return True

    def token(self, url: str, username: str) -> str | None:
        if self._keyring is None or not username:
            return None
        try:
            return self._keyring.get_password(KEYRING_SERVICE, f"{username}@{url}")
        except keyring.errors.KeyringError as error:
            log.warning("Cannot read the keyring: %s", error)
            return None

    def forget_token(self, url: str, username: str) -> None:
        if self._keyring is None:
            return
        with contextlib.suppress(keyring.errors.KeyringError):  # nothing was stored
            self._keyring.delete_password(KEYRING_SERVICE, f"{username}@{url}")
