from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath

import peewee
import pytest

from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import Group, Membership, NumberGroup, OnCallNumber, Person

RECORDINGS = PurePosixPath("/srv/instance/recordings")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[peewee.SqliteDatabase]:
    database = open_database(tmp_path / "db")
    yield database
    database.close()


class Directory:
    """Terse rows for tests; the real validation lives in appliance.directory."""

    def __init__(self) -> None:
        self._phones = iter(range(1000000, 9999999))

    def person(self, name: str, groups: Sequence[Group] = (), on_duty: bool = True,
               phone: str | None = None) -> Person:
        person = Person.create(name=name, phone=phone or f"+35840{next(self._phones)}",
                               on_duty=on_duty)
        for group in groups:
            Membership.create(person=person, group=group)
        return person

    def group(self, name: str) -> Group:
        return Group.create(name=name)

    def number(self, number: str = "+358401234567", groups: Sequence[Group] = (),
               backup: Group | None = None, recording: bool = False) -> OnCallNumber:
        on_call = OnCallNumber.create(number=number, name=number, backup_group=backup,
                                      recording=recording)
        for position, group in enumerate(groups):
            NumberGroup.create(number=on_call, group=group, position=position)
        return on_call


@pytest.fixture
def directory(db: peewee.SqliteDatabase) -> Directory:
    return Directory()
