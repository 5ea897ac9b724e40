"""The call-level harness: one real lab (appliance Asterisk, carrier Asterisk, FastAGI server,
call monitor) for the whole session, in a temporary state directory.

Each test configures its own on-call number, groups and people (phone numbers unique to the
test), scripts the handsets on the carrier and places real SIP calls.  Tests run inside the
network namespace that scripts/test made (PAIVYSTYS_NETNS=current).
"""

from __future__ import annotations

import itertools
import os
import threading
import wave
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from paivystys.appliance.db.database import open_database
from paivystys.appliance.directory import Directory

RING_TIME = 8
CONFIRM_TIMEOUT = 3
# After the confirmation prompt has played, a person has this long to press (dialplan Read).
READ_AFTER_PROMPT_S = 2

_phone_counter = itertools.count(1)


def _needs_root_and_isolation() -> str | None:
    if os.geteuid() != 0:
        return "call tests need root (Asterisk in a chroot, network namespaces)"
    if os.environ.get("PAIVYSTYS_NETNS") != "current":
        return "call tests run inside scripts/test's private network namespace"
    return None


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory):
    reason = _needs_root_and_isolation()
    if reason:
        pytest.skip(reason)
    from paivystys.appliance.lab.environment import Lab

    state_dir = tmp_path_factory.mktemp("lab")
    lab = Lab(state_dir=state_dir, netns_name=None, progress=lambda message: None)
    open_database(lab.db_path)
    directory = Directory()
    directory.set_setting("ring_time", str(RING_TIME))
    directory.set_setting("confirm_timeout", str(CONFIRM_TIMEOUT))
    lab.up(seed=False)
    yield lab
    lab.down()


@pytest.fixture(scope="session")
def carrier_ami(lab):
    ami = lab.ami(lab.carrier())
    yield ami
    ami.close()


@pytest.fixture(scope="session")
def appliance_ami(lab):
    ami = lab.ami(lab.appliance())
    yield ami
    ami.close()


@pytest.fixture(scope="session")
def handsets(carrier_ami):
    from paivystys.appliance.lab.handsets import Handsets

    return Handsets(carrier_ami)


@pytest.fixture
def handset_events(carrier_ami):
    """What the handsets do from now on (AMI listeners cannot be removed: one per test)."""
    from paivystys.appliance.lab.handsets import HandsetEvents

    return HandsetEvents(carrier_ami)


def new_mobile() -> str:
    """A Finnish mobile number no other test uses."""
    return f"+35840{next(_phone_counter):07d}"


def new_on_call_number() -> str:
    return f"+35820{next(_phone_counter):07d}"


@dataclass
class Scenario:
    """One test's on-call number with its groups and people."""

    directory: Directory
    number: str = field(default_factory=new_on_call_number)
    people: dict[str, str] = field(default_factory=dict)  # name -> phone
    groups: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.directory.add_number(self.number, f"Testinumero {self.number[-4:]}")

    def group(self, name: str, *people: str, backup: bool = False) -> None:
        self.directory.add_group(name)
        for person in people:
            if person not in self.people:
                self.people[person] = new_mobile()
                self.directory.add_person(person, self.people[person])
            self.directory.add_member(person, name)
        if backup:
            self.directory.set_backup_group(self.number, name)
        else:
            self.groups.append(name)
            self.directory.set_number_groups(self.number, self.groups)


@pytest.fixture
def scenario(lab, request) -> Iterator[Scenario]:
    open_database(lab.db_path)
    yield Scenario(Directory())


@pytest.fixture
def ring_time(lab):
    """Set the ring time for one test; the session's value comes back afterwards."""
    directory = Directory()

    def set_ring_time(seconds: int) -> None:
        directory.set_setting("ring_time", str(seconds))

    yield set_ring_time
    directory.set_setting("ring_time", str(RING_TIME))


def sound_seconds(lab, name: str) -> float:
    """How long the appliance's Finnish prompt `name` plays."""
    path = lab.appliance().instance_dir / "sounds" / "generated" / "fi" / f"{name}.wav"
    with wave.open(str(path)) as sound:
        return sound.getnframes() / sound.getframerate()


def prompt_seconds(lab, caller: str) -> float:
    """How long the Finnish confirmation prompt for `caller` plays."""
    national = "0" + caller[4:] if caller.startswith("+358") else caller.lstrip("+")
    names = ["pv-oncall-call-from", *(f"digit-{digit}" for digit in national), "pv-press-1"]
    return sum(sound_seconds(lab, name) for name in names)


@pytest.fixture
def call(lab):
    """Place a call from the simulated network and return the appliance's log row."""
    from paivystys.appliance.cli.lab import place_and_log

    def place(dialled: str, caller: str | None = None, hangup_after: float | None = None):
        return place_and_log(lab, caller or new_mobile(), dialled, hangup_after)

    return place


# A change every this many seconds (each also waits for its reload to finish).
CHANGE_EVERY_S = 0.3


@contextmanager
def changing_configuration(lab, bystander: str = "", *,
                           toggle: Callable[[Directory, bool], object] | None = None
                           ) -> Iterator[list[int]]:
    """Make a real change over and over (each regenerates the dialplan and reloads it) until
    the block ends; yields the list counting the reloads.  The change: ``toggle(directory,
    on)``, by default `bystander`'s duty (the failsafe legs in the dialplan change with it)."""
    extensions = lab.appliance().instance_dir / "etc" / "extensions.conf"
    done = threading.Event()
    reloads: list[int] = []
    errors: list[BaseException] = []

    def toggle_duty(directory: Directory, on: bool) -> object:
        return directory.change_person(bystander, on_duty=on)

    def keep_changing() -> None:
        directory = Directory()
        on = False
        try:
            while not done.is_set():
                before = extensions.read_text()
                (toggle or toggle_duty)(directory, on)
                if extensions.read_text() != before:
                    reloads.append(1)
                on = not on
                done.wait(CHANGE_EVERY_S)
        except BaseException as error:  # reported in the test's own thread
            errors.append(error)

    changer = threading.Thread(target=keep_changing, name="changes", daemon=True)
    changer.start()
    try:
        yield reloads
    finally:
        done.set()
        changer.join(timeout=30)
    assert not errors, errors
