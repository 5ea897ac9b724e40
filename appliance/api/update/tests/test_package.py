"""What is checked of a signed package before it is installed (ours, this machine's, newer by
dpkg's rules), where this switchboard takes no update at all, and the state an update is in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paivystys.appliance.api.update.package import (
    FAILED,
    INSTALLED,
    INSTALLING,
    INTERRUPTED,
    NONE,
    WAITING,
    UpdateDir,
    UpdateRefused,
    UpdatesUnavailable,
    accept_signature,
    check_deb,
    newer,
    parse_record,
    status_of,
    why_no_updates,
)
from paivystys.appliance.api.update.signature import Manifest
from paivystys.appliance.api.update.tests.kit import (
    INSTALLED as INSTALLED_VERSION,
)
from paivystys.appliance.api.update.tests.kit import (
    Machine,
    Vendor,
    host_architecture,
    make_deb,
    other_architecture,
    write_dpkg_status,
)
from paivystys.appliance.asterisk.site import remove_site


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    return Machine(tmp_path / "box", Vendor())


def signed(machine: Machine, directory: Path, **what: str) -> bytes:
    deb = make_deb(directory, **what)
    return machine.vendor.sign(deb, **what).read_bytes()


def test_a_newer_signed_package_of_ours_for_this_machine_is_taken(machine: Machine,
                                                                  tmp_path: Path) -> None:
    manifest, installed = accept_signature(signed(machine, tmp_path, version="0.1.1"),
                                           machine.host)
    assert (manifest.version, installed) == ("0.1.1", INSTALLED_VERSION)


@pytest.mark.parametrize(("what", "reason"), [
    ({"package": "asterisk"}, "the package is 'asterisk', not the switchboard's"),
    ({"architecture": other_architecture()},
     f"the package is for {other_architecture()} machines; this switchboard is "),
    ({"version": INSTALLED_VERSION}, "version 0.1.0 is the one installed"),
    ({"version": "0.0.9"}, r"version 0\.0\.9 is older than the one installed \(0\.1\.0\)"),
    # dpkg's order, not the text's: ~ sorts before the release, 0.10 after 0.9.
    ({"version": "0.1.0~rc1"}, "older than the one installed"),
])
def test_what_is_not_a_newer_package_of_ours_for_this_machine_says_why(
        machine: Machine, tmp_path: Path, what: dict[str, str], reason: str) -> None:
    with pytest.raises(UpdateRefused, match=reason):
        accept_signature(signed(machine, tmp_path, **what), machine.host)


def test_versions_are_compared_as_dpkg_compares_them() -> None:
    assert newer("0.10.0", "0.9.0")
    assert newer("0.1.0+boxtest2", "0.1.0")
    assert newer("1:0.0.1", "0.9.0")  # an epoch outranks everything after it
    assert not newer("0.1.0~rc1", "0.1.0")
    assert not newer("0.1.0", "0.1.0")
    with pytest.raises(UpdateRefused, match="dpkg cannot compare"):
        newer("0.1 0", "0.1.0")


def test_a_machine_without_the_package_installed_takes_no_update(machine: Machine,
                                                                 tmp_path: Path) -> None:
    write_dpkg_status(machine.host.dpkg_admin_dir, None)
    with pytest.raises(UpdatesUnavailable, match="paivystys is not installed on this machine"):
        accept_signature(signed(machine, tmp_path), machine.host)
    assert why_no_updates(machine.state_dir, machine.host) == (
        "the package paivystys is not installed on this machine")


def test_lab_mode_and_a_state_directory_no_box_set_up_take_no_update(machine: Machine) -> None:
    assert why_no_updates(machine.state_dir, machine.host) is None
    machine.make_lab()
    assert why_no_updates(machine.state_dir, machine.host) == (
        "updates are installed on a box; this is lab mode, which runs the code of its work "
        "tree")
    remove_site(machine.state_dir)
    assert "is not a box's state directory" in why_no_updates(machine.state_dir, machine.host)
    (machine.state_dir / "deployment.json").write_text("{not json")
    assert "does not know where it runs" in why_no_updates(machine.state_dir, machine.host)


def test_a_package_must_say_of_itself_what_its_signature_says(tmp_path: Path) -> None:
    deb = make_deb(tmp_path, version="0.2.0")
    check_deb(deb, Manifest("paivystys", "0.2.0", host_architecture(), 1, "0" * 64))
    with pytest.raises(UpdateRefused, match=r"calls itself paivystys 0\.2\.0 .*, but its "
                                            r"signature says paivystys 0\.3\.0"):
        check_deb(deb, Manifest("paivystys", "0.3.0", host_architecture(), 1, "0" * 64))
    garbage = tmp_path / "garbage.deb"
    garbage.write_bytes(b"!<arch>\nnot really")
    with pytest.raises(UpdateRefused, match="dpkg-deb cannot read the package"):
        check_deb(garbage, Manifest("paivystys", "0.2.0", host_architecture(), 1, "0" * 64))


REQUEST = {"version": "0.2.0", "from_version": "0.1.0", "sha256": "0" * 64,
           "requested_by": "admin", "requested_at": "2026-01-01T10:00:00+00:00"}


def test_the_state_an_update_is_in() -> None:
    assert status_of(None, None, False).state == NONE
    waiting = status_of(REQUEST, {"state": INSTALLED, "version": "0.1.0"}, False)
    assert (waiting.state, waiting.version, waiting.requested_by) == (WAITING, "0.2.0", "admin")
    installing = {"state": INSTALLING, "version": "0.2.0"}
    assert status_of(None, installing, True).state == INSTALLING
    interrupted = status_of(None, installing, False)
    assert (interrupted.state, interrupted.reason) == (FAILED, INTERRUPTED)
    assert status_of(None, {"state": INSTALLED, "version": "0.2.0"}, False).state == INSTALLED
    failed = status_of(None, {"state": FAILED, "reason": "E: no space left"}, False)
    assert (failed.state, failed.reason) == (FAILED, "E: no space left")
    assert status_of(None, {"state": "exploded"}, False).reason == (
        "the update's state file is not one this version reads")


@pytest.mark.parametrize("data", [
    b"[]", b'{"state": 5}', b'{"state": {"nested": 1}}', b"not json",
    json.dumps({"reason": "x" * 5000}).encode(), b" " * 20000])
def test_a_record_that_is_not_an_object_of_short_texts_is_refused(data: bytes) -> None:
    with pytest.raises(ValueError):
        parse_record(data)


def test_an_unreadable_state_file_is_a_failure_not_a_crash(machine: Machine) -> None:
    updates = UpdateDir(machine.state_dir)
    updates.ensure()
    (updates.path / "state.json").write_text("{garbage")
    status = updates.status(machine.host)
    assert (status.state, status.reason) == (
        FAILED, "the update's state file is not one this version reads")


def test_one_update_at_a_time(machine: Machine, tmp_path: Path) -> None:
    updates = UpdateDir(machine.state_dir)
    updates.ensure()
    (updates.path / "request.json").write_text(json.dumps(REQUEST))
    with pytest.raises(UpdatesUnavailable, match=r"an update to 0\.2\.0 is already waiting to "
                                                 r"be installed \(asked by admin at "):
        updates.refuse_if_busy(machine.host)
    updates.unstage()
    (updates.path / "state.json").write_text(json.dumps({"state": INSTALLING,
                                                         "version": "0.2.0"}))
    machine.host.installer_running.mkdir(parents=True)
    with pytest.raises(UpdatesUnavailable, match=r"the update to 0\.2\.0 is being installed"):
        updates.refuse_if_busy(machine.host)
    machine.host.installer_running.rmdir()  # it was interrupted: a new update may come
    updates.refuse_if_busy(machine.host)
