"""`paivystys box setup` on a state directory of its own, with a machine root holding Debian's
asterisk user, as paivystys-setup.service runs it at every boot."""

from __future__ import annotations

import functools
import json
import os
import pwd
import stat
from pathlib import Path

import pytest

from paivystys.appliance.box.setup import Box
from paivystys.appliance.cli import box as box_command
from paivystys.appliance.cli.main import main
from paivystys.appliance.db.database import open_database, stored_schema_version
from paivystys.appliance.db.integrity import (
    AT_BOOT,
    RECORD_FILE,
    IntegrityCheck,
    recorded_integrity,
)
from paivystys.appliance.db.schema import SCHEMA_VERSION
from paivystys.appliance.db.tests.damage import (
    damage_page_header,
    destroy_header,
    overwrite_page,
)
from paivystys.appliance.runtime.host import RuntimeSetupError

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the set-up gives files owners")
ASTERISK_UID, ASTERISK_GID = 2101, 2102
SERVICES_USER = "daemon"  # stands in for the package's 'paivystys': any user but root


def _owner_group_mode(path: Path) -> tuple[int, int, int]:
    status = path.stat()
    return status.st_uid, status.st_gid, stat.S_IMODE(status.st_mode)


@pytest.fixture
def box(tmp_path: Path) -> Box:
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc/passwd").write_text(
        f"asterisk:x:{ASTERISK_UID}:{ASTERISK_GID}::/var/lib/asterisk:/usr/sbin/nologin\n")
    (root / "etc/group").write_text(f"asterisk:x:{ASTERISK_GID}:\n")
    return Box(state_dir=tmp_path / "var/lib/paivystys", services_user=SERVICES_USER,
               host_root=root, progress=lambda message: None)


def test_a_first_start_makes_everything_with_its_owner(box: Box) -> None:
    services = pwd.getpwnam(SERVICES_USER)
    ids = (services.pw_uid, services.pw_gid)
    box.set_up()

    assert _owner_group_mode(box.state_dir) == (*ids, 0o751)
    assert _owner_group_mode(box.db_path)[:2] == ids
    assert stored_schema_version(box.db_path) == SCHEMA_VERSION
    assert json.loads((box.state_dir / "deployment.json").read_text()) == {"kind": "system"}

    instance = box.state_dir / "appliance"
    assert _owner_group_mode(instance) == (*ids, 0o755)
    # The services' user writes the configuration, Asterisk reads it through its group.
    assert _owner_group_mode(instance / "etc") == (*ids[:1], ASTERISK_GID, 0o2750)
    # ... and owns the files in it, made here by root: the API reads and replaces them.
    assert {_owner_group_mode(path) for path in (instance / "etc").iterdir()} == {
        (ids[0], ASTERISK_GID, 0o640)}
    conf = (instance / "etc/asterisk.conf").read_text()
    assert f"astetcdir => {instance}/etc\n" in conf
    assert f"PV_RECORDINGS_DIR={instance}/recordings\n" in (
        instance / "etc/extensions.conf").read_text()
    assert _owner_group_mode(instance / "ami.secret") == (*ids, 0o600)
    secret = (instance / "ami.secret").read_text().strip()
    assert f"secret = {secret}\n" == (instance / "etc/manager_secret.conf").read_text()
    assert _owner_group_mode(instance / "recordings") == (ASTERISK_UID, ids[1], 0o2770)
    assert any((instance / "sounds/generated/fi").glob("*.wav"))
    # Debian's Asterisk keeps its logs and astdb where its package does.
    assert sorted(p.name for p in instance.iterdir() if p.is_dir()) == [
        "etc", "recordings", "sounds"]


def test_every_later_start_keeps_the_secrets_and_changes_nothing(box: Box) -> None:
    box.set_up()
    instance = box.state_dir / "appliance"
    secret = (instance / "ami.secret").read_text()
    said: list[str] = []
    box.progress = said.append
    box.set_up()
    assert (instance / "ami.secret").read_text() == secret
    assert said[-1].endswith("(unchanged)")
    assert not any("secret" in line or "database" in line for line in said)


