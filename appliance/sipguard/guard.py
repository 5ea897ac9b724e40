"""Who gets blocked: repeat offenders on the SIP port, never the operator.

Asterisk reports every request it could not match to the trunk (``InvalidAccountID``) and
every failed digest answer (``ChallengeResponseFailed``, ``InvalidPassword``) or ACL refusal
(``FailedACL``) as a security event on AMI, each field a header of its own.  (The same events
in the security log file are not used: a From user with ``%22`` in it writes a second
``RemoteAddress="..."`` into that line.)  :func:`offence_from_event` turns such an event into
an :class:`Offence`; :class:`Guard` counts them per source address and blocks a source that
reaches the threshold within the window.  A source blocked again soon after an earlier block
is blocked twice as long as the last time, up to a limit.

The operator's networks are never blocked, whatever comes from them.  Memory is bounded: a
flood of forged source addresses makes the guard forget the oldest, not grow without end.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from paivystys.appliance.sipguard.firewall import Address, Network

log = logging.getLogger(__name__)

# The security events that say a source tried to get in and failed.  ChallengeSent (every
# challenge, the operator's too) and SuccessfulAuth are not offences.
OFFENCE_EVENTS = frozenset({"InvalidAccountID", "ChallengeResponseFailed", "InvalidPassword",
                            "FailedACL"})
SIP_SERVICE = "PJSIP"
# An account name is the sender's From user: shown in logs as a quoted, shortened repr.
MAX_SHOWN_ACCOUNT = 64


@dataclass(frozen=True)
class Offence:
    kind: str  # the security event's name
    address: Address
    account: str  # the account the sender named (its From user): the sender's text


def offence_from_event(headers: dict[str, str]) -> Offence | None:
    """The offence an AMI security event reports, or None (not an offence, not SIP, or no
    usable source address).  ``RemoteAddress`` looks like ``IPV4/UDP/192.0.2.7/5060``."""
    kind = headers.get("Event", "")
    if kind not in OFFENCE_EVENTS or headers.get("Service") != SIP_SERVICE:
        return None
    address = source_address(headers.get("RemoteAddress", ""))
    if address is None:
        log.warning("%s event without a usable RemoteAddress: %r", kind,
                    headers.get("RemoteAddress", "")[:100])
        return None
    return Offence(kind, address, headers.get("AccountID", ""))


def source_address(remote: str) -> Address | None:
    parts = remote.split("/")
    if len(parts) != 4 or parts[0] not in ("IPV4", "IPV6"):
        return None
    try:
        address = ipaddress.ip_address(parts[2].strip("[]"))
    except ValueError:
        return None
    # A dual-stack socket shows an IPv4 sender as ::ffff:a.b.c.d; the block must name a.b.c.d.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@dataclass(frozen=True)
class Policy:
    threshold: int = 5  # offences from one source within window_s ...
    window_s: float = 60.0
    block_s: int = 600  # ... block it this long the first time,
    max_block_s: int = 86_400  # twice as long each time after, up to this;
    repeat_memory_s: float = 86_400  # a block this long ago no longer counts as a repeat.
    max_sources: int = 10_000  # sources remembered at once (offences and past blocks)

    def __post_init__(self) -> None:
        if self.threshold < 1 or self.window_s <= 0 or not 0 < self.block_s <= self.max_block_s:
            raise ValueError(f"not a usable policy: {self}")


@dataclass(frozen=True)
class BlockDecision:
    address: Address
    seconds: int
    offences: int  # within the window, the last one included
    kind: str  # the last offence's event
    account: str  # the account it named
    repeat: int  # 1 for a first block, 2 for the second within repeat_memory_s, ...


class Guard:
    """Counts offences and blocks through ``block(address, seconds)``; ``on_block`` hears of
    every block made (for the log and the audit log).  Thread-safe."""

    def __init__(self, block: Callable[[Address, int], None], policy: Policy = Policy(), *,
                 on_block: Callable[[BlockDecision], None] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self._block = block
        self._on_block = on_block
        self._clock = clock
        self._lock = threading.Lock()
        self._operators: tuple[Network, ...] = ()
        self._offences: OrderedDict[Address, deque[float]] = OrderedDict()
        self._blocked_until: dict[Address, float] = {}
        self._past_blocks: OrderedDict[Address, tuple[int, float]] = OrderedDict()
        self._operator_noticed: dict[Address, float] = {}

    def set_operators(self, networks: Iterable[Network]) -> None:
        with self._lock:
            self._operators = tuple(networks)
            for address in [a for a in self._offences if self._is_operator(a)]:
                del self._offences[address]

    def is_operator(self, address: Address) -> bool:
        with self._lock:
            return self._is_operator(address)

    def already_blocked(self, address: Address, seconds_left: float) -> None:
        """A block that exists already (carried over from an earlier run of the guard)."""
        with self._lock:
            self._blocked_until[address] = self._clock() + seconds_left

    def forget_block(self, address: Address) -> None:
        """The block was lifted by hand: offences count from zero again."""
        with self._lock:
            self._blocked_until.pop(address, None)
            self._offences.pop(address, None)

    def offence(self, offence: Offence) -> BlockDecision | None:
        """Count ``offence``; block its source when it reached the threshold."""
        with self._lock:
            decision = self._count(offence)
        if decision is not None:
            try:
                self._block(decision.address, decision.seconds)
            except Exception:
                with self._lock:
                    self._blocked_until.pop(decision.address, None)
                log.exception("could not block %s", decision.address)
                return None
            log.warning("blocked %s for %d s: %d offences within %.0f s, the last %s for "
                        "account %s (block number %d)", decision.address, decision.seconds,
                        decision.offences, self.policy.window_s, decision.kind,
                        shown_account(decision.account), decision.repeat)
            if self._on_block is not None:
                self._on_block(decision)
        return decision

    def _count(self, offence: Offence) -> BlockDecision | None:
        now = self._clock()
        address = offence.address
        if self._is_operator(address):
            # Logged, at most once a minute per address: a wrong inbound password on the
            # operator's side, or someone forging its address.
            if now - self._operator_noticed.get(address, -60.0) >= 60.0:
                if len(self._operator_noticed) >= self.policy.max_sources:
                    self._operator_noticed.clear()
                self._operator_noticed[address] = now
                log.warning("%s from the operator's address %s (account %s): never blocked",
                            offence.kind, address, shown_account(offence.account))
            return None
        if self._blocked_until.get(address, 0.0) > now:
            return None  # already blocked: events still in flight
        self._blocked_until.pop(address, None)
        times = self._offences.pop(address, None) or deque()
        times.append(now)
        while times and times[0] <= now - self.policy.window_s:
            times.popleft()
        if len(times) < self.policy.threshold:
            self._offences[address] = times  # most recent last
            self._trim(self._offences)
            return None
        repeat = 1
        past = self._past_blocks.pop(address, None)
        if past is not None and now - past[1] < self.policy.repeat_memory_s:
            repeat = past[0] + 1
        seconds = min(self.policy.block_s * 2 ** min(repeat - 1, 32), self.policy.max_block_s)
        self._past_blocks[address] = (repeat, now)
        self._trim(self._past_blocks)
        self._blocked_until[address] = now + seconds
        self._expire_blocks(now)
        return BlockDecision(address, seconds, len(times), offence.kind, offence.account, repeat)

    def _is_operator(self, address: Address) -> bool:
        return any(address.version == network.version and address in network
                   for network in self._operators)

    def _trim(self, table: OrderedDict[Address, object]) -> None:
        while len(table) > self.policy.max_sources:
            table.popitem(last=False)

    def _expire_blocks(self, now: float) -> None:
        for address in [a for a, until in self._blocked_until.items() if until <= now]:
            del self._blocked_until[address]


def shown_account(account: str) -> str:
    """The sender's account name, safe for a log line: quoted, escaped, shortened."""
    shown = account[:MAX_SHOWN_ACCOUNT]
    return repr(shown) + ("..." if len(account) > MAX_SHOWN_ACCOUNT else "")
