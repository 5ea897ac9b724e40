"""The console against the real appliance API over TLS, offscreen.

The API server is the appliance's own `paivystys-api`, run as a process of its own as on the
box: the test process then holds only what the console holds (Qt, its pool threads), so a
thread-affinity fault in the console cannot hide behind, or be blamed on, the server.
Nothing of the API is mocked.  Only the keyring is replaced where a test needs one, since
this machine has none.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import keyring.backend
import keyring.backends.fail
import keyring.errors
import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from paivystys.appliance.api.tls import CERT_FILE, fingerprint
from paivystys.appliance.db.database import open_database
from paivystys.appliance.directory import Directory
from paivystys.appliance.users.service import ROLE_ADMIN, ROLE_PERSON, create_user
from paivystys.gui.appliances.store import ApplianceStore
from paivystys.gui.i18n import compile_translations
from paivystys.gui.i18n.language import ENGLISH, locale_for
from paivystys.gui.net.client import ApplianceClient
from paivystys.gui.net.worker import UiThreadCollector, finish_background_calls
from paivystys.gui.tests.screenshots import screenshot

__all__ = ["screenshot"]  # the tests import it from here

ADMIN_PASSWORD = "admin-salasana-123"
PERSON_PASSWORD = "maija-salasana-123"
WidgetT = TypeVar("WidgetT", bound=QWidget)
START_TIMEOUT_S = 30


@dataclass
class Appliance:
    """A running API server and what a person would read off the box."""

    url: str
    fingerprint: str
    db_path: Path
    state_dir: Path
    recordings_dir: Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _accepts(port: int) -> bool:
    # The ready file is written at start-up, a moment before uvicorn listens.
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def run_api(db_path: Path, tls_dir: Path, recordings_dir: Path,
            events_socket: Path | None = None) -> Iterator[Appliance]:
    """`paivystys-api` on a free loopback port until the generator is closed."""
    port = free_port()
    ready = tls_dir.parent / f"api-{port}.ready"
    command = [sys.executable, "-m", "paivystys.appliance.api.server", "--db", str(db_path),
               "--listen", f"127.0.0.1:{port}", "--tls-dir", str(tls_dir),
               "--recordings-dir", str(recordings_dir), "--no-advertise",
               "--ready-file", str(ready)]
    if events_socket is not None:
        command += ["--events-socket", str(events_socket)]
    log_path = tls_dir.parent / f"api-{port}.log"
    with log_path.open("wb") as log_file:
        server = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not (ready.exists() and _accepts(port)):
            assert server.poll() is None, f"the API server exited: {log_path.read_text()}"
            assert time.monotonic() < deadline, f"the API did not start: {log_path.read_text()}"
            time.sleep(0.05)
        yield Appliance(f"https://127.0.0.1:{port}",
                        fingerprint((tls_dir / CERT_FILE).read_bytes()),
                        db_path, db_path.parent, recordings_dir)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session", autouse=True)
def translations() -> list[Path]:
    """The .qm files, compiled from the .ts sources as the wheel build does."""
    return compile_translations()


@pytest.fixture(scope="session", autouse=True)
def english_locale() -> None:
    """The console's English (as `Language` sets it), whatever this machine's locale is."""
    QLocale.setDefault(locale_for(ENGLISH))


@pytest.fixture(scope="session", autouse=True)
def ui_thread_collector(qapp: QApplication) -> Iterator[UiThreadCollector]:
    """As the console's main() does: Python collects cycles on the UI thread only."""
    collector = UiThreadCollector()
    yield collector
    finish_background_calls()
    collector.stop()


@pytest.fixture(scope="module")
def appliance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Appliance]:
    state_dir = tmp_path_factory.mktemp("appliance")
    db_path = state_dir / "paivystys.db"
    database = open_database(db_path)
    maija = Directory().add_person("Maija Konsoli", "040 555 0111")
    create_user("admin", ADMIN_PASSWORD, ROLE_ADMIN)
    create_user("maija", PERSON_PASSWORD, ROLE_PERSON, maija.id)
    recordings = state_dir / "recordings"
    recordings.mkdir()
    yield from run_api(db_path, state_dir / "tls", recordings)
    database.close()


@pytest.fixture
def reinstalled_appliance(appliance: Appliance,
                          tmp_path: Path) -> Iterator[Appliance]:
    """The same appliance with a new certificate (a reinstalled box, or an impostor)."""
    yield from run_api(appliance.db_path, tmp_path / "tls", appliance.recordings_dir)


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
def log_in(appliance: Appliance) -> Iterator[Callable[[str, str], ApplianceClient]]:
    """Logged-in clients of the module's appliance, closed when the test ends."""
    clients: list[ApplianceClient] = []

    def make(username: str, password: str) -> ApplianceClient:
        clients.append(ApplianceClient(appliance.url, appliance.fingerprint))
        clients[-1].login(username, password)
        return clients[-1]

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def closed_port() -> int:
    return free_port()
