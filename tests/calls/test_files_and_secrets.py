"""What lab mode (the box with a simulated world around it) leaves on disk, and what the
appliance's AMI user may do: secrets readable only by those who need them."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from paivystys.appliance.ami.client import AmiActionError
from paivystys.appliance.asterisk.apply import apply_configuration


def _owner_group_mode(path: Path) -> tuple[int, int, str]:
    status = path.stat()
    return status.st_uid, status.st_gid, oct(stat.S_IMODE(status.st_mode))


def test_the_database_and_its_wal_files_are_closed_to_others(lab) -> None:
    files = [lab.db_path, *(lab.db_path.with_name(lab.db_path.name + suffix)
                            for suffix in ("-wal", "-shm"))]
    assert {path.name: oct(stat.S_IMODE(path.stat().st_mode)) for path in files} == {
        path.name: oct(0o660) for path in files}


def test_asterisks_configs_are_readable_by_its_group_only(lab) -> None:
    appliance = lab.appliance()
    _uid, asterisk_gid = appliance.asterisk_ids
    etc = appliance.instance_dir / "etc"
    assert _owner_group_mode(etc) == (0, asterisk_gid, oct(0o2750))
    # pjsip.conf holds the trunk's password, manager_secret.conf the AMI secret.
    for name in ("pjsip.conf", "manager_secret.conf", "manager.conf", "extensions.conf"):
        assert _owner_group_mode(etc / name) == (0, asterisk_gid, oct(0o640)), name
    assert _owner_group_mode(appliance.instance_dir / "ami.secret")[2] == oct(0o600)


def test_a_world_readable_config_is_closed_when_the_configuration_is_applied(lab) -> None:
    pjsip = lab.appliance().instance_dir / "etc/pjsip.conf"
    pjsip.chmod(0o644)  # as an older version left it
    apply_configuration()
    assert oct(stat.S_IMODE(pjsip.stat().st_mode)) == oct(0o640)


def test_the_apis_key_is_its_own(lab) -> None:
    assert oct(stat.S_IMODE((lab.state_dir / "tls/api.key").stat().st_mode)) == oct(0o600)


def test_asterisk_writes_nothing_others_may_read(lab) -> None:
    appliance = lab.appliance()
    status = Path(f"/proc/{appliance.pid()}/status").read_text()
    assert re.search(r"^Umask:\s+0007$", status, re.MULTILINE), status
    uid, gid = appliance.asterisk_ids
    for name in ("log", "lib", "run", "spool"):
        assert _owner_group_mode(appliance.instance_dir / name) == (uid, gid, oct(0o750)), name
    assert _owner_group_mode(appliance.instance_dir / "recordings") == (
        uid, lab.state_dir.stat().st_gid, oct(0o2770))


@pytest.mark.parametrize("action, headers", [
    ("Originate", {"Channel": "Local/s@pv-nowhere", "Application": "Wait", "Data": "1"}),
    ("Command", {"Command": "core show channels"}),
    ("Redirect", {"Channel": "PJSIP/trunk-00000000", "Context": "x", "Exten": "s",
                  "Priority": "1"}),
])
def test_the_appliances_ami_user_is_refused_what_the_appliance_does_not_use(
        appliance_ami, action: str, headers: dict[str, str]) -> None:
    with pytest.raises(AmiActionError, match="Permission denied"):
        appliance_ami.action(action, **headers)
