"""Real calls between the carrier and a tiny fake appliance (two real Asterisk instances).

The fake appliance forwards every inbound call to the handset with the same number over its
trunk, with a U() subroutine that reads one digit on the handset's channel and bridges only on
1, which is the appliance's confirmation pattern in miniature.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest

pytestmark = pytest.mark.asterisk

FAKE_CONFIRM_TIMEOUT_S = 5
FAKE_APPLIANCE_DIALPLAN = f"""
[general]
static=yes
writeprotect=yes

[pv-inbound]
exten => _+X.,1,Dial(PJSIP/${{EXTEN}}@trunk,20,U(fake-confirm))
 same => n,Hangup()

[fake-confirm]
exten => s,1,Read(DIGIT,beep,1,,1,{FAKE_CONFIRM_TIMEOUT_S})
 same => n,GotoIf($["${{DIGIT}}" = "1"]?take)
 same => n,Set(GOSUB_RESULT=CONTINUE)
 same => n(take),Return()
"""


def _unavailable() -> str | None:
    if os.geteuid() != 0:
        return "real calls need root (Asterisk in a chroot, network namespaces)"
    try:
        import paivystys.appliance.runtime.instance
        import paivystys.appliance.runtime.rootfs  # noqa: F401
    except ImportError as exc:
        return f"the Asterisk runtime is not importable yet: {exc}"
    return None


@dataclass
class Lab:
    ami: Any  # the carrier's AmiClient
    handsets: Any  # HandsetEvents


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    reason = _unavailable()
    if reason:
        pytest.skip(reason)
    from paivystys.appliance.ami.client import AmiClient
    from paivystys.appliance.asterisk.base import AMI_USER, base_configs
    from paivystys.appliance.asterisk.pjsip import LAB_TRUNK, render_pjsip
    from paivystys.appliance.lab.carrier import CARRIER_SPEC, carrier_configs
    from paivystys.appliance.lab.handsets import HandsetEvents
    from paivystys.appliance.runtime import netns
    from paivystys.appliance.runtime.instance import AsteriskInstance, InstanceSpec
    from paivystys.appliance.runtime.rootfs import ensure_rootfs

    fake_spec = InstanceSpec(name="appliance", sip_port=5060, ami_port=5038,
                             rtp_start=10000, rtp_end=10999)
    state = tmp_path_factory.mktemp("carrier-lab")
    rootfs = ensure_rootfs(lambda message: None)
    # With PAIVYSTYS_NETNS=current the netns module keeps everything in this namespace.
    name = f"paivystys-labtest-{os.getpid()}"
    netns.create(name)
    instances = [AsteriskInstance(CARRIER_SPEC, state, rootfs, name),
                 AsteriskInstance(fake_spec, state, rootfs, name)]
    fake_configs = {**base_configs(fake_spec), "pjsip.conf": render_pjsip(LAB_TRUNK),
                    "extensions.conf": FAKE_APPLIANCE_DIALPLAN}
    for instance, configs in zip(instances, (carrier_configs(), fake_configs), strict=True):
        for filename, text in configs.items():
            instance.write_config(filename, text)
    ami = AmiClient("127.0.0.1", CARRIER_SPEC.ami_port, AMI_USER, instances[0].ami_secret())
    try:
        for instance in instances:
            instance.start()
        for instance in instances:
            instance.wait_ready()
        _connect_in_namespace(ami, name)
        yield Lab(ami, HandsetEvents(ami))
    finally:
        ami.close()
        for instance in instances:
            instance.stop()
        netns.delete(name)


def _connect_in_namespace(ami: object, name: str) -> None:
    """Connect from a short-lived thread that entered the namespace: a socket stays in the
    namespace it was made in, and the test's own thread never leaves the host's."""
    from paivystys.appliance.runtime import netns

    failure: list[BaseException] = []

    def connect() -> None:
        try:
            netns.enter(name)
            ami.connect()  # type: ignore[attr-defined]
        except BaseException as exc:  # re-raised in the test's thread
            failure.append(exc)

    thread = threading.Thread(target=connect)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def test_five_concurrent_calls_each_get_their_own_result(lab: Lab) -> None:
    from paivystys.appliance.lab.caller import place_call
    from paivystys.appliance.lab.handsets import Handsets

    handsets = Handsets(lab.ami)
    handsets.reset_all()
    handsets.set("+358401110001", "human", identity="4711", talk=3)
    handsets.set("+358401110002", "human", answer_after=0.5, confirm_after=1)  # identity 0002
    handsets.set("+358401110003", "busy")
    handsets.set("+358401110004", "voicemail", answer_after=0.5)
    handsets.set("+358401110005", "decline")
    calls = {number: f"+3585011100{number[-2:]}" for number in
             ("+358401110001", "+358401110002", "+358401110003", "+358401110004",
              "+358401110005")}

    with ThreadPoolExecutor(len(calls)) as pool:
        futures = {dialled: pool.submit(place_call, lab.ami, caller, dialled, max_duration=30)
                   for dialled, caller in calls.items()}
        reports = {dialled: future.result() for dialled, future in futures.items()}
    for dialled in calls:
        lab.handsets.wait_for(dialled, "HandsetHangup")

    for dialled, report in reports.items():
        assert (report.caller, report.dialled) == (calls[dialled], dialled)
        assert report.started_at <= report.ended_at
    first, second = reports["+358401110001"], reports["+358401110002"]
    assert first.answered and first.dial_status == "ANSWER"
    assert "4711" in first.heard_digits and "0002" not in first.heard_digits
    pressed = float(lab.handsets.wait_for("+358401110001", "HandsetPressed")["Timestamp"])
    assert 2.5 <= first.ended_at - pressed <= 3.5  # talk=3 runs from the press
    assert lab.handsets.wait_for("+358401110001", "HandsetHangup")["By"] == "handset"
    assert second.answered and "0002" in second.heard_digits
    assert "4711" not in second.heard_digits
    for event in lab.handsets.of("+358401110001"):
        assert event["Caller"] == calls["+358401110001"]

    busy = reports["+358401110003"]
    assert (busy.answered, busy.dial_status, busy.hangup_cause) == (False, "BUSY", 17)
    assert lab.handsets.names("+358401110003") == ["HandsetRinging", "HandsetBusy",
                                                   "HandsetHangup"]

    voicemail = reports["+358401110004"]
    assert not voicemail.answered and voicemail.heard_digits == ""
    assert "HandsetAnswered" in lab.handsets.names("+358401110004")
    assert "HandsetPressed" not in lab.handsets.names("+358401110004")
    assert lab.handsets.wait_for("+358401110004", "HandsetGreeting")["Status"] == "SUCCESS"
    assert lab.handsets.wait_for("+358401110004", "HandsetHangup")["By"] == "network"

    declined = reports["+358401110005"]
    assert not declined.answered
    assert lab.handsets.names("+358401110005") == ["HandsetRinging", "HandsetDeclined",
                                                   "HandsetHangup"]


def test_caller_who_gives_up_while_it_rings(lab: Lab) -> None:
    from paivystys.appliance.lab.caller import place_call

    report = place_call(lab.ami, "+358501119999", "+358401119999", hangup_after=2)

    assert not report.answered and report.answered_at is None
    assert report.dial_status == "CANCEL"
    assert 1.9 <= report.ended_at - report.started_at <= 2.5
    hangup = lab.handsets.wait_for("+358401119999", "HandsetHangup")
    assert lab.handsets.names("+358401119999") == ["HandsetRinging", "HandsetHangup"]
    assert (hangup["Behaviour"], hangup["By"]) == ("no-answer", "network")


def test_decline_after_answering_presses_2(lab: Lab) -> None:
    from paivystys.appliance.lab.caller import place_call
    from paivystys.appliance.lab.handsets import Handsets

    Handsets(lab.ami).set("+358401118888", "decline", answer_after=0.5, confirm_after=0.5)
    report = place_call(lab.ami, "+358501118888", "+358401118888", max_duration=20)

    assert not report.answered and report.heard_digits == ""
    assert lab.handsets.wait_for("+358401118888", "HandsetPressed")["Digit"] == "2"
    assert lab.handsets.wait_for("+358401118888", "HandsetHangup")["By"] == "network"
