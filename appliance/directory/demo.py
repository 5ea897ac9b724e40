"""A demo configuration for a fresh appliance (and the lab), so a first call rings somebody."""

from __future__ import annotations

from paivystys.appliance.db.models import OnCallNumber
from paivystys.appliance.directory.service import Directory

DEMO_NUMBER = "+358201234567"
DEMO_NUMBER_NAME = "Demo päivystys"
DEMO_BACKUP_GROUP = "Varalla"

# name -> phone; Liisa is in both main groups, so she is rung once although two groups ring.
DEMO_PEOPLE: dict[str, str] = {
    "Matti Virtanen": "+358401000001",
    "Liisa Korhonen": "+358401000002",
    "Juha Nieminen": "+358501000003",
    "Anna Mäkinen": "+358501000004",
    "Pekka Laine": "+358401000005",
}
DEMO_GROUPS: dict[str, tuple[str, ...]] = {
    "Huolto": ("Matti Virtanen", "Liisa Korhonen"),
    "Sähkö": ("Liisa Korhonen", "Juha Nieminen"),
    DEMO_BACKUP_GROUP: ("Anna Mäkinen", "Pekka Laine"),
}
DEMO_RINGING_GROUPS = ("Huolto", "Sähkö")


def seed_demo(directory: Directory | None = None) -> bool:
    """Create the demo configuration when no on-call number exists yet.

    Returns whether it seeded.  All of it is one transaction and one apply.
    """
    if OnCallNumber.select().exists():
        return False
    directory = directory if directory is not None else Directory()
    with directory.batch():
        number = directory.add_number(DEMO_NUMBER, DEMO_NUMBER_NAME)
        people = {name: directory.add_person(name, phone) for name, phone in DEMO_PEOPLE.items()}
        for group_name, member_names in DEMO_GROUPS.items():
            group = directory.add_group(group_name)
            for member in member_names:
                directory.add_member(people[member].id, group.id)
        directory.set_number_groups(number.id, DEMO_RINGING_GROUPS)
        directory.set_backup_group(number.id, DEMO_BACKUP_GROUP)
    return True
