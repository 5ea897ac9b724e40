"""Where Asterisk is and how a change reaches it: the lab's and the box's Asterisk, applied
over AMI (a fake manager interface speaking the real protocol stands in for Asterisk)."""

from __future__ import annotations

import json
import os
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import peewee
import pytest

from paivystys.appliance.ami.tests.fake_ami import FakeAmi
from paivystys.appliance.asterisk import apply
from paivystys.appliance.asterisk.base import AMI_USER
from paivystys.appliance.asterisk.site import (
    AsteriskUnavailable,
    LabAsterisk,
    SystemAsterisk,
    load_site,
    remove_site,
    save_site,
)
from paivystys.appliance.db.database import open_database
from paivystys.appliance.directory import Directory
from paivystys.appliance.errors import ApplyFailed
from paivystys.appliance.runtime.instance import InstanceSpec

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="chown to Asterisk's ids needs root")
ASTERISK_UID, ASTERISK_GID = 2101, 2102


@pytest.fixture
def ami() -> Iterator[FakeAmi]:
    server = FakeAmi(username=AMI_USER, secret="the-secret")
    yield server
    server.close()


@pytest.fixture
def state(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "state"
    directory.mkdir()
    database: peewee.SqliteDatabase = open_database(directory / "paivystys.db")
    yield directory
    database.close()


@pytest.fixture
def host_root(tmp_path: Path) -> Path:
    """A machine's root with Debian's asterisk user in it."""
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc/passwd").write_text(
        f"asterisk:x:{ASTERISK_UID}:{ASTERISK_GID}::/var/lib/asterisk:/usr/sbin/nologin\n")
    (root / "etc/group").write_text(f"asterisk:x:{ASTERISK_GID}:\n")
    return root


def _spec(port: int) -> InstanceSpec:
    return InstanceSpec(name="appliance", sip_port=5060, ami_port=port,
                        rtp_start=10000, rtp_end=10999)


def _box(state: Path, host_root: Path, port: int) -> SystemAsterisk:
    site = SystemAsterisk(state, _spec(port), host_root=host_root)
    secret = site.instance.instance_dir / "ami.secret"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("the-secret\n")
    return site


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def box_site(state: Path, host_root: Path, ami: FakeAmi,
             monkeypatch: pytest.MonkeyPatch) -> SystemAsterisk:
    """The box's Asterisk, recorded for the state directory as `paivystys box setup` does."""
    site = _box(state, host_root, ami.port)
    save_site(site)
    monkeypatch.setattr(apply, "load_site", lambda directory, spec: site)
    return site


@needs_root
def test_the_box_reads_our_files_and_keeps_its_own_where_debian_does(
        box_site: SystemAsterisk, ami: FakeAmi) -> None:
    apply.apply_configuration()
    etc = box_site.instance.instance_dir / "etc"
    conf = (etc / "asterisk.conf").read_text()
    assert f"astetcdir => {etc}\n" in conf
    assert "astlogdir => /var/log/asterisk\n" in conf
    assert "astrundir => /run/asterisk\n" in conf
    dialplan = (etc / "extensions.conf").read_text()
    recordings = box_site.instance.instance_dir / "recordings"
    assert f"PV_RECORDINGS_DIR={recordings}\n" in dialplan
    assert "/srv/instance" not in dialplan + conf
    assert sorted(p.name for p in box_site.instance.instance_dir.iterdir()
                  if p.is_dir()) == ["etc", "recordings", "sounds"]
    # The operator and gateways on the LAN reach the box's SIP at any of its addresses.
    assert "bind=0.0.0.0:5060\n" in (etc / "pjsip.conf").read_text()


@needs_root
def test_a_change_is_reloaded_over_ami_once_and_nothing_when_nothing_changed(
        box_site: SystemAsterisk, ami: FakeAmi) -> None:
    apply.apply_configuration()
    assert ami.reloads == ["res_pjsip.so", "pbx_config"]
    logins = [a for a in ami.actions if a.get("Action") == "Login"]
    assert [a["Username"] for a in logins] == [AMI_USER]

    apply.apply_configuration()  # the database did not change: Asterisk is left alone
    assert ami.reloads == ["res_pjsip.so", "pbx_config"]
    assert len([a for a in ami.actions if a.get("Action") == "Login"]) == 1

    Directory().add_number("0201234567", "Huolto")  # a change applies itself
    assert ami.reloads[2:] == ["pbx_config"]  # the dialplan changed, the trunk did not
    assert "+358201234567" in (box_site.instance.instance_dir / "etc/extensions.conf").read_text()


