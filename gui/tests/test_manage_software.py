"""Manage, Software: the installed version; a signed package chosen (its .sig beside it),
uploaded with progress, then followed while the switchboard installs it and restarts, until
it answers again (with the same certificate: no "certificate changed") with the new version.

Against the real API server as a process of its own, on a machine of the test's own (a box's
state directory, a dpkg database, the vendor's key); root's installer runs in the test with an
apt-get that writes that dpkg database, while the API is stopped as the package's maintainer
scripts stop it."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from paivystys.appliance.api.tls import CERT_FILE, fingerprint
from paivystys.appliance.api.update.package import UpdateDir
from paivystys.appliance.api.update.tests.kit import (
    INSTALLED,
    NEWER,
    FakeApt,
    Machine,
    Vendor,
    host_architecture,
    make_deb,
    write_dpkg_status,
)
from paivystys.appliance.box.update import Installer
from paivystys.appliance.db.database import open_database
from paivystys.appliance.users.service import ROLE_ADMIN, create_user
from paivystys.gui.manage.software import POLL_MS, SoftwarePage
from paivystys.gui.manage.view import ManageView
from paivystys.gui.net.client import UPLOAD_CHUNK, ApplianceClient
from paivystys.gui.tests.conftest import ADMIN_PASSWORD, START_TIMEOUT_S, free_port, screenshot

# paivystys-api as on the box, but checking updates against the test's machine.
BOOTSTRAP = textwrap.dedent("""\
    import json, sys
    from pathlib import Path
    from paivystys.appliance.api.update import http
    from paivystys.appliance.api.update.package import UpdateHost
    from paivystys.appliance.api.server import main
    http.HOST = UpdateHost(**{name: Path(path) for name, path in json.loads(sys.argv[1]).items()})
    sys.exit(main(sys.argv[2:]))
""")


@dataclass
class BoxApi:
    machine: Machine
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def tls_dir(self) -> Path:
        return self.machine.state_dir / "tls"

    def start(self) -> None:
        host = self.machine.host
        places = {"keys_dir": str(host.keys_dir), "dpkg_admin_dir": str(host.dpkg_admin_dir),
                  "installer_running": str(host.installer_running)}
        ready = self.machine.root / f"api-{self.port}.ready"
        ready.unlink(missing_ok=True)
        log = (self.machine.root / "api.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-c", BOOTSTRAP, json.dumps(places),
             "--db", str(self.machine.state_dir / "paivystys.db"),
             "--listen", f"127.0.0.1:{self.port}", "--tls-dir", str(self.tls_dir),
             "--no-advertise", "--ready-file", str(ready)],
            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not (ready.exists() and self._accepts()):
            assert self.process.poll() is None, (self.machine.root / "api.log").read_text()
            assert time.monotonic() < deadline, "the API did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def _accepts(self) -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    @property
    def fingerprint(self) -> str:
        return fingerprint((self.tls_dir / CERT_FILE).read_bytes())


@pytest.fixture(scope="module")
def running_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BoxApi]:
    machine = Machine(tmp_path_factory.mktemp("software") / "machine", Vendor())
    database = open_database(machine.state_dir / "paivystys.db")
    create_user("admin", ADMIN_PASSWORD, ROLE_ADMIN)
    api = BoxApi(machine, free_port())
    api.start()
    yield api
    api.stop()
    database.close()


@pytest.fixture
def box_api(running_api: BoxApi) -> BoxApi:
    """The module's API, on a box with version 0.1.0 installed and no update so far."""
    machine = running_api.machine
    updates = UpdateDir(machine.state_dir)
    updates.unstage()
    (updates.path / "state.json").unlink(missing_ok=True)
    machine.make_box()
    write_dpkg_status(machine.host.dpkg_admin_dir, INSTALLED)
    return running_api


@pytest.fixture
def software(qtbot: QtBot, box_api: BoxApi,
             show: Callable[[ManageView], ManageView]) -> Iterator[SoftwarePage]:
    client = ApplianceClient(box_api.url, box_api.fingerprint)
    client.login("admin", ADMIN_PASSWORD)
    view = ManageView(client)
    view.resize(1000, 560)
    show(view)
    view.tabs.setCurrentWidget(view.software)
    page = view.software
    qtbot.waitUntil(lambda: view.calls.pending == 0 and bool(page.software))
    yield page
    client.close()


def signed_package(machine: Machine, directory: Path, name: str, version: str = NEWER) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    deb = make_deb(directory, version=version).rename(directory / name)
    machine.vendor.sign(deb, version=version)
    return deb


def answer_install(qtbot: QtBot, page: SoftwarePage) -> None:
    box = page.confirmation
    assert box is not None and box.isVisible()
    assert box.text() == f"Install version {NEWER} on the switchboard?"
    next(button for button in box.buttons()
         if box.buttonRole(button) == QMessageBox.ButtonRole.DestructiveRole).click()
    qtbot.waitUntil(lambda: page.confirmation is None)


