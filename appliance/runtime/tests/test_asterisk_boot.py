"""One real Asterisk instance booted from the rootfs with the base configs (one boot)."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import paivystys.agi
import paivystys.appliance
import paivystys.modem
from paivystys.appliance.ami.client import AmiActionError, AmiClient
from paivystys.appliance.asterisk.base import AMI_USER, APPLIANCE_AMI_WRITE, MODULES, base_configs
from paivystys.appliance.prompts import generate_prompts, prompt_path
from paivystys.appliance.runtime import netns
from paivystys.appliance.runtime.instance import AsteriskInstance, InstanceSpec
from paivystys.appliance.runtime.rootfs import ensure_rootfs

pytestmark = [
    pytest.mark.asterisk,
    pytest.mark.skipif(os.geteuid() != 0, reason="Asterisk in a chroot and a netns needs root"),
]

# Unusual ports, so that this module does not collide with a lab in the same namespace.
SPEC = InstanceSpec(name="boot-test", sip_port=15060, ami_port=15038,
                    rtp_start=16000, rtp_end=16099)

APPLICATIONS = (
    "Dial", "Gosub", "Return", "Playback", "Read", "SendDTMF", "UserEvent", "MixMonitor",
    "StopMixMonitor", "SoftHangup", "Echo", "Record", "Verbose", "Log", "While", "EndWhile",
    "ExitWhile", "DBdeltree", "Exec", "ExecIf", "Originate", "Wait", "PlayTones", "AGI",
    "Answer", "Hangup", "Set", "GotoIf", "NoOp", "Progress", "Ringing", "ChannelRedirect",
    "Bridge",
)
FUNCTIONS = (
    "DB", "DB_EXISTS", "DB_DELETE", "LEN", "CUT", "CHANNEL", "CHANNEL_EXISTS", "CALLERID",
    "LOCK", "TRYLOCK", "UNLOCK", "GLOBAL", "IF", "ISNULL", "EXISTS", "MATH", "HANGUPCAUSE",
    "TIMEOUT", "SHARED", "REGEX", "FILTER", "SHIFT", "STRREPLACE", "STRFTIME", "PJSIP_HEADER",
    "PJSIP_ENDPOINT",
)

PJSIP_CONF = f"""\
[udp]
type = transport
protocol = udp
bind = 127.0.0.1:{SPEC.sip_port}
"""
EXTENSIONS_CONF = "[general]\n[boot-test]\nexten => noop,1,NoOp()\n"
SERVICES_GID = 4242  # the state directory's group: the appliance's services


@pytest.fixture(scope="module")
def asterisk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AsteriskInstance]:
    rootfs = ensure_rootfs()
    name = f"pv-boot-{os.getpid()}"
    netns.create(name)
    state = tmp_path_factory.mktemp("state")
    os.chown(state, -1, SERVICES_GID)
    instance = AsteriskInstance(SPEC, state, rootfs, name)
    for filename, text in base_configs(SPEC).items():
        instance.write_config(filename, text)
    instance.write_config("pjsip.conf", PJSIP_CONF)
    instance.write_config("extensions.conf", EXTENSIONS_CONF)
    generate_prompts(instance.instance_dir, progress=lambda message: None)
    started = time.monotonic()
    instance.start()
    try:
        instance.wait_ready(timeout=30)
        print(f"boot took {time.monotonic() - started:.2f} s")
        yield instance
    finally:
        instance.stop()
        netns.delete(name)


def test_version(asterisk: AsteriskInstance) -> None:
    assert asterisk.rx("core show version").startswith("Asterisk 22.")


def test_required_applications_are_loaded(asterisk: AsteriskInstance) -> None:
    output = asterisk.rx("core show applications")
    loaded = {line.split(":", 1)[0].strip() for line in output.splitlines() if ":" in line}
    assert sorted(set(APPLICATIONS) - loaded) == []


def test_required_functions_are_loaded(asterisk: AsteriskInstance) -> None:
    output = asterisk.rx("core show functions")
    loaded = {line.split()[0] for line in output.splitlines() if line[:1].isupper()}
    assert sorted(set(FUNCTIONS) - loaded) == []


def test_boot_logged_no_warnings(asterisk: AsteriskInstance) -> None:
    messages = (asterisk.instance_dir / "log/messages").read_text()
    problems = [line for line in messages.splitlines() if " WARNING[" in line or " ERROR[" in line]
    assert problems == []


def test_ami_accepts_the_instance_secret(asterisk: AsteriskInstance) -> None:
    reply = _in_namespace(asterisk, _AMI_LOGIN.format(port=SPEC.ami_port,
                                                      secret=asterisk.ami_secret()))
    assert "Authentication accepted" in reply


def test_sockets_stay_on_loopback(asterisk: AsteriskInstance) -> None:
    links = _in_namespace(asterisk, "import socket; print([n for _, n in socket.if_nameindex()])")
    assert links.strip() == "['lo']"
    sockets = _sockets_of(asterisk.pid(), asterisk.netns)
    local = {(proto, address) for proto, address in sockets}
    assert ("tcp", f"127.0.0.1:{SPEC.ami_port}") in local
    assert ("udp", f"127.0.0.1:{SPEC.sip_port}") in local
    # pjproject's resolver sockets are UDP on 0.0.0.0/[::]: harmless where only `lo` exists.
    assert {address for proto, address in sockets if proto == "tcp"} == {
        f"127.0.0.1:{SPEC.ami_port}"}
    if not netns.uses_current_namespace():
        assert _sockets_of(asterisk.pid(), namespace=None) == []


def test_generated_and_custom_prompts_play(asterisk: AsteriskInstance) -> None:
    generated = prompt_path(asterisk.instance_dir, "fi", "digit-1")
    assert generated == "/srv/instance/sounds/generated/fi/digit-1"
    custom_dir = asterisk.instance_dir / "sounds/custom/fi"
    custom_dir.mkdir(parents=True)
    shutil.copyfile(asterisk.instance_dir / "sounds/generated/en/digit-2.wav",
                    custom_dir / "digit-2.wav")
    custom = prompt_path(asterisk.instance_dir, "fi", "digit-2")
    assert custom == "/srv/instance/sounds/custom/fi/digit-2"
    asterisk.write_config("extensions.conf", _playing_dialplan(generated=generated, custom=custom))
    assert "reloaded" in asterisk.reload("pbx_config").lower()
    for key in ("generated", "custom"):
        asterisk.rx(f"channel originate Local/{key}@boot-test application Wait 5")
    assert _playback_status(asterisk, "generated") == "SUCCESS"
    assert _playback_status(asterisk, "custom") == "SUCCESS"


def test_every_module_loads_from_configs_only_asterisks_group_reads(
        asterisk: AsteriskInstance) -> None:
    _uid, gid = asterisk.asterisk_ids
    configs = [path for path in (asterisk.instance_dir / "etc").iterdir() if path.is_file()]
    assert {"pjsip.conf", "manager.conf", "manager_secret.conf"} <= {p.name for p in configs}
    for path in configs:
        status = path.stat()
        assert (status.st_uid, status.st_gid, stat.S_IMODE(status.st_mode)) == (
            0, gid, 0o640), path
    output = asterisk.rx("module show")
    running = {line.split()[0].removesuffix(".so") for line in output.splitlines()
               if " Running " in line}
    # A config Asterisk cannot read makes its module decline to load, silently.
    assert sorted(set(MODULES) - running) == []
    assert f"127.0.0.1:{SPEC.sip_port}" in asterisk.rx("pjsip show transports")


def test_what_asterisk_writes_is_closed_to_others(asterisk: AsteriskInstance) -> None:
    status = Path(f"/proc/{asterisk.pid()}/status").read_text()
    assert re.search(r"^Umask:\s+0007$", status, re.MULTILINE), status
    _uid, gid = asterisk.asterisk_ids
    for written in ("log/messages", "lib/astdb.sqlite3"):
        status = (asterisk.instance_dir / written).stat()
        # Log files 0660, the astdb 0640 (SQLite creates 0644, less the umask).
        assert status.st_gid == gid and stat.S_IMODE(status.st_mode) & 0o007 == 0, written


def test_a_recording_is_readable_by_the_services_group_only(asterisk: AsteriskInstance) -> None:
    prompt = prompt_path(asterisk.instance_dir, "en", "digit-3")
    relative = f"2031/02/boot-{os.getpid()}.wav"
    asterisk.write_config("extensions.conf", (
        "[general]\n[boot-test]\n"
        "exten => record,1,Answer()\n"
        f" same => n,MixMonitor(/srv/instance/recordings/{relative})\n"
        f" same => n,Playback({prompt})\n"
        " same => n,Hangup()\n"))
    asterisk.reload("pbx_config")
    asterisk.rx("channel originate Local/record@boot-test application Wait 3")
    recording = asterisk.instance_dir / "recordings" / relative
    deadline = time.monotonic() + 10
    while not (recording.exists() and _no_channels(asterisk)):
        assert time.monotonic() < deadline, "MixMonitor wrote no recording"
        time.sleep(0.1)
    uid, _gid = asterisk.asterisk_ids
    for folder in (recording.parent.parent, recording.parent):  # made by MixMonitor
        status = folder.stat()
        assert (status.st_uid, status.st_gid, oct(stat.S_IMODE(status.st_mode))) == (
            uid, SERVICES_GID, oct(0o2770)), folder
    status = recording.stat()
    assert (status.st_uid, status.st_gid, oct(stat.S_IMODE(status.st_mode))) == (
        uid, SERVICES_GID, oct(0o660))
    assert status.st_size > 1000  # the prompt's audio is in it


@pytest.fixture(scope="module")
def appliance_ami(asterisk: AsteriskInstance) -> Iterator[AmiClient]:
    client = AmiClient("127.0.0.1", SPEC.ami_port, AMI_USER, asterisk.ami_secret())
    failure: list[BaseException] = []

    def connect() -> None:
        # A socket belongs to the namespace of the thread that made it; this thread dies.
        try:
            if asterisk.netns is not None:
                netns.enter(asterisk.netns)
            client.connect()
        except BaseException as error:  # re-raised in the test's thread
            failure.append(error)

    thread = threading.Thread(target=connect)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    yield client
    client.close()


@pytest.mark.parametrize("action, headers", [
    ("Originate", {"Channel": "Local/noop@boot-test", "Application": "Wait", "Data": "1"}),
    ("Command", {"Command": "core show version"}),
    ("Setvar", {"Variable": "GLOBALX", "Value": "1"}),
    ("UserEvent", {"UserEvent": "PvLegAnswer"}),
    ("UpdateConfig", {"SrcFilename": "manager.conf", "DstFilename": "manager.conf"}),
])
def test_the_appliances_ami_user_is_refused_what_it_does_not_need(
        appliance_ami: AmiClient, action: str, headers: dict[str, str]) -> None:
    with pytest.raises(AmiActionError, match="Permission denied"):
        appliance_ami.action(action, **headers)


def test_the_appliances_ami_user_may_send_what_the_appliance_sends(
        asterisk: AsteriskInstance, appliance_ami: AmiClient) -> None:
    sent = _actions_the_appliance_sends()
    # The scan finds the monitor's and the trunk state's actions, or it finds nothing at all.
    assert {"Filter", "Ping", "CoreShowChannels", "DBGetTree", "DBDelTree",
            "PJSIPShowEndpoint", "PJSIPShowRegistrationsOutbound"} <= sent
    needs = {action: _privilege(asterisk, action) for action in sorted(sent)}
    refused = {action: classes for action, classes in needs.items()
               if classes and not set(classes) & set(APPLIANCE_AMI_WRITE)}
    assert refused == {}, f"the appliance sends actions its AMI user may not use: {refused}"
    # And through the real AMI: a refusal would say "Permission denied".
    assert appliance_ami.action("Filter", Operation="Add", Filter="Event: Nothing")["Response"] \
        == "Success"
    assert appliance_ami.action_list("CoreShowChannels") == []
    reply = appliance_ami.action("DBDelTree", check=False, Family="pv-boot-none")
    assert reply.get("Message") != "Permission denied", reply


def _actions_the_appliance_sends() -> set[str]:
    """Every AMI action the appliance's own code sends (not the lab's, not the tests')."""
    pattern = re.compile(r"\.action(?:_list)?\(\s*\"([A-Za-z]+)\"")
    roots = [Path(package.__file__).parent
             for package in (paivystys.appliance, paivystys.agi, paivystys.modem)]
    sent: set[str] = set()
    for root in roots:
        for source in root.rglob("*.py"):
            parts = source.relative_to(root).parts
            if "tests" in parts or parts[0] == "lab":
                continue
            sent.update(pattern.findall(source.read_text()))
    return sent


