"""The console against the real appliance API over TLS, offscreen.

The API server is the appliance's own (started in a thread as its API tests do); nothing of
the API is mocked.  Only the keyring is replaced where a test needs one, since this machine
has none.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt

import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import keyring.backend
import keyring.backends.fail
import keyring.errors
import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from paivystys.appliance.api.auth.service import (
    ROLE_ADMIN,
    ROLE_PERSON,
    Throttle,
    create_user,
)
from paivystys.appliance.api.context import ApiConfig
from paivystys.appliance.api.tests.conftest import RunningApi, serve
from paivystys.appliance.api.tls import fingerprint
from paivystys.appliance.db.database import open_database
from paivystys.appliance.directory import Directory
from paivystys.gui.connection.store import ApplianceStore
from paivystys.gui.i18n import compile_translations

ADMIN_PASSWORD = "admin-salasana-123"
PERSON_PASSWORD = "maija-salasana-123"
WidgetT = TypeVar("WidgetT", bound=QWidget)
SCREENSHOTS = os.environ.get("PAIVYSTYS_SCREENSHOTS")  # a folder: keep the screenshots there


@dataclass
class Appliance:
    """A running API server and what a person would read off the box."""

    api: RunningApi
    fingerprint: str
    config: ApiConfig

    @property
    def url(self) -> str:
        return self.api.base_url


def _appliance(api: RunningApi) -> Appliance:
    return Appliance(api, fingerprint(api.cert_path.read_bytes()), api.config)


@pytest.fixture(scope="session", autouse=True)
def translations() -> list[Path]:
    """The .qm files, compiled from the .ts sources as the wheel build does."""
    return compile_translations()


@pytest.fixture(scope="module")
def appliance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Appliance]:
    state_dir = tmp_path_factory.mktemp("appliance")
    db_path = state_dir / "paivystys.db"
    database = open_database(db_path)
    config = ApiConfig(db_path=db_path, recordings_dir=state_dir / "recordings")
    maija = Directory().add_person("Maija Konsoli", "040 555 0111")
    create_user("admin", ADMIN_PASSWORD, ROLE_ADMIN)
    create_user("maija", PERSON_PASSWORD, ROLE_PERSON, maija.id)
    for api in serve(config, state_dir):
        yield _appliance(api)
    database.close()


@pytest.fixture
def reinstalled_appliance(appliance: Appliance,
                          tmp_path: Path) -> Iterator[Appliance]:
    """The same appliance with a new certificate (a reinstalled box, or an impostor)."""
    for api in serve(appliance.config, tmp_path):
        yield _appliance(api)


@pytest.fixture(autouse=True)
def fresh_throttle(request: pytest.FixtureRequest) -> None:
    """Every test starts with no failed logins counted against 127.0.0.1."""
    if "appliance" in request.fixturenames:
        request.getfixturevalue("appliance").config.throttle = Throttle()


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A system keyring stand-in; the machine running the tests has none."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.secrets:
            raise keyring.errors.PasswordDeleteError(username)
        del self.secrets[(service, username)]


@pytest.fixture
def store(tmp_path: Path) -> ApplianceStore:
    """A store without a keyring, as on a machine that has none."""
    return ApplianceStore(tmp_path / "config" / "appliances.json",
                          keyring.backends.fail.Keyring())


@pytest.fixture
def show(qtbot: QtBot) -> Iterator[Callable[[WidgetT], WidgetT]]:
    """Show a window for a test, and close it (and so its client) when the test ends.

    pytest-qt closes its widgets only after every fixture, the module's API server included,
    is torn down, and the server waits for the windows' keep-alive connections.
    """
    windows: list[QWidget] = []

    def show_window(window: WidgetT) -> WidgetT:
        qtbot.addWidget(window)
        windows.append(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    yield show_window
    for window in windows:
        window.close()


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def screenshot(widget: QWidget, name: str, tmp_path: Path) -> Path:
    """Grab `widget` as the user sees it; into $PAIVYSTYS_SCREENSHOTS when that is set."""
    folder = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    assert widget.grab().save(str(path))
    return path
