"""The SIP edge: only the operator's addresses reach the dialplan, floods are cut per source,
repeat offenders are blocked for a while, and the operator's own calls go on throughout.

Strangers are played by raw INVITEs (paivystys.appliance.lab.sip_probe) from other loopback
addresses (all of 127.0.0.0/8 is on lo); the operator is the simulated carrier on 127.0.0.1.
Each test knocks from an address of its own, so one test's blocks never meet another's.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from paivystys.appliance.asterisk.pjsip import APPLIANCE_BIND, LAB_TRUNK
from paivystys.appliance.audit import entries
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import Call, OnCallNumber
from paivystys.appliance.lab.caller import place_call
from paivystys.appliance.lab.carrier import use_credentials
from paivystys.appliance.lab.handsets import HandsetEvents
from paivystys.appliance.lab.services import Service
from paivystys.appliance.lab.sip_probe import Credentials, SipProbe
from paivystys.appliance.sipguard.firewall import COUNTER_STRANGER_INVITES, Firewall
from paivystys.appliance.trunk import reset_trunk, set_trunk, trunk_status

APPLIANCE = (APPLIANCE_BIND.host, APPLIANCE_BIND.port)
INBOUND = Credentials("vaihde", "Sis#aan-sana")
FLOOD_TICKS = 20


class ApplianceChannels:
    """Every channel the appliance's Asterisk creates for the trunk, from now on."""

    def __init__(self, ami) -> None:
        self.channels: list[dict[str, str]] = []
        ami.add_listener(self._on_event)

    def _on_event(self, headers: dict[str, str]) -> None:
        if headers.get("Event") == "Newchannel" and headers.get("Channel", "").startswith(
                "PJSIP/trunk-"):
            self.channels.append(headers)


def calls_to(number: str) -> int:
    return (Call.select().join(OnCallNumber).where(OnCallNumber.number == number).count())


def firewall() -> Firewall:
    return Firewall((APPLIANCE_BIND.port,))


def blocked() -> set[str]:
    return {str(block.address) for block in firewall().blocked()}


def security_log(lab) -> str:
    return (lab.appliance().instance_dir / "log" / "security").read_text()


@pytest.fixture
def answering(scenario, handsets):
    """A number whose one person answers at once and presses 1: anything that reaches the
    dialplan is taken."""
    suffix = scenario.number[-4:]  # names are unique across the session's tests
    scenario.group(f"Raja {suffix}", f"Rajavartija {suffix}")
    handsets.set(guard_phone(scenario), "human", answer_after=0.5, confirm_after=0.5, talk=3,
                 identity="4242")
    return scenario


def guard_phone(scenario) -> str:
    [phone] = scenario.people.values()
    return phone


@contextmanager
def guard_policy(lab, *policy: str) -> Iterator[None]:
    """The lab's SIP guard restarted with a quicker policy, the usual one back afterwards."""
    usual = lab.services()["sipguard"]
    usual.stop()
    quick = Service(usual.name, usual.module, (*usual.args, *policy), usual.state_dir,
                    usual.netns)
    quick.start()
    try:
        lab.wait_services_ready(only=("sipguard",))
        yield
    finally:
        quick.stop()
        usual.start()
        lab.wait_services_ready(only=("sipguard",))


def operator_call_is_answered(carrier_ami, scenario) -> None:
    report = place_call(carrier_ami, "+358401110000", scenario.number, max_duration=30)
    assert report.answered, report
    assert "4242" in report.heard_digits, report


def test_a_trunk_invite_from_another_address_is_refused_and_rings_nobody(
        lab, answering, handsets, carrier_ami, appliance_ami):
    rings = HandsetEvents(carrier_ami)
    channels = ApplianceChannels(appliance_ami)
    phone = guard_phone(answering)

    with SipProbe("127.0.0.2", APPLIANCE) as stranger:
        plain = stranger.invite(answering.number, "trunk")
        guessed = stranger.invite(answering.number, "trunk", credentials=Credentials(
            "trunk", "trunk"))
    time.sleep(1)  # anything it started would have rung by now

    assert plain.statuses == [401], plain.statuses
    assert guessed.statuses == [401, 401], guessed.statuses
    assert not plain.accepted and not guessed.accepted
    assert rings.of(phone) == []
    assert channels.channels == []
    assert calls_to(answering.number) == 0
    # Asterisk's security log names the source
    assert 'RemoteAddress="IPV4/UDP/127.0.0.2/' in security_log(lab)

    # The same INVITE from the operator's address is a call (rung, then given up): the
    # refusal was the address's.
    handsets.set(phone, "no-answer")
    with SipProbe(LAB_TRUNK.host, APPLIANCE) as operator:
        accepted = operator.invite(answering.number, "trunk", timeout=3)
    assert accepted.accepted, accepted.statuses
    assert rings.wait_for(phone, "HandsetRinging")
    assert channels.channels


