"""`paivystys update install FILE` and `update status` on a machine of the test's own: a signed
newer package is installed by root's installer (with an apt-get that writes the test's dpkg
database) and audited as the Unix user's; every refusal says why and stages nothing."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from paivystys.appliance.api.update.package import UpdateDir
from paivystys.appliance.api.update.tests.kit import (
    INSTALLED,
    NEWER,
    FakeApt,
    Machine,
    Vendor,
    make_deb,
)
from paivystys.appliance.audit import entries
from paivystys.appliance.box.update import Installer
from paivystys.appliance.cli import update as update_cli
from paivystys.appliance.cli.main import main
from paivystys.appliance.db.database import open_database
from paivystys.appliance.runtime import host as runtime_host


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Machine]:
    machine = Machine(tmp_path / "machine", Vendor())
    apt = FakeApt(tmp_path / "apt", machine.host.dpkg_admin_dir)
    monkeypatch.setattr(update_cli, "HOST", machine.host)

    def installer_runs() -> str:  # what paivystys-update.service does, here in-process
        Installer(machine.state_dir, machine.host, machine.work_dir, str(apt.path),
                  progress=lambda _line: None).run()
        return "ran"

    monkeypatch.setattr(update_cli, "start_installer", installer_runs)
    database = open_database(machine.state_dir / "paivystys.db")
    yield machine
    database.close()


def run(machine: Machine, *argv: str) -> int:
    db = machine.state_dir / "paivystys.db"
    return main(["--db", str(db), "update", *argv, "--state-dir", str(machine.state_dir)])


def packaged(machine: Machine, directory: Path, version: str = NEWER) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    deb = make_deb(directory, version=version)
    machine.vendor.sign(deb, version=version)
    return deb


def test_a_signed_newer_package_is_installed_and_audited(
        machine: Machine, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deb = packaged(machine, tmp_path / "packages")
    assert run(machine, "install", str(deb)) == 0
    out = capsys.readouterr().out
    assert f"Installing paivystys {NEWER} over {INSTALLED}" in out
    assert f"update to {NEWER}: installed at " in out
    assert machine.host.installed_version() == NEWER
    row = next(row for row in entries(10) if row["action"] == "update.request")
    assert (row["actor"], row["target"]) == (f"cli:{getpass.getuser()}", f"paivystys {NEWER}")

    assert run(machine, "status", "--json") == 0
    status = json.loads(capsys.readouterr().out)
    assert (status["installed_version"], status["state"], status["version"]) == (
        NEWER, "installed", NEWER)


@pytest.mark.parametrize("name", ["päivitys 2.deb", "-rf $(reboot).deb", "rivi\nvaihto.deb",
                                  "'; DROP TABLE user; --.deb"])
def test_a_file_of_any_name_is_only_a_file(machine: Machine, tmp_path: Path, name: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    deb = packaged(machine, tmp_path / "packages")
    hostile = deb.with_name(name)
    deb.rename(hostile)
    deb.with_name(deb.name + ".sig").rename(hostile.with_name(name + ".sig"))
    assert run(machine, "install", str(hostile)) == 0, capsys.readouterr().err
    assert machine.host.installed_version() == NEWER


def refused(machine: Machine, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert run(machine, *argv) == 1
    error = capsys.readouterr().err
    assert machine.host.installed_version() == INSTALLED
    assert sorted(path.name for path in UpdateDir(machine.state_dir).path.glob("*")
                  if path.name != "state.json") == []
    assert [row for row in entries(10) if row["action"] == "update.request"] == []
    return error


def test_an_older_package_is_refused_saying_why(machine: Machine, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    deb = packaged(machine, tmp_path / "packages", version="0.0.9")
    assert refused(machine, capsys, "install", str(deb)) == (
        "paivystys: error: not installed: version 0.0.9 is older than the one installed "
        "(0.1.0): only a newer version is installed\n")


def test_another_keys_signature_or_an_altered_package_is_refused(
        machine: Machine, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deb = packaged(machine, tmp_path / "packages")
    signature = deb.with_name(deb.name + ".sig")
    good = signature.read_bytes()
    Vendor().sign(deb)
    assert "which this switchboard does not trust" in refused(machine, capsys, "install",
                                                              str(deb))
    signature.write_bytes(good)
    deb.write_bytes(deb.read_bytes() + b"tail")
    assert "does not match its signature" in refused(machine, capsys, "install", str(deb))


def test_a_missing_signature_or_package_is_said(machine: Machine, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    deb = packaged(machine, tmp_path / "packages")
    deb.with_name(deb.name + ".sig").unlink()
    assert "cannot read the package's signature" in refused(machine, capsys, "install",
                                                            str(deb))
    other = packaged(machine, tmp_path / "other")
    other.unlink()
    assert f"cannot read the package {other}" in refused(machine, capsys, "install",
                                                         str(other))


def test_lab_mode_takes_no_update(machine: Machine, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    machine.make_lab()
    deb = packaged(machine, tmp_path / "packages")
    assert "this is lab mode" in refused(machine, capsys, "install", str(deb))
    assert run(machine, "status") == 0
    assert "updates: none taken here: updates are installed on a box; this is lab mode" in (
        capsys.readouterr().out)


def test_only_root_installs(machine: Machine, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    deb = packaged(machine, tmp_path / "packages")
    monkeypatch.setattr(runtime_host.os, "geteuid", lambda: 1000)
    assert "Installing an update needs root" in refused(machine, capsys, "install", str(deb))


def test_the_root_installer_with_nothing_requested_does_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    assert main(["box", "update-install", "--state-dir", str(state_dir)]) == 0
    assert capsys.readouterr().out == "no update is requested\n"
