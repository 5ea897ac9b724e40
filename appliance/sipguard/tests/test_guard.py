"""Who gets blocked: the events that count, the threshold within the window, repeat blocks
twice as long, the operator never, bounded memory, and hostile event fields."""

from __future__ import annotations

import ipaddress

import pytest

from paivystys.appliance.sipguard.guard import (
    BlockDecision,
    Guard,
    Offence,
    Policy,
    offence_from_event,
    shown_account,
    source_address,
)

STRANGER = ipaddress.ip_address("203.0.113.7")
OPERATOR_NETWORK = ipaddress.ip_network("192.0.2.0/24")
POLICY = Policy(threshold=3, window_s=10, block_s=60, max_block_s=200, repeat_memory_s=1000)


def event(kind: str = "InvalidAccountID", remote: str = "IPV4/UDP/203.0.113.7/5060",
          **fields: str) -> dict[str, str]:
    return {"Event": kind, "Privilege": "security,all", "Service": "PJSIP",
            "AccountID": "trunk", "RemoteAddress": remote, **fields}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Recorder:
    def __init__(self) -> None:
        self.blocks: list[tuple[object, int]] = []
        self.decisions: list[BlockDecision] = []

    def block(self, address: object, seconds: int) -> None:
        self.blocks.append((address, seconds))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def guard(clock: Clock, recorder: Recorder) -> Guard:
    guard = Guard(recorder.block, POLICY, on_block=recorder.decisions.append, clock=clock)
    guard.set_operators([OPERATOR_NETWORK])
    return guard


def offend(guard: Guard, address: object = STRANGER, times: int = 1,
           kind: str = "InvalidAccountID") -> list[BlockDecision | None]:
    return [guard.offence(Offence(kind, address, "trunk")) for _ in range(times)]


# --- events ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["InvalidAccountID", "ChallengeResponseFailed",
                                  "InvalidPassword", "FailedACL"])
def test_failed_identification_and_authentication_are_offences(kind: str) -> None:
    assert offence_from_event(event(kind)) == Offence(kind, STRANGER, "trunk")


@pytest.mark.parametrize("headers", [
    event("ChallengeSent"),  # every challenge, the operator's own calls' too
    event("SuccessfulAuth"),
    event(Service="AMI"),  # AMI logins are not the SIP edge
    {"Event": "UserEvent", "RemoteAddress": "IPV4/UDP/203.0.113.7/5060"},
])
def test_other_events_are_not(headers: dict[str, str]) -> None:
    assert offence_from_event(headers) is None


@pytest.mark.parametrize("remote", [
    "", "IPV4/UDP/203.0.113.7", "IPV4/UDP/not-an-address/5060", "HOST/UDP/203.0.113.7/5060",
    # a second value smuggled into the header (the AMI client joins repeats with a newline)
    "IPV4/UDP/203.0.113.7/5060\nIPV4/UDP/192.0.2.1/5060", "IPV4/UDP/203.0.113.7/5060/x",
    "IPV4/UDP/0x7f.1/5060", "IPV4/UDP/" + "9" * 5000 + "/5060",
])
def test_an_unusable_remote_address_blocks_nobody(remote: str) -> None:
    assert offence_from_event(event(remote=remote)) is None


def test_the_account_is_the_sender_s_text_and_never_an_address() -> None:
    # What a From user "b%22,RemoteAddress=%22IPV4/UDP/10.8.8.8/5060" arrives as.
    forged = event(AccountID='b",RemoteAddress="IPV4/UDP/10.8.8.8/')
    offence = offence_from_event(forged)
    assert offence is not None and offence.address == STRANGER
    assert shown_account("a\r\nEvent: x" + "y" * 100).startswith("'a\\r\\nEvent: x")
    assert shown_account("y" * 100).endswith("...")


def test_ipv6_and_ipv4_mapped_sources() -> None:
    assert source_address("IPV6/UDP/2001:db8::7/5060") == ipaddress.ip_address("2001:db8::7")
    assert source_address("IPV6/UDP/[2001:db8::7]/5060") == ipaddress.ip_address("2001:db8::7")
    assert source_address("IPV6/UDP/::ffff:203.0.113.7/5060") == STRANGER