def test_an_update_uploaded_installed_and_seen_across_the_switchboards_restart(
        qtbot: QtBot, software: SoftwarePage, box_api: BoxApi, tmp_path: Path) -> None:
    page, machine = software, box_api.machine
    architecture = host_architecture()
    assert page.version.text() == f"{INSTALLED} ({architecture})"
    assert page.state.text() == "No update so far."
    assert not page.install_button.isEnabled()

    deb = signed_package(machine, tmp_path / "lataukset", f"päivitys {NEWER} (uusi).deb")
    page.select(deb)
    assert page.chosen_label.text() == f"päivitys {NEWER} (uusi).deb: version {NEWER}"
    assert page.install_button.isEnabled()
    page.install_button.click()
    answer_install(qtbot, page)
    qtbot.waitUntil(lambda: page.software.get("state") == "waiting", timeout=20_000)
    assert not page.progress.isVisible() and page.uploading is None
    assert page.status.text() == ("Uploaded. The switchboard checked the package and "
                                  "installs it now.")
    assert page.state.text() == (f"Version {NEWER} is uploaded; the switchboard is about to "
                                 "install it.")
    assert not page.choose_button.isEnabled()  # one update at a time
    staged = UpdateDir(machine.state_dir).path
    assert (staged / "paivystys.deb").read_bytes() == deb.read_bytes()
    screenshot(page.window(), "manage-software-waiting", tmp_path)

    # The package's maintainer scripts stop the API (it ends once the console's connection
    # is closed, which its next poll does); the page says what is going on.
    assert box_api.process is not None
    box_api.process.terminate()
    qtbot.waitUntil(lambda: box_api.process.poll() is not None, timeout=4 * POLL_MS + 10_000)
    qtbot.waitUntil(lambda: "restarting its services" in page.state.text(),
                    timeout=4 * POLL_MS + 10_000)
    assert not page.error.isVisible()
    apt = FakeApt(tmp_path / "apt", machine.host.dpkg_admin_dir)
    outcome = Installer(machine.state_dir, machine.host, machine.work_dir, str(apt.path),
                        progress=lambda _line: None).run()
    assert outcome is not None and outcome.state == "installed"
    # ... and start it again: the same certificate, the same login.
    box_api.start()
    qtbot.waitUntil(lambda: page.software.get("state") == "installed",
                    timeout=4 * POLL_MS + 10_000)
    assert page.version.text() == f"{NEWER} ({architecture})"
    assert page.state.text() == f"Version {NEWER} was installed (asked by admin)."
    assert not page.error.isVisible()  # no "certificate changed", no failure at all
    assert not page.poll.isActive()
    screenshot(page.window(), "manage-software-installed", tmp_path)


def test_a_package_the_switchboard_refuses_says_why(qtbot: QtBot, software: SoftwarePage,
                                                     box_api: BoxApi, tmp_path: Path) -> None:
    page = software
    old = signed_package(box_api.machine, tmp_path / "old", "paivystys_0.0.9.deb", "0.0.9")
    page.select(old)
    page.upload(page.chosen)
    qtbot.waitUntil(lambda: page.uploading is None and page.calls.pending == 0,
                    timeout=20_000)
    assert page.error.isVisible()
    assert page.error.text() == ("Not installed: version 0.0.9 is older than the one "
                                 "installed (0.1.0): only a newer version is installed")
    assert page.state.text() == "No update so far."
    assert page.install_button.isEnabled()  # the admin may choose another
    screenshot(page.window(), "manage-software-refused", tmp_path)


def test_a_package_without_its_signature_is_not_offered(software: SoftwarePage,
                                                        tmp_path: Path) -> None:
    page = software
    lonely = tmp_path / "paivystys_0.2.0_amd64.deb"
    lonely.write_bytes(b"!<arch>\n")
    page.select(lonely)
    assert page.chosen is None
    assert page.chosen_label.text() == (
        "Cannot read paivystys_0.2.0_amd64.deb.sig: No such file or directory. The signature "
        "file goes beside the package.")
    assert not page.install_button.isEnabled()


def test_lab_mode_says_it_takes_no_updates(qtbot: QtBot, box_api: BoxApi,
                                           show: Callable[[ManageView], ManageView]) -> None:
    box_api.machine.make_lab()
    client = ApplianceClient(box_api.url, box_api.fingerprint)
    client.login("admin", ADMIN_PASSWORD)
    view = show(ManageView(client))
    view.tabs.setCurrentWidget(view.software)
    page = view.software
    qtbot.waitUntil(lambda: view.calls.pending == 0 and bool(page.software))
    assert page.version.text() == metadata.version("paivystysvaihde")  # the API's own
    assert page.state.text().startswith("This switchboard takes no updates: updates are "
                                        "installed on a box; this is lab mode")
    assert not page.choose_button.isEnabled() and not page.install_button.isEnabled()
    client.close()


def test_an_upload_reports_its_progress_chunk_by_chunk(box_api: BoxApi, tmp_path: Path) -> None:
    """What the page's progress bar shows: the bytes sent after each chunk, to the end."""
    deb = make_deb(tmp_path, payload=os.urandom(3 * UPLOAD_CHUNK))  # no compression helps
    signature = box_api.machine.vendor.sign(deb).read_bytes()
    sent: list[int] = []
    with ApplianceClient(box_api.url, box_api.fingerprint) as client, deb.open("rb") as file:
        client.login("admin", ADMIN_PASSWORD)
        answer = client.upload("/api/update", file, deb.stat().st_size,
                               {"Update-Signature": base64.b64encode(signature).decode()},
                               sent.append)
    assert answer["state"] == "waiting"
    size = deb.stat().st_size
    assert len(sent) == -(-size // UPLOAD_CHUNK) > 1
    assert sent == sorted(sent) and sent[-1] == size
