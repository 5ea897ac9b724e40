from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import (
    Call,
    Group,
    Leg,
    Membership,
    NumberGroup,
    OnCallNumber,
    Person,
)
from paivystys.appliance.ringing.rule import Stage

# 14.05 in Helsinki (UTC+2 in November).
ARRIVED = dt.datetime(2025, 11, 25, 12, 5, 0, tzinfo=dt.UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[None]:
    database = open_database(tmp_path / "paivystys.db")
    yield
    database.close()


@dataclass
class Site:
    """One on-call number with two groups and a backup group, and people in every situation
    the recipient rules tell apart."""

    number: OnCallNumber
    people: dict[str, Person]
    groups: dict[str, Group]

    def call(self, call_id: str = "1764072300.11", caller: str = "+358401234567",
             main: tuple[str, ...] = ("Maija", "Pekka", "Liisa", "Sanna", "Risto", "Tuula"),
             backup: tuple[str, ...] = ()) -> Call:
        """A call whose main stage rang ``main`` (and backup stage ``backup``), as the monitor
        logs it: one leg per person and stage, on the group it rang them for."""
        call = Call.create(call_id=call_id, number=self.number, dialled=self.number.number,
                           caller=caller, arrived_at=ARRIVED)
        for stage, names in ((Stage.MAIN, main), (Stage.BACKUP, backup)):
            for name in names:
                person = self.people[name]
                group = (self.groups["Varalla"] if stage == Stage.BACKUP
                         else person.memberships[0].group)
                Leg.create(call=call, person=person, person_name=person.name,
                           phone=person.phone, group=group, group_name=group.name, stage=stage,
                           rung_at=ARRIVED + dt.timedelta(seconds=1))
        return call


@pytest.fixture
def site(db: None) -> Site:
    groups = {name: Group.create(name=name)
              for name in ("Asentajat", "Työnjohto", "Varalla", "Muu")}
    number = OnCallNumber.create(number="+358201234567", name="Huolto",
                                 backup_group=groups["Varalla"])
    NumberGroup.create(number=number, group=groups["Asentajat"], position=0)
    NumberGroup.create(number=number, group=groups["Työnjohto"], position=1)
    # name: (phone, groups, on duty, wants SMS)
    table = {
        "Maija": ("+358401000001", ("Asentajat",), True, True),  # takes the calls
        "Pekka": ("+358401000002", ("Asentajat", "Työnjohto"), True, True),  # in two groups
        "Liisa": ("+358401000003", ("Asentajat",), True, False),  # wants no texts
        "Olli": ("+358401000004", ("Asentajat",), False, True),  # off duty, never rung
        "Sanna": ("+358401000005", ("Asentajat",), False, True),  # went off duty while rung
        "Risto": ("+358401000006", ("Työnjohto",), True, True),
        "Tuula": ("+35891234567", ("Asentajat",), True, True),  # a landline: no texts
        "Ville": ("+358401000007", ("Varalla",), True, True),  # backup group
        "Kalle": ("+358401000008", ("Muu",), True, True),  # another number's group
    }
    people = {}
    for name, (phone, member_of, on_duty, wants_sms) in table.items():
        person = Person.create(name=f"{name} Virtanen", phone=phone, on_duty=on_duty,
                               wants_sms=wants_sms)
        for group in member_of:
            Membership.create(person=person, group=groups[group])
        people[name] = person
    return Site(number=number, people=people, groups=groups)
