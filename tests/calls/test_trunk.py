"""The SIP trunk set through the trunk service, applied to the real appliance Asterisk.

A registration trunk loads and reports its state from Asterisk; a call in progress survives
the change; the default IP trunk brings calls back.  A small registrar (a third Asterisk that
checks the password by its MD5 digest, so it cannot share a parsing quirk with the appliance)
shows a registration with an awkward password succeeding, over UDP and TCP.
"""

import hashlib
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from paivystys.appliance.asterisk.base import base_configs
from paivystys.appliance.db.database import open_database
from paivystys.appliance.ringing.rule import CallOutcome
from paivystys.appliance.runtime.instance import AsteriskInstance, InstanceSpec
from paivystys.appliance.trunk import TrunkStatus, reset_trunk, set_trunk, trunk_status

ACCOUNT = "+358209876543"
# '#' and '"' mean something to many config parsers, a space and a backslash to others.
PASSWORD = 'Sal#a"sa na\\9'
REGISTRAR_SPEC = InstanceSpec(name="registrar", sip_port=5080, ami_port=5040,
                              rtp_start=13000, rtp_end=13099)
REGISTRAR_REALM = "lab-registrar"


@pytest.fixture
def default_trunk_afterwards(lab) -> Iterator[None]:
    """Other tests share the lab: whatever happens, the lab's IP trunk comes back."""
    open_database(lab.db_path)
    yield
    reset_trunk()


def wait_for_status(ami, done: Callable[[TrunkStatus], bool], timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while True:
        status = trunk_status(ami)
        if done(status) or time.monotonic() > deadline:
            return status
        time.sleep(0.2)


def human_answers(scenario, handsets, talk: float, identity: str) -> None:
    handsets.set(scenario.people["Linjanvartija"], "human", answer_after=1, confirm_after=1,
                 talk=talk, identity=identity)


@pytest.mark.usefixtures("default_trunk_afterwards")
def test_registration_trunk_loads_and_the_ip_trunk_brings_calls_back(
        lab, scenario, handsets, call, appliance_ami):
    scenario.group("Runkolinja", "Linjanvartija")
    human_answers(scenario, handsets, talk=5, identity="5151")
    rows = []
    caller = threading.Thread(target=lambda: rows.append(call(scenario.number)))
    caller.start()
    time.sleep(3.5)  # bridged at about 2 s; the person talks until about 7 s
    # The carrier takes no registrations: the trunk loads, but is not registered.
    set_trunk("registration", "127.0.0.1", 5070, username=ACCOUNT, password=PASSWORD)
    caller.join(timeout=30)

    [row] = rows
    assert row["outcome"] == CallOutcome.ANSWERED, row
    assert row["talk_s"] >= 4.5, row
    assert "5151" in row["caller_heard"]
    assert "trunk/sip:127.0.0.1:5070" in lab.appliance().rx("pjsip show registrations")
    status = wait_for_status(appliance_ami, lambda status: status.state != "unregistered")
    assert (status.mode, status.registered, status.state) == ("registration", False,
                                                               "rejected"), status
    assert "sip:127.0.0.1:5070 did not accept the registration" in status.detail

    reset_trunk()

    assert "No objects found" in lab.appliance().rx("pjsip show registrations")
    status = trunk_status(appliance_ami)
    assert (status.mode, status.registered, status.state) == ("ip", None, "not monitored")
    human_answers(scenario, handsets, talk=1, identity="5252")
    row = call(scenario.number)
    assert row["outcome"] == CallOutcome.ANSWERED, row
    assert row["answered_by"] == "Linjanvartija"


REGISTRAR_PJSIP = """\
[global]
type=global
default_realm={realm}

[transport-udp]
type=transport
protocol=udp
bind=127.0.0.1:{port}

[transport-tcp]
type=transport
protocol=tcp
bind=127.0.0.1:{port}

[{account}]
type=endpoint
auth={account}
aors={account}
context=default

[{account}]
type=auth
auth_type=md5
realm={realm}
username={account}
md5_cred={md5}

[{account}]
type=aor
max_contacts=1
remove_existing=yes
"""


@pytest.fixture
def registrar(lab) -> Iterator[AsteriskInstance]:
    site = lab.site()
    instance = AsteriskInstance(REGISTRAR_SPEC, lab.state_dir, site.rootfs, site.netns_name)
    digest = hashlib.md5(f"{ACCOUNT}:{REGISTRAR_REALM}:{PASSWORD}".encode()).hexdigest()
    pjsip = REGISTRAR_PJSIP.format(realm=REGISTRAR_REALM, port=REGISTRAR_SPEC.sip_port,
                                   account=ACCOUNT, md5=digest)
    configs = {**base_configs(REGISTRAR_SPEC), "pjsip.conf": pjsip,
               "extensions.conf": "[general]\n"}
    for name, text in configs.items():
        instance.write_config(name, text)
    instance.start()
    try:
        instance.wait_ready()
        yield instance
    finally:
        instance.stop()


# default_trunk_afterwards after registrar: the trunk leaves the registrar before it stops.
def test_registration_with_an_awkward_password_registers(lab, registrar, default_trunk_afterwards,
                                                         appliance_ami):
    def registered(status: TrunkStatus) -> bool:
        return status.registered is True

    def settled(status: TrunkStatus) -> bool:
        return status.state != "unregistered"

    port = REGISTRAR_SPEC.sip_port
    set_trunk("registration", "127.0.0.1", port, username=ACCOUNT, password=PASSWORD)
    status = wait_for_status(appliance_ami, registered)
    assert (status.registered, status.state) == (True, "registered"), status
    assert f"as sip:{ACCOUNT}@127.0.0.1" in status.detail
    assert registrar.rx("pjsip show contacts").count(f"{ACCOUNT}/sip:{ACCOUNT}@127.0.0.1") == 1

    # A wrong password shows at once (not at the next refresh), and so does its correction.
    set_trunk("registration", "127.0.0.1", port, username=ACCOUNT, password="väärä")
    status = wait_for_status(appliance_ami, settled)
    assert (status.registered, status.state) == (False, "rejected"), status
    set_trunk("registration", "127.0.0.1", port, username=ACCOUNT, password=PASSWORD)
    assert wait_for_status(appliance_ami, registered).registered is True

    # Over TCP; the stored password is kept when none is given.
    set_trunk("registration", "127.0.0.1", port, "tcp", username=ACCOUNT)
    status = wait_for_status(appliance_ami, registered)
    assert (status.registered, status.state) == (True, "registered"), status
    transports = lab.appliance().rx("pjsip show transports")
    assert "transport-tcp             tcp" in transports, transports