@needs_root
def test_asterisk_down_says_so_and_takes_the_change_when_it_is_back(
        state: Path, host_root: Path, ami: FakeAmi, monkeypatch: pytest.MonkeyPatch) -> None:
    down = _box(state, host_root, _closed_port())
    monkeypatch.setattr(apply, "load_site", lambda directory, spec: down)
    with pytest.raises(ApplyFailed) as refused:
        Directory().add_number("0201234567", "Huolto")
    message = str(refused.value)
    assert message.startswith("the change is saved, but applying it to Asterisk failed: "
                              "Asterisk does not answer on AMI")
    assert "the configuration is written" in message
    # Written all the same: an Asterisk that starts now reads the change.
    assert "+358201234567" in (down.instance.instance_dir / "etc/extensions.conf").read_text()

    back = _box(state, host_root, ami.port)
    monkeypatch.setattr(apply, "load_site", lambda directory, spec: back)
    apply.apply_configuration()  # no file changes now, but the reload is still owed
    assert ami.reloads == ["res_pjsip.so", "pbx_config"]
    assert not (state / apply.PENDING_FILE).exists()


@needs_root
def test_a_reload_that_another_reload_holds_up_is_retried(
        box_site: SystemAsterisk, ami: FakeAmi) -> None:
    ami.reload_refusals = ["A reload is in progress", "A reload is in progress"]
    apply.apply_configuration()
    assert ami.reloads == ["res_pjsip.so", "pbx_config"]


@needs_root
def test_a_refused_reload_names_the_module_and_asterisks_reason(
        box_site: SystemAsterisk, ami: FakeAmi, state: Path) -> None:
    ami.reload_refusals = ["No such module"]
    with pytest.raises(AsteriskUnavailable,
                       match=re.escape("refused to reload res_pjsip.so: No such module")):
        apply.apply_configuration()
    assert json.loads((state / apply.PENDING_FILE).read_text()) == ["res_pjsip.so",
                                                                    "pbx_config"]


@needs_root
def test_a_wrong_ami_secret_is_not_a_success(
        box_site: SystemAsterisk, ami: FakeAmi) -> None:
    (box_site.instance.instance_dir / "ami.secret").write_text("stale\n")
    with pytest.raises(AsteriskUnavailable, match=r"does not answer on AMI.*refused"):
        apply.apply_configuration()
    assert ami.reloads == []


def test_a_database_without_asterisk_is_an_error_outside_the_unit_tests(
        state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(apply.NO_ASTERISK_ENV, raising=False)
    with pytest.raises(AsteriskUnavailable, match="no Asterisk is set up for the database in "
                                                  f"{state}.*paivystys box setup"):
        apply.apply_configuration()
    monkeypatch.setenv(apply.NO_ASTERISK_ENV, "1")
    apply.apply_configuration()  # the unit tests' harness: saved, not applied


@needs_root
def test_the_lab_reaches_its_asterisk_the_same_way(
        state: Path, host_root: Path, ami: FakeAmi, monkeypatch: pytest.MonkeyPatch) -> None:
    # netns None: the lab without a namespace of its own (PAIVYSTYS_NETNS=current); with one,
    # the AMI socket is made inside it (the call-level tests change the lab's configuration).
    lab = LabAsterisk(state, _spec(ami.port), rootfs=host_root, netns_name=None)
    secret = lab.instance.instance_dir / "ami.secret"
    secret.parent.mkdir(parents=True)
    secret.write_text("the-secret\n")
    monkeypatch.setattr(apply, "load_site", lambda directory, spec: lab)
    apply.apply_configuration()
    assert ami.reloads == ["res_pjsip.so", "pbx_config"]
    conf = (lab.instance.instance_dir / "etc/asterisk.conf").read_text()
    assert "astetcdir => /srv/instance/etc\n" in conf
    assert "astlogdir => /srv/instance/log\n" in conf
    assert "bind=127.0.0.1:5060\n" in (lab.instance.instance_dir / "etc/pjsip.conf").read_text()


def test_which_asterisk_serves_a_state_directory_is_recorded(tmp_path: Path) -> None:
    spec = _spec(5038)
    assert load_site(tmp_path, spec) is None
    save_site(SystemAsterisk(tmp_path, spec))
    assert load_site(tmp_path, spec) == SystemAsterisk(tmp_path, spec)
    lab = LabAsterisk(tmp_path, spec, rootfs=Path("/var/cache/rootfs"), netns_name="lab")
    save_site(lab)
    assert load_site(tmp_path, spec) == lab
    remove_site(tmp_path)
    assert load_site(tmp_path, spec) is None
    # Written by lab mode before the box existed: no kind.
    (tmp_path / "deployment.json").write_text('{"rootfs": "/r", "netns": null}')
    assert load_site(tmp_path, spec) == LabAsterisk(tmp_path, spec, rootfs=Path("/r"),
                                                    netns_name=None)
    (tmp_path / "deployment.json").write_text('{"kind": "cloud"}')
    with pytest.raises(AsteriskUnavailable, match="unknown kind 'cloud'"):
        load_site(tmp_path, spec)
    (tmp_path / "deployment.json").write_text("{")
    with pytest.raises(AsteriskUnavailable, match="cannot read"):
        load_site(tmp_path, spec)
