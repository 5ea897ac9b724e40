"""GET and POST /api/update against the real server over TLS, on a machine of the test's own
(a box's state directory, a dpkg database, the vendor's key): an admin's signed upload is
staged and audited; every refusal says why and leaves nothing behind; lab mode says it takes
no update; root's installer (with an apt-get that writes the dpkg database) finishes it."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from paivystys.appliance.api.context import ApiConfig
from paivystys.appliance.api.tests.conftest import RunningApi, serve
from paivystys.appliance.api.tests.test_body_limits import send_streaming
from paivystys.appliance.api.update import http as update_http
from paivystys.appliance.api.update.package import MAX_PACKAGE_BYTES, UpdateDir
from paivystys.appliance.api.update.tests.kit import (
    INSTALLED,
    NEWER,
    FakeApt,
    Machine,
    Vendor,
    make_deb,
    other_architecture,
)
from paivystys.appliance.audit import entries
from paivystys.appliance.box.update import Installer
from paivystys.appliance.changes import Changes
from paivystys.appliance.db.database import open_database
from paivystys.appliance.directory import Directory
from paivystys.appliance.users.service import ROLE_ADMIN, ROLE_PERSON, create_user

PASSWORD = "paivitys-salasana-77"
DEB_TYPE = "application/vnd.debian.binary-package"


@dataclass
class Box:
    api: RunningApi
    machine: Machine
    admin: str
    person: str
    packages: Path

    def upload(self, deb: Path, signature: Path | bytes | None, token: str | None = None,
               body: bytes | None = None) -> httpx.Response:
        headers = {"Content-Type": DEB_TYPE}
        if signature is not None:
            data = signature if isinstance(signature, bytes) else signature.read_bytes()
            headers["Update-Signature"] = base64.b64encode(data).decode()
        with self.api.client(token if token is not None else self.admin) as client:
            return client.post("/api/update", headers=headers,
                               content=deb.read_bytes() if body is None else body)

    def state(self) -> dict:
        with self.api.client(self.admin) as client:
            answer = client.get("/api/update")
        assert answer.status_code == 200, answer.text
        return answer.json()

    def update_files(self) -> list[str]:
        path = UpdateDir(self.machine.state_dir).path
        return sorted(entry.name for entry in path.iterdir()) if path.exists() else []


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Box]:
    root = tmp_path_factory.mktemp("update-box")
    machine = Machine(root / "machine", Vendor())
    db_path = machine.state_dir / "paivystys.db"
    database = open_database(db_path)
    # A box's state directory, with no Asterisk beside it in this test.
    person = Directory(Changes("test", apply=lambda: None)).add_person("Maija Päivitys",
                                                                        "040 555 0191")
    create_user("admin", PASSWORD, ROLE_ADMIN)
    create_user("maija", PASSWORD, ROLE_PERSON, person.id)
    packages = root / "packages"
    packages.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(update_http, "HOST", machine.host)
        for api in serve(ApiConfig(db_path=db_path, version=INSTALLED), machine.state_dir):
            yield Box(api, machine, api.login("admin", PASSWORD), api.login("maija", PASSWORD),
                      packages)
    database.close()


@pytest.fixture
def fresh(box: Box) -> Iterator[Box]:
    """No update waiting or recorded before the test, and none left after it."""
    UpdateDir(box.machine.state_dir).unstage()
    (UpdateDir(box.machine.state_dir).path / "state.json").unlink(missing_ok=True)
    box.machine.make_box()
    yield box
    UpdateDir(box.machine.state_dir).unstage()
    (UpdateDir(box.machine.state_dir).path / "state.json").unlink(missing_ok=True)


def package(box: Box, name: str, **what: str) -> tuple[Path, Path]:
    directory = box.packages / name
    directory.mkdir()
    deb = make_deb(directory, **what)
    return deb, box.machine.vendor.sign(deb, **what)


def test_an_admin_sees_the_installed_version_and_no_update(fresh: Box) -> None:
    state = fresh.state()
    assert state["installed_version"] == INSTALLED
    assert state["updates"] is True and state["why_not"] is None
    assert state["architecture"] == fresh.machine.host.architecture()
    assert state["state"] == "none"


def test_only_an_admin_may_see_or_upload(fresh: Box) -> None:
    deb, signature = package(fresh, "who")
    for token, status in ((None, 401), (fresh.person, 403)):
        with fresh.api.client(token) as client:
            assert client.get("/api/update").status_code == status
        assert fresh.upload(deb, signature, token=token or "").status_code == status
    assert fresh.update_files() == []


def test_a_signed_newer_package_is_staged_audited_and_installed_by_root(
        fresh: Box, tmp_path: Path) -> None:
    deb, signature = package(fresh, "good")
    answer = fresh.upload(deb, signature)
    assert answer.status_code == 202, answer.text
    assert answer.json()["state"] == "waiting"
    assert answer.json()["version"] == NEWER and answer.json()["requested_by"] == "admin"
    assert fresh.update_files() == ["paivystys.deb", "paivystys.deb.sig", "request.json"]
    staged = UpdateDir(fresh.machine.state_dir).path
    assert (staged / "paivystys.deb").read_bytes() == deb.read_bytes()
    request = json.loads((staged / "request.json").read_text())
    assert (request["version"], request["from_version"]) == (NEWER, INSTALLED)
    row = entries(1)[0]
    assert (row["actor"], row["action"], row["target"]) == ("admin", "update.request",
                                                            f"paivystys {NEWER}")
    assert row["details"]["from"] == INSTALLED

    # A second upload while this one waits is told so.
    again = fresh.upload(deb, signature)
    assert again.status_code == 409
    assert "already waiting to be installed (asked by admin" in again.json()["detail"][0]["msg"]

    # Root's installer takes it (as paivystys-update.service would).
    apt = FakeApt(tmp_path / "apt", fresh.machine.host.dpkg_admin_dir)
    outcome = Installer(fresh.machine.state_dir, fresh.machine.host, fresh.machine.work_dir,
                        str(apt.path), progress=lambda _line: None).run()
    assert outcome is not None and outcome.state == "installed"
    state = fresh.state()
    assert (state["state"], state["version"], state["installed_version"]) == (
        "installed", NEWER, NEWER)
    assert fresh.update_files() == ["state.json"]
    # Back to the version the other tests expect.
    fresh.machine.installed = INSTALLED
    fresh.machine.__post_init__()


def refused(answer: httpx.Response, status: int = 422) -> tuple[str, str]:
    assert answer.status_code == status, answer.text
    detail = answer.json()["detail"][0]
    return detail["loc"][-1], detail["msg"]


@pytest.mark.parametrize(("what", "reason"), [
    ({"version": INSTALLED}, "version 0.1.0 is the one installed (0.1.0): only a newer "
                             "version is installed"),
    ({"version": "0.0.5"}, "version 0.0.5 is older than the one installed (0.1.0)"),
    ({"architecture": other_architecture()},
     f"the package is for {other_architecture()} machines"),
    ({"package": "paivystys-console"}, "the package is 'paivystys-console', not the "
                                       "switchboard's ('paivystys')"),
])
def test_a_package_that_is_not_a_newer_one_of_ours_for_this_box_is_refused_with_why(
        fresh: Box, what: dict[str, str], reason: str) -> None:
    deb, signature = package(fresh, "-".join(what.values()), **what)
    field, message = refused(fresh.upload(deb, signature))
    assert field == "package"
    assert message.startswith(reason)
    assert fresh.update_files() == []
    assert fresh.state()["state"] == "none"


def test_a_signature_the_box_cannot_trust_is_refused_at_its_header(fresh: Box) -> None:
    deb, signature = package(fresh, "untrusted")
    document = json.loads(signature.read_bytes())
    stranger = Vendor().sign(deb)  # in the .sig's place
    field, message = refused(fresh.upload(deb, stranger))
    assert field == "Update-Signature"
    assert "which this switchboard does not trust" in message
    document["version"] = "9.9.9"
    field, message = refused(fresh.upload(deb, json.dumps(document).encode()))
    assert (field, message) == ("Update-Signature", "the signature does not hold: the "
                                                    "signature file was altered")
    for header, reason in ((None, "the package's signature file (.sig) goes with it"),
                           (b"\x00not json", "this is not a Päivystysvaihde update signature")):
        field, message = refused(fresh.upload(deb, header))
        assert field == "Update-Signature" and message.startswith(reason)
    with fresh.api.client(fresh.admin) as client:
        answer = client.post("/api/update", content=deb.read_bytes(),
                             headers={"Update-Signature": "***not base64***"})
    assert refused(answer) == ("Update-Signature", "not base64")
    with fresh.api.client(fresh.admin) as client:
        answer = client.post("/api/update", content=deb.read_bytes(),
                             headers={"Update-Signature": "A" * 6000})
    assert refused(answer)[1].startswith("longer than a signature file")
    assert fresh.update_files() == []


def test_a_package_altered_or_not_the_signed_one_is_refused(fresh: Box) -> None:
    deb, signature = package(fresh, "altered")
    altered = bytearray(deb.read_bytes())
    altered[len(altered) // 2] ^= 0xFF
    assert refused(fresh.upload(deb, signature, body=bytes(altered))) == (
        "package", "the package does not match its signature: the file was altered, or the "
                   "signature is another package's")
    field, message = refused(fresh.upload(deb, signature, body=deb.read_bytes() + b"more"))
    assert field == "package" and message.startswith("the upload is larger than the")
    assert refused(fresh.upload(deb, signature, body=deb.read_bytes()[:-1]))[0] == "package"
    assert fresh.update_files() == []  # no partial upload is left either


def test_beyond_the_size_limit_the_answer_is_413(fresh: Box) -> None:
    """A declared length past the limit is refused before any of the body is read (one
    that does not declare it is refused once it passes the size its signature names)."""
    _deb, signature = package(fresh, "large")
    header = base64.b64encode(signature.read_bytes()).decode()
    port = int(fresh.api.base_url.rsplit(":", 1)[1])
    answer = send_streaming(port, fresh.api.cert_path, "POST", "/api/update",
                            declared=MAX_PACKAGE_BYTES + 1, total=MAX_PACKAGE_BYTES + 1,
                            extra_headers=f"Authorization: Bearer {fresh.admin}\r\n"
                                          f"Update-Signature: {header}\r\n")
    assert answer.status == 413
    assert json.loads(answer.body) == {
        "detail": f"the request body is larger than the {MAX_PACKAGE_BYTES} bytes "
                  "POST /api/update takes"}
    assert fresh.update_files() == []


def test_lab_mode_says_it_takes_no_update(fresh: Box) -> None:
    fresh.machine.make_lab()
    deb, signature = package(fresh, "lab")
    state = fresh.state()
    assert state["updates"] is False and state["architecture"] is None
    assert state["why_not"].startswith("updates are installed on a box; this is lab mode")
    assert state["installed_version"] == INSTALLED  # the API's own
    field, message = refused(fresh.upload(deb, signature), status=409)
    assert field == "package"
    assert message.startswith("updates are installed on a box; this is lab mode")
    assert fresh.update_files() == []
