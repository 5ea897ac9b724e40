from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from paivystys.appliance.runtime.instance import (
    AMI_SECRET_INCLUDE,
    PID_FILE,
    AsteriskInstance,
    InstanceError,
    InstanceSpec,
)

SPEC = InstanceSpec(name="unit", sip_port=5060, ami_port=5038, rtp_start=10000, rtp_end=10099)
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="chown to Asterisk's ids needs root")
# Not the Debian rootfs's 101: the ids must come from the rootfs, not from a constant.
ASTERISK_UID, ASTERISK_GID = 2101, 2102
SERVICES_GID = 2200  # the state directory's group


@pytest.fixture
def instance(tmp_path: Path) -> AsteriskInstance:
    rootfs = tmp_path / "rootfs"
    (rootfs / "etc").mkdir(parents=True)
    (rootfs / "etc/passwd").write_text(
        "root:x:0:0:root:/root:/bin/bash\n"
        f"asterisk:x:{ASTERISK_UID}:{ASTERISK_GID}:Asterisk PBX daemon:/var/lib/asterisk:"
        "/usr/sbin/nologin\n")
    (rootfs / "etc/group").write_text(
        f"root:x:0:\ndialout:x:20:asterisk\nasterisk:x:{ASTERISK_GID}:\n")
    state = tmp_path / "state"
    state.mkdir()
    if os.geteuid() == 0:
        os.chown(state, -1, SERVICES_GID)
    return AsteriskInstance(SPEC, state, rootfs=rootfs, netns_name=None)


def _owner_and_mode(path: Path) -> tuple[int, int, str]:
    status = path.lstat()
    return status.st_uid, status.st_gid, oct(stat.S_IMODE(status.st_mode))


def test_asterisk_ids_come_from_the_rootfs(instance: AsteriskInstance) -> None:
    assert instance.asterisk_ids == (ASTERISK_UID, ASTERISK_GID)


