"""JSON-ready views of configuration rows, shared by `paivystys ... list --json` and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from paivystys.appliance.db import settings as db_settings
from paivystys.appliance.db.models import (
    Group,
    ListeningNumber,
    Membership,
    NumberGroup,
    OnCallNumber,
    Person,
    utcnow,
)


def number_to_dict(number: OnCallNumber) -> dict[str, Any]:
    links = (NumberGroup.select(NumberGroup, Group).join(Group)
             .where(NumberGroup.number == number).order_by(NumberGroup.position, NumberGroup.id))
    return {
        "id": number.id,
        "number": number.number,
        "name": number.name,
        "recording": number.recording,
        "retention_days": number.retention_days,
        "sms_on_taken": number.sms_on_taken,
        "sms_to_caller": number.sms_to_caller,
        "sms_on_missed": number.sms_on_missed,
        "groups": [link.group.name for link in links],
        "backup_group": number.backup_group.name if number.backup_group_id else None,
    }


def listening_number_to_dict(number: ListeningNumber) -> dict[str, Any]:
    return {"id": number.id, "number": number.number, "name": number.name}


def pin_state(person: Person, now: dt.datetime | None = None) -> dict[str, Any]:
    """A person's listening-line access as the console shows it (never the PIN's hash):
    the personal number, whether a PIN is set, and until when phone access is locked (null:
    no lock now; a lock that has ended is none)."""
    locked_until = person.pin_locked_until
    if locked_until is not None and locked_until.tzinfo is None:
        locked_until = locked_until.replace(tzinfo=dt.UTC)
    if locked_until is not None and locked_until <= (now or utcnow()):
        locked_until = None
    return {"personal_number": person.personal_number, "has_pin": person.pin_hash is not None,
            "pin_locked_until": (locked_until.isoformat(timespec="seconds")
                                 if locked_until else None)}


def group_to_dict(group: Group) -> dict[str, Any]:
    members = Person.select().join(Membership).where(Membership.group == group)
    ringing = (OnCallNumber.select().join(NumberGroup)
               .where(NumberGroup.group == group).order_by(OnCallNumber.number))
    backup = OnCallNumber.select().where(OnCallNumber.backup_group == group)
    return {
        "id": group.id,
        "name": group.name,
        "members": [{"id": person.id, "name": person.name, "phone": person.phone,
                     "on_duty": person.on_duty}
                    for person in sorted(members, key=lambda p: (p.name.casefold(), p.id))],
        "rings_for": [number.number for number in ringing],
        "backup_for": [number.number for number in backup.order_by(OnCallNumber.number)],
    }


def person_to_dict(person: Person) -> dict[str, Any]:
    groups = Group.select().join(Membership).where(Membership.person == person)
    return {
        "id": person.id,
        "name": person.name,
        "phone": person.phone,
        "on_duty": person.on_duty,
        "wants_sms": person.wants_sms,
        "public_phone": person.public_phone,
        "groups": sorted((group.name for group in groups), key=str.casefold),
        **pin_state(person),
    }


def settings_to_dicts() -> list[dict[str, Any]]:
    specs = db_settings.SPECS
    return [{"key": key, "value": value, "default": specs[key].default,
             "choices": list(specs[key].choices) if specs[key].choices else None}
            for key, value in db_settings.all_settings().items()]