def test_a_database_root_made_is_given_to_the_services(box: Box) -> None:
    box.state_dir.mkdir(parents=True)
    open_database(box.db_path).close()  # e.g. by `paivystys user add` as root before the boot
    assert box.db_path.stat().st_uid == 0
    box.set_up()
    assert box.db_path.stat().st_uid == pwd.getpwnam(SERVICES_USER).pw_uid


def test_without_the_services_user_it_says_to_reinstall(box: Box) -> None:
    box.services_user = "no-such-user-here"
    with pytest.raises(RuntimeSetupError, match="there is no user 'no-such-user-here'"):
        box.set_up()


def test_the_command_runs_it(box: Box, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(box_command, "Box", functools.partial(
        Box, services_user=SERVICES_USER, host_root=box.host_root))
    assert main(["box", "setup", "--state-dir", str(box.state_dir)]) == 0
    assert stored_schema_version(box.db_path) == SCHEMA_VERSION


def test_a_box_with_ssh_gets_host_keys_of_its_own_once(box: Box) -> None:
    ssh = box.host_root / "etc/ssh"
    box.set_up()
    assert not ssh.exists()  # no SSH server: nothing made
    ssh.mkdir()
    (ssh / "sshd_config").write_text("# as the image ships it, without host keys\n")
    box.set_up()
    made = {path.name: path.read_bytes() for path in ssh.glob("ssh_host_*_key")}
    assert set(made) >= {"ssh_host_ed25519_key", "ssh_host_rsa_key"}
    assert stat.S_IMODE((ssh / "ssh_host_ed25519_key").stat().st_mode) == 0o600
    box.set_up()
    assert {path.name: path.read_bytes() for path in ssh.glob("ssh_host_*_key")} == made


def _record(box: Box) -> IntegrityCheck:
    check = recorded_integrity(box.state_dir)
    assert check is not None
    return check


def test_every_start_checks_the_database_and_records_it_for_the_services(box: Box) -> None:
    box.set_up()  # a new database: checked once made
    assert _record(box).ok and _record(box).occasion == AT_BOOT
    services = pwd.getpwnam(SERVICES_USER)
    assert _owner_group_mode(box.state_dir / RECORD_FILE) == (
        services.pw_uid, services.pw_gid, 0o640)
    first = _record(box).checked_at
    box.set_up()
    assert _record(box).ok and _record(box).checked_at >= first


def test_a_damaged_database_is_said_with_the_last_good_backup_and_the_box_starts(
        box: Box) -> None:
    box.set_up()
    good = "paivystys-backup-20251204-030512.json"
    (box.state_dir / "backups").mkdir(mode=0o700)
    (box.state_dir / "backups" / good).write_text("{}")
    damage_page_header(box.db_path, "call")
    said: list[str] = []
    box.progress = said.append
    box.set_up()
    check = _record(box)
    assert not check.ok and "free space corruption" in check.problems[0]
    (line,) = [line for line in said if "integrity" in line]
    assert line.startswith(f"the database {box.db_path} failed its integrity check (at boot, ")
    assert f"The last good backup is {good} of 2025-12-04T03:05:12+00:00" in line
    assert said[-1].startswith("Asterisk's configuration in")  # the rest of the set-up ran
    assert box.db_path.stat().st_uid == pwd.getpwnam(SERVICES_USER).pw_uid


def test_a_database_whose_configuration_cannot_be_read_leaves_asterisks_as_it_was(
        box: Box) -> None:
    box.set_up()
    extensions = box.state_dir / "appliance/etc/extensions.conf"
    before = extensions.read_text()
    overwrite_page(box.db_path, "on_call_number")
    said: list[str] = []
    box.progress = said.append
    box.set_up()
    assert "There is no backup on the box" in said[0]
    assert any(line.startswith("Asterisk's configuration was not regenerated: the damaged "
                               "database cannot be read (database disk image is malformed)")
               for line in said)
    assert extensions.read_text() == before
    assert not _record(box).ok


def test_a_file_that_is_no_longer_a_database_stops_the_set_up_saying_what_to_do(
        box: Box) -> None:
    box.set_up()
    destroy_header(box.db_path)
    with pytest.raises(RuntimeSetupError, match=r"file is not a database.*Move it aside"):
        box.set_up()
    assert "file is not a database" in _record(box).problems[0]