def test_a_rootfs_without_asterisk_is_a_clear_error(instance: AsteriskInstance) -> None:
    (instance.rootfs / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    with pytest.raises(InstanceError, match="has no 'asterisk'"):
        _ = instance.asterisk_ids


@needs_root
def test_each_directory_has_its_owner_and_mode(instance: AsteriskInstance) -> None:
    os.umask(0o022)
    instance.prepare_dirs()
    asterisk = (ASTERISK_UID, ASTERISK_GID)
    expected = {
        "etc": (os.geteuid(), ASTERISK_GID, oct(0o2750)),  # the writer's; Asterisk reads
        **{name: (*asterisk, oct(0o750)) for name in ("spool", "run", "log", "lib")},
        "sounds": (*asterisk, oct(0o755)),
        "recordings": (ASTERISK_UID, SERVICES_GID, oct(0o2770)),
    }
    actual = {name: _owner_and_mode(instance.instance_dir / name) for name in expected}
    assert actual == expected
    assert _owner_and_mode(instance.instance_dir)[2] == oct(0o755)


@needs_root
def test_directories_made_loose_are_restored(instance: AsteriskInstance) -> None:
    instance.prepare_dirs()
    for name in ("etc", "log", "recordings"):
        path = instance.instance_dir / name
        os.chown(path, 0, 0)
        path.chmod(0o777)
    instance.prepare_dirs()
    assert _owner_and_mode(instance.instance_dir / "etc")[1:] == (ASTERISK_GID, oct(0o2750))
    assert _owner_and_mode(instance.instance_dir / "log") == (
        ASTERISK_UID, ASTERISK_GID, oct(0o750))
    assert _owner_and_mode(instance.instance_dir / "recordings") == (
        ASTERISK_UID, SERVICES_GID, oct(0o2770))


@needs_root
def test_configs_are_readable_by_asterisks_group_only(instance: AsteriskInstance) -> None:
    previous = os.umask(0o077)  # a strict umask must not make configs unreadable to Asterisk
    try:
        path = instance.write_config("pjsip.conf", "[trunk]\npassword = salasana\n")
    finally:
        os.umask(previous)
    assert path == instance.instance_dir / "etc/pjsip.conf"
    assert path.read_text() == "[trunk]\npassword = salasana\n"
    assert _owner_and_mode(path) == (os.geteuid(), ASTERISK_GID, oct(0o640))
    assert [p.name for p in path.parent.iterdir()] == ["pjsip.conf"]


@needs_root
def test_a_config_is_never_readable_by_others_while_it_is_written(
        instance: AsteriskInstance, monkeypatch: pytest.MonkeyPatch) -> None:
    instance.prepare_dirs()
    # A partial file left by a crash, world-readable and perhaps held open by someone.
    stale = instance.instance_dir / "etc/.pjsip.conf.partial"
    stale.write_text("old")
    stale.chmod(0o666)
    modes_at_write = []
    real_fdopen = os.fdopen

    def watching_fdopen(fd: int, *args: object, **kwargs: object) -> object:
        file = real_fdopen(fd, *args, **kwargs)  # type: ignore[call-overload]
        real_write = file.write

        def write(text: str) -> int:
            modes_at_write.append(oct(stat.S_IMODE(os.fstat(fd).st_mode)))
            return real_write(text)

        file.write = write
        return file

    monkeypatch.setattr(os, "fdopen", watching_fdopen)
    with stale.open() as held:
        instance.write_config("pjsip.conf", "password = salasana\n")
        assert held.read() == "old"  # the secret never went into the stale file
    assert modes_at_write == [oct(0o640)]


@needs_root
def test_the_ami_secret_include_is_a_config_like_the_others(instance: AsteriskInstance) -> None:
    instance.write_secret_include()
    path = instance.instance_dir / "etc" / AMI_SECRET_INCLUDE
    assert path.read_text() == f"secret = {instance.ami_secret()}\n"
    assert _owner_and_mode(path)[1:] == (ASTERISK_GID, oct(0o640))


@needs_root
def test_configs_written_before_these_rules_are_closed_to_others(
        instance: AsteriskInstance) -> None:
    instance.prepare_dirs()
    old = instance.instance_dir / "etc/pjsip.conf"
    old.write_text("password = salasana\n")
    old.chmod(0o644)
    instance.secure_configs()
    assert _owner_and_mode(old)[1:] == (ASTERISK_GID, oct(0o640))
    assert old.read_text() == "password = salasana\n"


@needs_root
def test_recordings_made_before_these_rules_get_the_services_group(
        instance: AsteriskInstance) -> None:
    instance.prepare_dirs()
    month = instance.instance_dir / "recordings/2026/01"
    month.mkdir(parents=True)
    recording = month / "call.wav"
    recording.write_bytes(b"RIFF")
    for path, mode in ((month.parent, 0o755), (month, 0o755), (recording, 0o644)):
        os.chown(path, ASTERISK_UID, ASTERISK_GID)
        path.chmod(mode)
    outside = instance.instance_dir.parent / "elsewhere.txt"
    outside.write_text("not a recording")
    outside.chmod(0o644)
    (month / "link.wav").symlink_to(outside)

    instance.secure_recordings()

    for folder in (month.parent, month):
        assert _owner_and_mode(folder) == (ASTERISK_UID, SERVICES_GID, oct(0o2770))
    assert _owner_and_mode(recording) == (ASTERISK_UID, SERVICES_GID, oct(0o660))
    assert _owner_and_mode(outside) == (0, 0, oct(0o644))  # a link is not followed


def test_ami_secret_is_private_and_stable(instance: AsteriskInstance) -> None:
    secret = instance.ami_secret()
    assert len(secret) >= 24
    assert instance.ami_secret() == secret
    path = instance.instance_dir / "ami.secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_loose_ami_secret_is_closed_when_read(instance: AsteriskInstance) -> None:
    secret = instance.ami_secret()
    path = instance.instance_dir / "ami.secret"
    path.chmod(0o644)
    assert instance.ami_secret() == secret
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


@needs_root
def test_an_instance_whose_asterisk_keeps_its_own_files_elsewhere_has_no_such_folders(
        instance: AsteriskInstance) -> None:
    box = AsteriskInstance(SPEC, instance.instance_dir.parent, instance.rootfs, None,
                           keeps_own_files=False)
    box.prepare_dirs()
    assert sorted(p.name for p in box.instance_dir.iterdir()) == ["etc", "recordings", "sounds"]


@needs_root
def test_the_configuration_belongs_to_the_owner_of_the_state_directory(
        instance: AsteriskInstance) -> None:
    services_user = 4242  # the box's services' user, which applies the changes
    os.chown(instance.instance_dir.parent, services_user, -1)
    instance.prepare_dirs()
    assert _owner_and_mode(instance.instance_dir / "etc") == (
        services_user, ASTERISK_GID, oct(0o2750))
