from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from paivystys.appliance.runtime.instance import (
    ASTERISK_UID,
    PID_FILE,
    SUBDIRS,
    AsteriskInstance,
    InstanceError,
    InstanceSpec,
)

SPEC = InstanceSpec(name="unit", sip_port=5060, ami_port=5038, rtp_start=10000, rtp_end=10099)
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="chown to uid 101 needs root")


@pytest.fixture
def instance(tmp_path: Path) -> AsteriskInstance:
    return AsteriskInstance(SPEC, tmp_path, rootfs=tmp_path / "rootfs", netns_name=None)


@needs_root
def test_directories_belong_to_asterisk(instance: AsteriskInstance) -> None:
    instance.prepare_dirs()
    for name in SUBDIRS:
        assert (instance.instance_dir / name).stat().st_uid == ASTERISK_UID


@needs_root
def test_configs_are_world_readable(instance: AsteriskInstance) -> None:
    os.umask(0o077)  # a strict umask must not make configs unreadable to uid 101
    try:
        path = instance.write_config("rtp.conf", "[general]\n")
    finally:
        os.umask(0o022)
    assert path == instance.instance_dir / "etc/rtp.conf"
    assert path.read_text() == "[general]\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in path.parent.iterdir()] == ["rtp.conf"]


def test_ami_secret_is_private_and_stable(instance: AsteriskInstance) -> None:
    secret = instance.ami_secret()
    assert len(secret) >= 24
    assert instance.ami_secret() == secret
    path = instance.instance_dir / "ami.secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_stale_pid_file_does_not_count_as_running(instance: AsteriskInstance) -> None:
    instance.instance_dir.mkdir(parents=True)
    # Our own pid, but with another start time: the pid was reused.
    (instance.instance_dir / PID_FILE).write_text(f"{os.getpid()} 1\n")
    assert not instance.is_running()
    instance.stop()  # nothing to stop, and no error
    assert not (instance.instance_dir / PID_FILE).exists()


def test_rx_on_a_stopped_instance_is_a_clear_error(instance: AsteriskInstance) -> None:
    with pytest.raises(InstanceError, match="not running"):
        instance.rx("core show version")


def test_start_without_configs_is_a_clear_error(instance: AsteriskInstance) -> None:
    with pytest.raises(InstanceError, match=r"asterisk\.conf is missing"):
        instance.start()