# --- blocking --------------------------------------------------------------------------------

def test_the_threshold_within_the_window_blocks(guard: Guard, recorder: Recorder,
                                                clock: Clock) -> None:
    assert offend(guard, times=2) == [None, None]
    clock.now += 11  # the first two are out of the window
    assert offend(guard, times=2) == [None, None]
    [decision] = offend(guard)
    assert decision == BlockDecision(STRANGER, 60, 3, "InvalidAccountID", "trunk", 1)
    assert recorder.blocks == [(STRANGER, 60)]
    assert recorder.decisions == [decision]


def test_events_still_in_flight_while_blocked_count_for_nothing(guard: Guard,
                                                                recorder: Recorder,
                                                                clock: Clock) -> None:
    offend(guard, times=3)
    clock.now += 30
    assert offend(guard, times=10) == [None] * 10
    assert len(recorder.blocks) == 1


def test_a_repeat_offender_is_blocked_twice_as_long_up_to_the_limit(guard: Guard,
                                                                    recorder: Recorder,
                                                                    clock: Clock) -> None:
    for _ in range(4):
        offend(guard, times=3)
        clock.now += 300  # the block is over
    assert [seconds for _, seconds in recorder.blocks] == [60, 120, 200, 200]
    clock.now += 1000  # long enough ago: a first block again
    offend(guard, times=3)
    assert recorder.blocks[-1] == (STRANGER, 60)


def test_the_operator_is_never_blocked(guard: Guard, recorder: Recorder,
                                       caplog: pytest.LogCaptureFixture) -> None:
    operator = ipaddress.ip_address("192.0.2.10")
    assert offend(guard, operator, times=50, kind="ChallengeResponseFailed") == [None] * 50
    assert recorder.blocks == []
    # said once, not fifty times
    assert sum("never blocked" in message for message in caplog.messages) == 1


def test_an_address_that_becomes_the_operator_s_stops_counting(guard: Guard,
                                                               recorder: Recorder) -> None:
    offend(guard, times=2)
    guard.set_operators([OPERATOR_NETWORK, ipaddress.ip_network("203.0.113.0/28")])
    offend(guard, times=5)
    assert recorder.blocks == []


def test_a_block_carried_over_is_respected_and_a_lifted_one_counts_afresh(
        guard: Guard, recorder: Recorder, clock: Clock) -> None:
    guard.already_blocked(STRANGER, 100)
    assert offend(guard, times=5) == [None] * 5
    guard.forget_block(STRANGER)
    assert offend(guard, times=2) == [None, None]
    assert offend(guard)[0] is not None


def test_a_failed_block_is_logged_and_counted_again(clock: Clock,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    def refuse(address: object, seconds: int) -> None:
        raise RuntimeError("nft: set is full")

    guard = Guard(refuse, POLICY, clock=clock)
    assert offend(guard, times=3) == [None, None, None]
    assert "could not block 203.0.113.7" in caplog.text
    assert offend(guard, times=3)[-1] is None  # tried again, not taken as blocked


def test_memory_is_bounded_under_a_flood_of_forged_sources(clock: Clock,
                                                           recorder: Recorder) -> None:
    guard = Guard(recorder.block, Policy(threshold=2, window_s=10, max_sources=100),
                  clock=clock)
    for number in range(5000):
        offend(guard, ipaddress.ip_address(0x0A000000 + number))
    assert len(guard._offences) <= 100
    for number in range(5000):
        offend(guard, ipaddress.ip_address(0x0A000000 + number), times=2)
    assert len(guard._past_blocks) <= 100
    assert len(recorder.blocks) == 5000


@pytest.mark.parametrize("bad", [dict(threshold=0), dict(window_s=0), dict(block_s=0),
                                 dict(block_s=100, max_block_s=50)])
def test_a_policy_that_could_not_work_is_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Policy(**bad)
