"""JSON-ready views of configuration rows, shared by `paivystys ... list --json` and the API."""

from __future__ import annotations

from typing import Any

from paivystys.appliance.db import settings as db_settings
from paivystys.appliance.db.models import Group, Membership, NumberGroup, OnCallNumber, Person


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
    }


def settings_to_dicts() -> list[dict[str, Any]]:
    return [{"key": key, "value": value, "default": db_settings.SPECS[key].default}
            for key, value in db_settings.all_settings().items()]