def test_an_invite_flood_from_one_source_is_cut_and_the_operator_goes_on(
        lab, answering, carrier_ami):
    # The guard would block the flooder after its first refusals; with a threshold out of
    # reach this measures the kernel's per-source limit alone.
    with guard_policy(lab, "--threshold", "100000"):
        before = firewall().counters()
        results: list[Exception | None] = []

        def operator_calls() -> None:
            try:
                operator_call_is_answered(carrier_ami, answering)
                results.append(None)
            except Exception as error:  # reported by the test's own thread below
                results.append(error)

        during = threading.Thread(target=operator_calls)
        with SipProbe("127.0.0.3", APPLIANCE) as flooder:
            during.start()
            started = time.monotonic()
            # 20 INVITEs every 0.1 s for 2 s: 400, about 200 a second
            for tick in range(FLOOD_TICKS):
                flooder.flood(answering.number, "trunk", 20)
                time.sleep(max(0.0, started + (tick + 1) * 0.1 - time.monotonic()))
            lasted = time.monotonic() - started
            answers = flooder.drain()
        during.join(timeout=60)
        limited = firewall().counters()[COUNTER_STRANGER_INVITES] - before[
            COUNTER_STRANGER_INVITES]

    sent = 20 * FLOOD_TICKS
    print(f"flood: {sent} INVITEs in {lasted:.2f} s; {len(answers)} reached Asterisk (and were "
          f"refused), {limited} dropped by the per-source limit")
    # a burst of 10, then 5 a second
    allowed = 10 + 5 * lasted
    assert allowed - 3 <= len(answers) <= allowed + 3, (len(answers), allowed)
    assert all(answer.status == 401 for answer in answers)
    assert limited == sent - len(answers)
    assert results == [None]


def test_repeated_failed_authentication_blocks_the_source_until_the_block_expires(
        lab, answering, carrier_ami):
    source = "127.0.0.4"
    with guard_policy(lab, "--threshold", "3", "--window", "30", "--block", "10"), \
            SipProbe(source, APPLIANCE) as guesser:
        wrong = Credentials("trunk", "arvaus")
        # Each attempt is 3 offences: an unknown source twice, a failed answer once.
        assert guesser.invite(answering.number, "trunk", credentials=wrong).final == 401
        deadline = time.monotonic() + 5
        while source not in blocked():
            assert time.monotonic() < deadline, "the source was never blocked"
            time.sleep(0.1)
        blocked_at = time.monotonic()

        # blocked: not even an answer
        assert guesser.invite(answering.number, "trunk", timeout=1).answers == []
        # the operator's calls go on meanwhile
        operator_call_is_answered(carrier_ami, answering)
        [record] = [entry for entry in entries(limit=20) if entry["action"] == "sip.block"
                    and entry["target"] == source]
        assert record["actor"] == "sip-guard"
        assert (record["details"]["seconds"], record["details"]["repeat"]) == (10, 1)
        assert record["details"]["last_event"] in ("InvalidAccountID", "ChallengeResponseFailed")

        # expired by itself (the kernel's timeout; the guard does nothing)
        assert time.monotonic() - blocked_at < 10, "too slow to see the block in force"
        time.sleep(max(0.0, blocked_at + 10.5 - time.monotonic()))
        assert source not in blocked()
        assert guesser.invite(answering.number, "trunk").final == 401

        # at it again: a repeat offender is blocked twice as long
        guesser.invite(answering.number, "trunk", credentials=wrong)
        deadline = time.monotonic() + 5
        while source not in blocked():
            assert time.monotonic() < deadline, "the repeat offender was never blocked"
            time.sleep(0.1)
        # The guard writes the audit row just after the block is in the kernel.
        deadline = time.monotonic() + 5
        while len(again := [entry for entry in entries(limit=20)
                            if entry["action"] == "sip.block" and entry["target"] == source]) < 2:
            assert time.monotonic() < deadline, "the repeat block was never audited"
            time.sleep(0.1)
        assert (again[0]["details"]["seconds"], again[0]["details"]["repeat"]) == (20, 2)
    firewall().unblock(ipaddress.ip_address(source))


@pytest.fixture
def inbound_auth(lab):
    """The operator authenticates its calls: the trunk challenges it, the carrier answers."""
    open_database(lab.db_path)
    set_trunk(LAB_TRUNK.mode, LAB_TRUNK.host, LAB_TRUNK.port,
              inbound_username=INBOUND.username, inbound_password=INBOUND.password)
    yield
    reset_trunk()
    use_credentials(lab.carrier(), None)


@pytest.mark.usefixtures("inbound_auth")
def test_the_operator_s_calls_are_taken_only_with_its_password(lab, answering, carrier_ami):
    rings = HandsetEvents(carrier_ami)
    phone = guard_phone(answering)

    # From the operator's own address, but without the password: refused, nobody rung.
    report = place_call(carrier_ami, "+358401110001", answering.number, max_duration=10)
    assert not report.answered, report
    with SipProbe(LAB_TRUNK.host, APPLIANCE) as forger:
        forged = forger.invite(answering.number, "trunk", credentials=Credentials(
            INBOUND.username, "arvaus"))
    assert forged.statuses == [401, 401], forged.statuses
    time.sleep(1)
    assert rings.of(phone) == []
    assert calls_to(answering.number) == 0

    # The carrier knows the password: the call is taken as before.
    use_credentials(lab.carrier(), (INBOUND.username, INBOUND.password))
    report = place_call(carrier_ami, "+358401110002", answering.number, max_duration=30)
    assert report.answered and "4242" in report.heard_digits, report
    # A wrong password from the operator's address never blocks the operator.
    assert LAB_TRUNK.host not in blocked()


def test_an_operator_name_that_does_not_resolve_costs_only_its_own_calls(
        lab, answering, carrier_ami, appliance_ami):
    """No DNS in the lab's namespace: the name matches nothing, the address beside it still
    does, and the trunk's status says which of the two Asterisk takes calls from."""
    open_database(lab.db_path)
    set_trunk(LAB_TRUNK.mode, LAB_TRUNK.host, LAB_TRUNK.port,
              operator_addresses=["sip.operaattori.invalid"])
    try:
        operator_call_is_answered(carrier_ami, answering)
        status = trunk_status(appliance_ami)
        assert "calls from sip.operaattori.invalid are refused" in status.detail, status
        assert status.state == "not monitored", status
    finally:
        reset_trunk()