def _privilege(asterisk: AsteriskInstance, action: str) -> list[str]:
    """The classes Asterisk accepts for `action` (any one of them will do); [] for none."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", asterisk.rx(f"manager show command {action}"))
    lines = text.splitlines()
    value = lines[lines.index("[Privilege]") + 1].strip()
    return [] if value == "<none>" else value.split(",")


def _no_channels(asterisk: AsteriskInstance) -> bool:
    return asterisk.rx("core show channels count").startswith("0 active channels")


def test_stop_leaves_nothing_running(asterisk: AsteriskInstance) -> None:
    pid = asterisk.pid()
    assert pid is not None
    asterisk.stop()
    assert not asterisk.is_running()
    assert not Path(f"/proc/{pid}").exists() or _is_zombie(pid)
    assert not (asterisk.instance_dir / "asterisk.pid").exists()
    mounts = Path("/proc/self/mountinfo").read_text()
    assert str(asterisk.rootfs) not in mounts


_AMI_LOGIN = """\
import socket, time
s = socket.create_connection(("127.0.0.1", {port}), timeout=5)
s.sendall(b"Action: Login\\r\\nUsername: paivystys\\r\\nSecret: {secret}\\r\\n\\r\\n")
reply = b""
while b"Authentication" not in reply:
    reply += s.recv(4096)
