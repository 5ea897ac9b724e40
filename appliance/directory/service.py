"""The one validated way to change the configuration: numbers, listening numbers, groups,
people, memberships, ringing and backup groups, settings.

Every change is checked completely before anything is written and runs as one change of the
given :class:`~paivystys.appliance.changes.Changes`: in one transaction with its audit row
saying who did it, then applied to Asterisk.  Callers (the CLI, the API, SMS commands) pass
references as ids or as names / phone numbers, as typed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

import peewee

from paivystys.appliance.changes import SYSTEM, Changes
from paivystys.appliance.db import settings as db_settings
from paivystys.appliance.db.models import (
    Group,
    ListeningNumber,
    Membership,
    NumberGroup,
    OnCallNumber,
    Person,
    database_proxy,
    new_personal_number,
)
from paivystys.appliance.errors import Conflict, InUse, Invalid, NotFound
from paivystys.appliance.phones import (
    e164,
    is_landline,
    looks_like_phone,
    parse_on_call_number,
    parse_person_phone,
)

Ref = int | str
M = TypeVar("M", bound=peewee.Model)

MAX_NAME = 80
MIN_RETENTION_DAYS = 1
MAX_RETENTION_DAYS = 3650  # ten years: longer is a typo, not a policy
# A new person's personal number is drawn at random; one already taken (by someone added
# meanwhile, too) is drawn again.  Ten collisions in a row mean the numbers are running out.
PERSONAL_NUMBER_DRAWS = 10


# --- value validation ------------------------------------------------------------------------

def _name(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise Invalid(field, f"{field}: must be text, got {value!r}")
    # Checked before collapsing spaces: a pasted newline or tab is a mistake, not a space.
    if any(unicodedata.category(char).startswith("C") for char in value):
        raise Invalid(field, f"{field}: {value!r} contains control characters")
    text = " ".join(value.split())
    if not text:
        raise Invalid(field, f"{field}: must not be empty")
    if len(text) > MAX_NAME:
        raise Invalid(field, f"{field}: {text!r} is longer than {MAX_NAME} characters")
    # References accept an id or a phone number as well as a name; a name that looks like
    # either could never be looked up by name.
    if text.isdigit() or looks_like_phone(text) is not None:
        raise Invalid(field, f"{field}: {text!r} looks like an id or a phone number; "
                             "a name needs letters")
    return text


def _bool(field: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise Invalid(field, f"{field}: must be true or false, got {value!r}")
    return value


def _retention_days(value: object) -> int:
    field = "retention_days"
    if isinstance(value, bool):
        raise Invalid(field, f"{field}: must be a whole number of days, got {value!r}")
    try:
        days = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise Invalid(field, f"{field}: must be a whole number of days, got {value!r}") from None
    if isinstance(value, float) and days != value:
        raise Invalid(field, f"{field}: must be a whole number of days, got {value!r}")
    if not MIN_RETENTION_DAYS <= days <= MAX_RETENTION_DAYS:
        raise Invalid(field, f"{field}: must be {MIN_RETENTION_DAYS}..{MAX_RETENTION_DAYS} days, "
                             f"got {days}")
    return days


def _check_sms(phone: str, wants_sms: bool) -> None:
    if wants_sms and is_landline(phone):
        raise Invalid("wants_sms", f"wants_sms: {phone} is a landline and cannot receive "
                                   "SMS; turn SMS off for this person")


def _public_phone(value: str | None) -> str | None:
    """The number callers are given (see Person.public_phone); "" or None publishes none."""
    if value is None or not value.strip():
        return None
    return e164(parse_person_phone(value, field="public_phone"))


# Whole rows, checked as adding them checks them: the directory's own additions and a restored
# backup's rows go through these, so a backup cannot hold what the directory would refuse.

def check_group(name: object) -> dict[str, object]:
    return {"name": _name("name", name)}


def check_number(number: str, name: object, *, recording: object = False,
                 retention_days: object = 90, sms_on_taken: object = True,
                 sms_to_caller: object = True, sms_on_missed: object = True
                 ) -> dict[str, object]:
    return {"number": parse_on_call_number(number), "name": _name("name", name),
            "recording": _bool("recording", recording),
            "retention_days": _retention_days(retention_days),
            "sms_on_taken": _bool("sms_on_taken", sms_on_taken),
            "sms_to_caller": _bool("sms_to_caller", sms_to_caller),
            "sms_on_missed": _bool("sms_on_missed", sms_on_missed)}


def check_listening_number(number: str, name: object) -> dict[str, object]:
    return {"number": parse_on_call_number(number), "name": _name("name", name)}


def check_person(name: object, phone: str, *, on_duty: object = True, wants_sms: object = True,
                 public_phone: str | None = "") -> dict[str, object]:
    values: dict[str, object] = {
        "name": _name("name", name), "phone": e164(parse_person_phone(phone)),
        "on_duty": _bool("on_duty", on_duty), "wants_sms": _bool("wants_sms", wants_sms),
        "public_phone": _public_phone(public_phone)}
    _check_sms(str(values["phone"]), bool(values["wants_sms"]))
    return values


def _describe_number(number: OnCallNumber | ListeningNumber) -> str:
    return f"{number.number} ({number.name})"


def _create_person(values: dict[str, object]) -> Person:
    """The person of ``values`` with a personal number nobody has, drawn again when the one
    drawn is taken (the unique column decides, so two people added at once never share one)."""
    for _ in range(PERSONAL_NUMBER_DRAWS):
        personal_number = new_personal_number(set())
        try:
            with database_proxy.atomic():  # a savepoint: a collision undoes only this insert
                return Person.create(**values, personal_number=personal_number)
        except peewee.IntegrityError:
            if not Person.select().where(Person.personal_number == personal_number).exists():
                raise  # another unique column: the change's own conflict handling says which
    raise Conflict("personal_number", f"personal_number: {PERSONAL_NUMBER_DRAWS} random "
                                      "personal numbers in a row were taken; try again")


class Directory:
    """Validated create / change / list / remove of the configuration.

    Changes are ``changes``' (who makes them, how they reach Asterisk): each is audited and
    applied once committed (once per ``batch()``).  Without it they are the appliance's own
    (``"system"``: lab mode's demo, test set-ups).
    """

    def __init__(self, changes: Changes | None = None) -> None:
        self._changes = changes if changes is not None else Changes(SYSTEM)

    # --- transactions ----------------------------------------------------------------------

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Run several changes as one transaction followed by one apply."""
        with self._changes.transaction():
            yield

    # --- lookups ---------------------------------------------------------------------------

    @staticmethod
    def _by_id(model: type[M], field: str, ref: Ref, what: str) -> M:
        row = model.get_or_none(model._meta.primary_key == int(ref))
        if row is None:
            raise NotFound(field, f"{field}: no {what} with id {ref}")
        return row

    @staticmethod
    def _one(rows: list[M], field: str, ref: str, what: str, hint: str) -> M:
        if not rows:
            raise NotFound(field, f"{field}: no {what} {ref!r}")
        if len(rows) > 1:
            ids = ", ".join(str(row.id) for row in rows)
            raise Conflict(field, f"{field}: {len(rows)} {what}s are called {ref!r} "
                                  f"(ids {ids}); use the {hint} or the id")
        return rows[0]

    def number(self, ref: Ref, field: str = "number") -> OnCallNumber:
        """An on-call number by id, phone number (any form) or name."""
        if isinstance(ref, int):
            return self._by_id(OnCallNumber, field, ref, "on-call number")
        phone = looks_like_phone(ref)
        if phone is not None:
            row = OnCallNumber.get_or_none(OnCallNumber.number == phone)
            if row is None:
                raise NotFound(field, f"{field}: no on-call number {phone}")
            return row
        if ref.strip().isdigit():
            return self._by_id(OnCallNumber, field, ref, "on-call number")
        key = " ".join(ref.split()).casefold()
        rows = [row for row in OnCallNumber.select() if row.name.casefold() == key]
        return self._one(rows, field, ref, "on-call number", "number")

    def listening_number(self, ref: Ref, field: str = "listening_number") -> ListeningNumber:
        """A listening number by id, phone number (any form) or name."""
        if isinstance(ref, int):
            return self._by_id(ListeningNumber, field, ref, "listening number")
        phone = looks_like_phone(ref)
        if phone is not None:
            row = ListeningNumber.get_or_none(ListeningNumber.number == phone)
            if row is None:
                raise NotFound(field, f"{field}: no listening number {phone}")
            return row
        if ref.strip().isdigit():
            return self._by_id(ListeningNumber, field, ref, "listening number")
        key = " ".join(ref.split()).casefold()
        rows = [row for row in ListeningNumber.select() if row.name.casefold() == key]
        return self._one(rows, field, ref, "listening number", "number")

    def group(self, ref: Ref, field: str = "group") -> Group:
        """A group by id or name (names are unique, compared case-insensitively)."""
        if isinstance(ref, int) or ref.strip().isdigit():
            return self._by_id(Group, field, ref, "group")
        key = " ".join(ref.split()).casefold()
        rows = [row for row in Group.select() if row.name.casefold() == key]
        return self._one(rows, field, ref, "group", "id")

    def person(self, ref: Ref, field: str = "person") -> Person:
        """A person by id, phone number (any form) or name."""
        if isinstance(ref, int):
            return self._by_id(Person, field, ref, "person")
        phone = looks_like_phone(ref)
        if phone is not None:
            row = Person.get_or_none(Person.phone == phone)
            if row is None:
                raise NotFound(field, f"{field}: no person with phone {phone}")
            return row
        if ref.strip().isdigit():
            return self._by_id(Person, field, ref, "person")
        key = " ".join(ref.split()).casefold()
        rows = [row for row in Person.select() if row.name.casefold() == key]
        return self._one(rows, field, ref, "person", "phone number")

    # --- listings --------------------------------------------------------------------------

    def list_numbers(self) -> list[OnCallNumber]:
        return list(OnCallNumber.select().order_by(OnCallNumber.number))

    def list_listening_numbers(self) -> list[ListeningNumber]:
        return list(ListeningNumber.select().order_by(ListeningNumber.number))

    def list_groups(self) -> list[Group]:
        return sorted(Group.select(), key=lambda group: group.name.casefold())

    def list_people(self) -> list[Person]:
        return sorted(Person.select(), key=lambda person: (person.name.casefold(), person.id))

    def number_groups(self, ref: Ref) -> list[Group]:
        """The groups a number rings, in their configured order."""
        number = self.number(ref)
        return [link.group for link in NumberGroup.select(NumberGroup, Group).join(Group)
                .where(NumberGroup.number == number)
                .order_by(NumberGroup.position, NumberGroup.id)]

    def group_members(self, ref: Ref) -> list[Person]:
        group = self.group(ref)
        people = Person.select().join(Membership).where(Membership.group == group)
        return sorted(people, key=lambda person: (person.name.casefold(), person.id))

    def person_groups(self, ref: Ref) -> list[Group]:
        person = self.person(ref)
        groups = Group.select().join(Membership).where(Membership.person == person)
        return sorted(groups, key=lambda group: group.name.casefold())

    # --- uniqueness checks -----------------------------------------------------------------

    @staticmethod
    def _check_phone_free(field: str, phone: str, *, number_id: int | None = None,
                          listening_id: int | None = None,
                          person_id: int | None = None) -> None:
        """A phone is one on-call number, one listening number or one person's phone, never
        two of them: a person reached on the on-call number would make the number ring itself,
        and a number that rang the on-call people and opened the listening line could do
        only one of the two."""
        number = OnCallNumber.get_or_none(OnCallNumber.number == phone)
        if number is not None and number.id != number_id:
            raise Conflict(field, f"{field}: {phone} is already the on-call number "
                                  f"{_describe_number(number)}")
        listening = ListeningNumber.get_or_none(ListeningNumber.number == phone)
        if listening is not None and listening.id != listening_id:
            raise Conflict(field, f"{field}: {phone} is already the listening number "
                                  f"{_describe_number(listening)}")
        person = Person.get_or_none(Person.phone == phone)
        if person is not None and person.id != person_id:
            raise Conflict(field, f"{field}: {phone} is already the phone of {person.name} "
                                  f"(id {person.id})")

    @staticmethod
    def _check_group_name_free(name: str, group_id: int | None = None) -> None:
        key = name.casefold()
        for group in Group.select():
            if group.name.casefold() == key and group.id != group_id:
                raise Conflict("name", f"name: a group called {group.name!r} already exists "
                                       f"(id {group.id})")

    # --- on-call numbers -------------------------------------------------------------------

    def add_number(self, number: str, name: str, *, recording: bool = False,
                   retention_days: int = 90) -> OnCallNumber:
        values = check_number(number, name, recording=recording, retention_days=retention_days)
        with self._changes.change("number.add", str(values["number"]),
                                  {"number": number, "name": name, "recording": recording,
                                   "retention_days": retention_days}):
            self._check_phone_free("number", str(values["number"]))
            row = OnCallNumber.create(**values)
        return row

    def change_number(self, ref: Ref, *, number: str | None = None, name: str | None = None,
                      recording: bool | None = None, retention_days: int | None = None,
                      sms_on_taken: bool | None = None, sms_to_caller: bool | None = None,
                      sms_on_missed: bool | None = None) -> OnCallNumber:
        """Change what is given (None = unchanged).  The ``sms_*`` switches turn this number's
        "took the call", "caller's follow-up" and "missed call" messages on or off."""
        switches = {"sms_on_taken": sms_on_taken, "sms_to_caller": sms_to_caller,
                    "sms_on_missed": sms_on_missed}
        if (number is None and name is None and recording is None and retention_days is None
                and all(value is None for value in switches.values())):
            raise Invalid("number", "number: nothing to change")
        changes: dict[str, object] = {}
        if number is not None:
            changes["number"] = parse_on_call_number(number)
        if name is not None:
            changes["name"] = _name("name", name)
        if recording is not None:
            changes["recording"] = _bool("recording", recording)
        if retention_days is not None:
            changes["retention_days"] = _retention_days(retention_days)
        for field, value in switches.items():
            if value is not None:
                changes[field] = _bool(field, value)
        given = {"number": number, "name": name, "recording": recording,
                 "retention_days": retention_days, **switches}
        with self._changes.change("number.change", details={
                key: value for key, value in given.items() if value is not None}) as change:
            row = self.number(ref)
            if "number" in changes:
                self._check_phone_free("number", str(changes["number"]), number_id=row.id)
            for key, value in changes.items():
                setattr(row, key, value)
            row.save()
            change.target = row.number
        return row

    def remove_number(self, ref: Ref) -> OnCallNumber:
        """Remove a number; its call log stays (with the number unlinked)."""
        with self._changes.change("number.remove") as change:
            row = self.number(ref)
            row.delete_instance()
            change.target = row.number
        return row

    def set_number_groups(self, ref: Ref, group_refs: Sequence[Ref]) -> list[Group]:
        """Replace the groups a number rings (all at once; the order is for display)."""
        with self._changes.change("number.groups",
                                  details={"groups": list(group_refs)}) as change:
            number = self.number(ref)
            change.target = number.number
            groups = [self.group(group_ref, field="groups") for group_ref in group_refs]
            seen: set[int] = set()
            for group in groups:
                if group.id in seen:
                    raise Invalid("groups", f"groups: {group.name!r} is listed twice")
                seen.add(group.id)
                if group.id == number.backup_group_id:
                    raise Conflict("groups", f"groups: {group.name!r} is the backup group of "
                                             f"{_describe_number(number)}; a group cannot be "
                                             "both")
            NumberGroup.delete().where(NumberGroup.number == number).execute()
            for position, group in enumerate(groups):
                NumberGroup.create(number=number, group=group, position=position)
        return groups

    def set_backup_group(self, ref: Ref, group_ref: Ref | None) -> OnCallNumber:
        """Set (or with None clear) the group rung when nobody of the number's groups answers."""
        with self._changes.change("number.backup",
                                  details={"backup_group": group_ref}) as change:
            number = self.number(ref)
            change.target = number.number
            group = None if group_ref is None else self.group(group_ref, field="backup_group")
            if group is not None and NumberGroup.select().where(
                    (NumberGroup.number == number) & (NumberGroup.group == group)).exists():
                raise Conflict("backup_group", f"backup_group: {group.name!r} already rings "
                                               f"for {_describe_number(number)}; a backup "
                                               "group must be a different group")
            number.backup_group = group
            number.save()
        return number

    # --- listening numbers -------------------------------------------------------------------

    def add_listening_number(self, number: str, name: str) -> ListeningNumber:
        values = check_listening_number(number, name)
        with self._changes.change("listening_number.add", str(values["number"]),
                                  {"number": number, "name": name}):
            self._check_phone_free("number", str(values["number"]))
            row = ListeningNumber.create(**values)
        return row

    def change_listening_number(self, ref: Ref, *, number: str | None = None,
                                name: str | None = None) -> ListeningNumber:
        """Change what is given (None = unchanged)."""
        if number is None and name is None:
            raise Invalid("number", "number: nothing to change")
        changes: dict[str, object] = {}
        if number is not None:
            changes["number"] = parse_on_call_number(number)
        if name is not None:
            changes["name"] = _name("name", name)
        given = {"number": number, "name": name}
        with self._changes.change("listening_number.change", details={
                key: value for key, value in given.items() if value is not None}) as change:
            row = self.listening_number(ref)
            if "number" in changes:
                self._check_phone_free("number", str(changes["number"]), listening_id=row.id)
            for key, value in changes.items():
                setattr(row, key, value)
            row.save()
            change.target = row.number
        return row

    def remove_listening_number(self, ref: Ref) -> ListeningNumber:
        """Remove a listening number; the calls it had stay in the log (unlinked from it)."""
        with self._changes.change("listening_number.remove") as change:
            row = self.listening_number(ref)
            row.delete_instance()
            change.target = row.number
        return row

    # --- groups ----------------------------------------------------------------------------

    def add_group(self, name: str) -> Group:
        values = check_group(name)
        with self._changes.change("group.add", str(values["name"])):
            self._check_group_name_free(str(values["name"]))
            row = Group.create(**values)
        return row

    def rename_group(self, ref: Ref, name: str) -> Group:
        clean = _name("name", name)
        with self._changes.change("group.rename", clean) as change:
            row = self.group(ref)
            change.details = {"id": row.id, "old_name": row.name}
            self._check_group_name_free(clean, group_id=row.id)
            row.name = clean
            row.save()
        return row

    def group_dependents(self, ref: Ref) -> list[str]:
        """What would change if the group went: one phrase per number that uses it."""
        group = self.group(ref)
        uses = [f"a ringing group of {_describe_number(link.number)}" for link in
                NumberGroup.select(NumberGroup, OnCallNumber).join(OnCallNumber)
                .where(NumberGroup.group == group).order_by(OnCallNumber.number)]
        uses += [f"the backup group of {_describe_number(number)}" for number in
                 OnCallNumber.select().where(OnCallNumber.backup_group == group)
                 .order_by(OnCallNumber.number)]
        return uses

    def remove_group(self, ref: Ref, *, force: bool = False) -> Group:
        """Remove a group and its memberships (the people stay).

        A group that numbers ring or fall back to is only removed with ``force``: otherwise a
        number could silently lose everyone it rings.
        """
        with self._changes.change("group.remove", details={"force": force}) as change:
            row = self.group(ref)
            change.target = row.name
            uses = self.group_dependents(row.id)
            if uses and not force:
                raise InUse("group", f"group: {row.name!r} is still " + "; ".join(uses)
                            + ". Change those numbers first, or force the removal")
            OnCallNumber.update(backup_group=None).where(
                OnCallNumber.backup_group == row).execute()
            NumberGroup.delete().where(NumberGroup.group == row).execute()
            Membership.delete().where(Membership.group == row).execute()
            row.delete_instance()
        return row

    # --- people ----------------------------------------------------------------------------

    def add_person(self, name: str, phone: str, *, on_duty: bool = True,
                   wants_sms: bool = True, public_phone: str = "") -> Person:
        values = check_person(name, phone, on_duty=on_duty, wants_sms=wants_sms,
                              public_phone=public_phone)
        with self._changes.change("person.add", str(values["name"]),
                                  {"name": name, "phone": phone, "on_duty": on_duty,
                                   "wants_sms": wants_sms, "public_phone": public_phone}):
            self._check_phone_free("phone", str(values["phone"]))
            row = _create_person(values)
        return row

    def change_person(self, ref: Ref, *, name: str | None = None, phone: str | None = None,
                      on_duty: bool | None = None, wants_sms: bool | None = None,
                      public_phone: str | None = None) -> Person:
        if (name is None and phone is None and on_duty is None and wants_sms is None
                and public_phone is None):
            raise Invalid("person", "person: nothing to change")
        changes: dict[str, object] = {}
        if name is not None:
            changes["name"] = _name("name", name)
        if phone is not None:
            changes["phone"] = e164(parse_person_phone(phone))
        if on_duty is not None:
            changes["on_duty"] = _bool("on_duty", on_duty)
        if wants_sms is not None:
            changes["wants_sms"] = _bool("wants_sms", wants_sms)
        if public_phone is not None:
            changes["public_phone"] = _public_phone(public_phone)
        given = {"name": name, "phone": phone, "on_duty": on_duty, "wants_sms": wants_sms,
                 "public_phone": public_phone}
        with self._changes.change("person.change", details={
                key: value for key, value in given.items() if value is not None}) as change:
            row = self.person(ref)
            if "phone" in changes:
                self._check_phone_free("phone", str(changes["phone"]), person_id=row.id)
            for key, value in changes.items():
                setattr(row, key, value)
            if "phone" in changes or "wants_sms" in changes:
                _check_sms(row.phone, row.wants_sms)
            row.save()
            change.target = row.name
        return row

    def set_duty(self, ref: Ref, on_duty: bool) -> Person:
        """A person goes on or off duty (their own choice, from the console or by SMS)."""
        clean = _bool("on_duty", on_duty)
        with self._changes.change("duty.on" if clean else "duty.off") as change:
            row = self.person(ref)
            row.on_duty = clean
            row.save()
            change.target = row.name
        return row

    def remove_person(self, ref: Ref) -> Person:
        """Remove a person and their memberships; the call log keeps their name."""
        with self._changes.change("person.remove") as change:
            row = self.person(ref)
            change.target = row.name
            Membership.delete().where(Membership.person == row).execute()
            row.delete_instance()
        return row

    # --- memberships -----------------------------------------------------------------------

    def add_member(self, person_ref: Ref, group_ref: Ref) -> Membership:
        with self._changes.change("member.add") as change:
            person = self.person(person_ref)
            group = self.group(group_ref)
            change.target = f"{person.name} -> {group.name}"
            if Membership.get_or_none(person=person, group=group) is not None:
                raise Conflict("group", f"group: {person.name} is already in {group.name!r}")
            row = Membership.create(person=person, group=group)
        return row

    def remove_member(self, person_ref: Ref, group_ref: Ref) -> Membership:
        with self._changes.change("member.remove") as change:
            person = self.person(person_ref)
            group = self.group(group_ref)
            change.target = f"{person.name} -> {group.name}"
            row = Membership.get_or_none(person=person, group=group)
            if row is None:
                raise NotFound("group", f"group: {person.name} is not in {group.name!r}")
            row.delete_instance()
        return row

    # --- settings --------------------------------------------------------------------------

    def settings(self) -> dict[str, str]:
        return db_settings.all_settings()

    def set_setting(self, key: str, value: str) -> str:
        if key not in db_settings.SPECS:
            raise NotFound("key", f"key: unknown setting {key!r}; known: "
                                  f"{', '.join(db_settings.SPECS)}")
        with self._changes.change("setting.set", key, {"value": value}):
            try:
                clean = db_settings.set_setting(key, value)
            except ValueError as exc:
                raise Invalid(key, str(exc)) from None
        return clean
