"""Root's update installer: it installs what an admin asked for with apt-get, fetches missing
dependencies only after fresh package lists, records every outcome, always removes the request
and the upload, and believes nothing of the unprivileged side: the copy it installs is checked
again, and links or FIFOs planted in the update directory are neither followed nor waited on.

apt-get is a stand-in that installs by writing the test's dpkg database (kit.FakeApt)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from paivystys.appliance.api.update.package import (
    FAILED,
    INSTALLED,
    UpdateDir,
    UpdateStatus,
    request_update,
)
from paivystys.appliance.api.update.signature import verify
from paivystys.appliance.api.update.tests.kit import (
    INSTALLED as INSTALLED_VERSION,
)
from paivystys.appliance.api.update.tests.kit import (
    NEWER,
    FakeApt,
    Machine,
    Vendor,
    make_deb,
)
from paivystys.appliance.box.update import Installer
from paivystys.appliance.changes import Changes
from paivystys.appliance.db.database import open_database


class Box:
    def __init__(self, root: Path) -> None:
        self.machine = Machine(root / "machine", Vendor())
        self.apt = FakeApt(root / "apt", self.machine.host.dpkg_admin_dir)
        self.packages = root / "packages"
        self.packages.mkdir()
        self.said: list[str] = []
        self.updates = UpdateDir(self.machine.state_dir)

    def installer(self) -> Installer:
        return Installer(self.machine.state_dir, self.machine.host, self.machine.work_dir,
                         str(self.apt.path), progress=self.said.append)

    def request(self, version: str = NEWER) -> Path:
        """What the API does with a good upload: staged, with its request."""
        deb = make_deb(self.packages, version=version)
        signature = self.machine.vendor.sign(deb, version=version).read_bytes()
        manifest = verify(signature, self.machine.host.keys())
        staged = self.packages / "upload.partial"
        staged.write_bytes(deb.read_bytes())
        request_update(self.updates, self.machine.host, staged, signature, manifest,
                       INSTALLED_VERSION, Changes("admin", apply=lambda: None))
        return deb

    def state(self) -> dict:
        return json.loads((self.updates.path / "state.json").read_text())

    def left(self) -> list[str]:
        return sorted(entry.name for entry in self.updates.path.iterdir())


@pytest.fixture
def box(tmp_path: Path) -> Iterator[Box]:
    database = open_database(tmp_path / "paivystys.db")
    yield Box(tmp_path)
    database.close()


def test_an_update_is_installed_and_recorded_and_its_files_removed(box: Box) -> None:
    box.request()
    outcome = box.installer().run()
    assert outcome is not None
    assert (outcome.state, outcome.version, outcome.from_version, outcome.requested_by) == (
        INSTALLED, NEWER, INSTALLED_VERSION, "admin")
    assert outcome.started_at and outcome.finished_at and outcome.reason is None
    assert box.machine.host.installed_version() == NEWER
    assert box.state()["state"] == INSTALLED
    assert box.left() == ["state.json"]
    assert not (box.machine.work_dir / "package").exists()
    # Nothing was missing: no package lists fetched, the network not needed.
    simulate, install = box.apt.calls()
    assert simulate[:2] == ["install", "--simulate"]
    assert install[:4] == ["install", "--yes", "--no-install-recommends", "-o"]
    assert "Dpkg::Options::=--force-confold" in install
    # Root's own copy, never the services' user's file.
    assert install[-1] == str(box.machine.work_dir / "package/paivystys.deb")
    assert any(line.startswith("Setting up paivystys (0.2.0)") for line in box.said)


def test_nothing_requested_is_nothing_done(box: Box) -> None:
    assert box.installer().run() is None
    box.updates.ensure()
    assert box.installer().run() is None
    assert box.apt.calls() == []


def test_missing_dependencies_are_fetched_after_fresh_package_lists(box: Box) -> None:
    box.apt.configure(needs=["libnew1"])
    box.request()
    assert box.installer().run().state == INSTALLED
    assert [call[0] for call in box.apt.calls()] == ["install", "update", "install"]


def test_offline_with_dependencies_missing_it_fails_and_says_why(box: Box) -> None:
    box.apt.configure(needs=["libnew1"], update_fails=True)
    box.request()
    outcome = box.installer().run()
    assert outcome.state == FAILED
    assert outcome.reason.startswith("it needs packages from the network (libnew1), and "
                                     "'apt-get update' failed: E: Failed to fetch")
    assert box.machine.host.installed_version() == INSTALLED_VERSION
    assert box.left() == ["state.json"]


def test_a_failing_install_is_recorded_with_apts_own_words(box: Box) -> None:
    box.apt.configure(install_fails=True)
    box.request()
    outcome = box.installer().run()
    assert outcome.state == FAILED
    assert outcome.reason == (
        "apt-get install failed (exit 100): dpkg: error processing package paivystys "
        "(--configure): / E: Sub-process /usr/bin/dpkg returned an error code (1)")
    assert box.state()["reason"] == outcome.reason
    assert box.left() == ["state.json"]


def refused_by_root(box: Box, reason: str) -> UpdateStatus:
    outcome = box.installer().run()
    assert outcome is not None and outcome.state == FAILED, outcome
    assert outcome.reason.startswith("not installed: "), outcome.reason
    assert reason in outcome.reason
    assert box.apt.calls() == []  # apt never saw it
    assert box.machine.host.installed_version() == INSTALLED_VERSION
    assert box.left() == ["state.json"]
    return outcome


def test_a_package_swapped_after_the_api_checked_it_is_refused(box: Box) -> None:
    box.request()
    (box.packages / "evil").mkdir()
    evil = make_deb(box.packages / "evil", payload=b"evil code\n")
    (box.updates.path / "paivystys.deb").write_bytes(evil.read_bytes())
    refused_by_root(box, "the package does not match its signature")


def test_a_signature_swapped_for_another_keys_is_refused(box: Box) -> None:
    deb = box.request()
    (box.updates.path / "paivystys.deb.sig").write_bytes(Vendor().sign(deb).read_bytes())
    refused_by_root(box, "which this switchboard does not trust")


def test_an_older_package_staged_behind_the_apis_back_is_refused(box: Box) -> None:
    box.request()
    (box.packages / "old").mkdir()
    old = make_deb(box.packages / "old", version="0.0.1")
    (box.updates.path / "paivystys.deb").write_bytes(old.read_bytes())
    (box.updates.path / "paivystys.deb.sig").write_bytes(
        box.machine.vendor.sign(old, version="0.0.1").read_bytes())
    refused_by_root(box, "version 0.0.1 is older than the one installed")


def test_a_link_planted_for_the_package_is_not_followed(box: Box, tmp_path: Path) -> None:
    box.request()
    secret = tmp_path / "shadow"
    secret.write_text("root:secret\n")
    (box.updates.path / "paivystys.deb").unlink()
    (box.updates.path / "paivystys.deb").symlink_to(secret)
    refused_by_root(box, "the upload's paivystys.deb cannot be read")
    assert secret.read_text() == "root:secret\n"


def test_a_fifo_planted_for_the_package_is_not_waited_on(box: Box) -> None:
    box.request()
    (box.updates.path / "paivystys.deb").unlink()
    os.mkfifo(box.updates.path / "paivystys.deb")
    refused_by_root(box, "the upload's paivystys.deb is not a plain file")


def test_a_link_planted_for_the_state_file_is_replaced_not_written_through(
        box: Box, tmp_path: Path) -> None:
    box.request()
    victim = tmp_path / "passwd"
    victim.write_text("root:x:0:0::/root:/bin/bash\n")
    (box.updates.path / "state.json").symlink_to(victim)
    assert box.installer().run().state == INSTALLED
    assert victim.read_text() == "root:x:0:0::/root:/bin/bash\n"
    assert not (box.updates.path / "state.json").is_symlink()
    assert box.state()["state"] == INSTALLED


def test_a_link_planted_for_the_update_directory_is_not_followed(box: Box,
                                                                 tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "request.json").write_text("{}")
    box.machine.state_dir.joinpath("update").symlink_to(elsewhere)
    assert box.installer().run() is None
    assert sorted(path.name for path in elsewhere.iterdir()) == ["request.json"]


def test_a_hostile_request_file_still_ends_in_a_recorded_refusal(box: Box) -> None:
    box.updates.ensure()
    (box.updates.path / "request.json").write_text('{"requested_by": ["not", "text"]}')
    outcome = box.installer().run()
    assert outcome.state == FAILED and outcome.requested_by is None
    assert outcome.reason == "not installed: the upload has no paivystys.deb"
    assert box.left() == ["state.json"]