print(reply.decode())
"""


def _in_namespace(asterisk: AsteriskInstance, code: str) -> str:
    return subprocess.run([*netns.command_prefix(asterisk.netns), sys.executable, "-c", code],
                          capture_output=True, text=True, check=True, timeout=10).stdout


def _sockets_of(pid: int | None, namespace: str | None) -> list[tuple[str, str]]:
    """(protocol, local address) of every socket of `pid` that `ss` sees in `namespace`."""
    listing = subprocess.run([*netns.command_prefix(namespace), "ss", "-Hantup"],
                             capture_output=True, text=True, check=True).stdout
    return [(fields[0], fields[4]) for fields in map(str.split, listing.splitlines())
            if f"pid={pid}," in fields[-1]]


def _playing_dialplan(**prompts: str) -> str:
    """One extension per prompt: plays it and stores Playback's verdict in the astdb."""
    lines = ["[general]", "[boot-test]"]
    for key, path in prompts.items():
        lines += [f"exten => {key},1,Playback({path})",
                  f" same => n,Set(DB(boottest/{key})=${{PLAYBACKSTATUS}})",
                  " same => n,Hangup()"]
    return "\n".join(lines) + "\n"


def _playback_status(asterisk: AsteriskInstance, key: str) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        output = asterisk.rx(f"database get boottest {key}")
        if output.startswith("Value: "):
            return output.removeprefix("Value: ").strip()
        time.sleep(0.1)
    return "(no result)"


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True
