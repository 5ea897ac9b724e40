"""/api/numbers, /api/listening-numbers, /api/groups, /api/people (with their PINs),
/api/settings, /api/sms/templates (admin).

Every change goes through the directory (validated, written with its audit row saying which
admin made it, then Asterisk's configuration is regenerated and reloaded without dropping
calls)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from paivystys.appliance.api.context import Admin, AdminChanges, Id
from paivystys.appliance.api.management.schemas import (
    BackupGroup,
    GroupCreate,
    GroupOut,
    GroupRef,
    ListeningNumberChange,
    ListeningNumberCreate,
    ListeningNumberOut,
    NumberChange,
    NumberCreate,
    NumberGroups,
    NumberOut,
    PersonChange,
    PersonCreate,
    PersonOut,
    PinSet,
    SettingOut,
    SettingValue,
    TemplateOut,
    TemplateText,
)
from paivystys.appliance.db.models import Group, NumberGroup, OnCallNumber
from paivystys.appliance.directory import Directory
from paivystys.appliance.directory.views import (
    group_to_dict,
    listening_number_to_dict,
    person_to_dict,
    settings_to_dicts,
)
from paivystys.appliance.errors import NotFound
from paivystys.appliance.listening import pins
from paivystys.appliance.sms import kinds, templates

router = APIRouter(prefix="/api", tags=["management"],
                   responses={401: {}, 403: {}, 404: {}, 409: {}, 422: {},
                              503: {"description": "saved, but not applied to Asterisk"}})


def _number_out(number: OnCallNumber) -> NumberOut:
    links = (NumberGroup.select(NumberGroup, Group).join(Group)
             .where(NumberGroup.number == number).order_by(NumberGroup.position, NumberGroup.id))
    backup = (GroupRef(id=number.backup_group.id, name=number.backup_group.name)
              if number.backup_group_id else None)
    return NumberOut(id=number.id, number=number.number, name=number.name,
                     recording=number.recording, retention_days=number.retention_days,
                     sms_on_taken=number.sms_on_taken, sms_to_caller=number.sms_to_caller,
                     sms_on_missed=number.sms_on_missed,
                     groups=[GroupRef(id=link.group.id, name=link.group.name) for link in links],
                     backup_group=backup)


def _changes(body: NumberChange | PersonChange | ListeningNumberChange) -> dict[str, object]:
    return body.model_dump(exclude_none=True)


# --- numbers -----------------------------------------------------------------------------

@router.get("/numbers", response_model=list[NumberOut])
def list_numbers(user: Admin) -> list[NumberOut]:
    return [_number_out(row) for row in Directory().list_numbers()]


@router.post("/numbers", response_model=NumberOut, status_code=201)
def add_number(body: NumberCreate, changes: AdminChanges) -> NumberOut:
    row = Directory(changes).add_number(body.number, body.name, recording=body.recording,
                                        retention_days=body.retention_days)
    return _number_out(row)


@router.get("/numbers/{number_id}", response_model=NumberOut)
def get_number(number_id: Id, user: Admin) -> NumberOut:
    return _number_out(Directory().number(number_id))


@router.patch("/numbers/{number_id}", response_model=NumberOut)
def change_number(number_id: Id, body: NumberChange, changes: AdminChanges) -> NumberOut:
    row = Directory(changes).change_number(number_id, **_changes(body))
    return _number_out(row)


@router.delete("/numbers/{number_id}", status_code=204)
def remove_number(number_id: Id, changes: AdminChanges) -> Response:
    Directory(changes).remove_number(number_id)
    return Response(status_code=204)


@router.put("/numbers/{number_id}/groups", response_model=NumberOut)
def set_number_groups(number_id: Id, body: NumberGroups, changes: AdminChanges) -> NumberOut:
    directory = Directory(changes)
    directory.set_number_groups(number_id, body.groups)
    return _number_out(directory.number(number_id))


@router.put("/numbers/{number_id}/backup", response_model=NumberOut)
def set_backup_group(number_id: Id, body: BackupGroup, changes: AdminChanges) -> NumberOut:
    row = Directory(changes).set_backup_group(number_id, body.backup_group)
    return _number_out(row)


# --- listening numbers -------------------------------------------------------------------

@router.get("/listening-numbers", response_model=list[ListeningNumberOut])
def list_listening_numbers(user: Admin) -> list[dict]:
    return [listening_number_to_dict(row) for row in Directory().list_listening_numbers()]


@router.post("/listening-numbers", response_model=ListeningNumberOut, status_code=201)
def add_listening_number(body: ListeningNumberCreate, changes: AdminChanges) -> dict:
    return listening_number_to_dict(Directory(changes).add_listening_number(body.number,
                                                                            body.name))


@router.get("/listening-numbers/{listening_number_id}", response_model=ListeningNumberOut)
def get_listening_number(listening_number_id: Id, user: Admin) -> dict:
    return listening_number_to_dict(Directory().listening_number(listening_number_id))


@router.patch("/listening-numbers/{listening_number_id}", response_model=ListeningNumberOut)
def change_listening_number(listening_number_id: Id, body: ListeningNumberChange,
                            changes: AdminChanges) -> dict:
    row = Directory(changes).change_listening_number(listening_number_id, **_changes(body))
    return listening_number_to_dict(row)


@router.delete("/listening-numbers/{listening_number_id}", status_code=204)
def remove_listening_number(listening_number_id: Id, changes: AdminChanges) -> Response:
    Directory(changes).remove_listening_number(listening_number_id)
    return Response(status_code=204)


# --- groups ------------------------------------------------------------------------------

@router.get("/groups", response_model=list[GroupOut])
def list_groups(user: Admin) -> list[dict]:
    return [group_to_dict(row) for row in Directory().list_groups()]


@router.post("/groups", response_model=GroupOut, status_code=201)
def add_group(body: GroupCreate, changes: AdminChanges) -> dict:
    row = Directory(changes).add_group(body.name)
    return group_to_dict(row)


@router.get("/groups/{group_id}", response_model=GroupOut)
def get_group(group_id: Id, user: Admin) -> dict:
    return group_to_dict(Directory().group(group_id))


@router.patch("/groups/{group_id}", response_model=GroupOut)
def rename_group(group_id: Id, body: GroupCreate, changes: AdminChanges) -> dict:
    row = Directory(changes).rename_group(group_id, body.name)
    return group_to_dict(row)


@router.get("/groups/{group_id}/dependents", response_model=list[str])
def group_dependents(group_id: Id, user: Admin) -> list[str]:
    """What removing the group would change (numbers that ring it or fall back to it)."""
    return Directory().group_dependents(group_id)


@router.delete("/groups/{group_id}", status_code=204)
def remove_group(group_id: Id, changes: AdminChanges, force: bool = Query(False)) -> Response:
    Directory(changes).remove_group(group_id, force=force)
    return Response(status_code=204)


@router.put("/groups/{group_id}/members/{person_id}", status_code=204)
def add_member(group_id: Id, person_id: Id, changes: AdminChanges) -> Response:
    Directory(changes).add_member(person_id, group_id)
    return Response(status_code=204)


@router.delete("/groups/{group_id}/members/{person_id}", status_code=204)
def remove_member(group_id: Id, person_id: Id, changes: AdminChanges) -> Response:
    Directory(changes).remove_member(person_id, group_id)
    return Response(status_code=204)


# --- people ------------------------------------------------------------------------------

@router.get("/people", response_model=list[PersonOut])
def list_people(user: Admin) -> list[dict]:
    return [person_to_dict(row) for row in Directory().list_people()]


@router.post("/people", response_model=PersonOut, status_code=201)
def add_person(body: PersonCreate, changes: AdminChanges) -> dict:
    row = Directory(changes).add_person(body.name, body.phone, on_duty=body.on_duty,
                                        wants_sms=body.wants_sms, public_phone=body.public_phone)
    return person_to_dict(row)


@router.get("/people/{person_id}", response_model=PersonOut)
def get_person(person_id: Id, user: Admin) -> dict:
    return person_to_dict(Directory().person(person_id))


@router.patch("/people/{person_id}", response_model=PersonOut)
def change_person(person_id: Id, body: PersonChange, changes: AdminChanges) -> dict:
    row = Directory(changes).change_person(person_id, **_changes(body))
    return person_to_dict(row)


@router.delete("/people/{person_id}", status_code=204)
def remove_person(person_id: Id, changes: AdminChanges) -> Response:
    Directory(changes).remove_person(person_id)
    return Response(status_code=204)


@router.put("/people/{person_id}/pin", response_model=PersonOut)
def set_person_pin(person_id: Id, body: PinSet, changes: AdminChanges) -> dict:
    """Give the person a PIN for the listening line (told to them, never shown again); their
    wrong PINs and any phone lock end."""
    person = Directory().person(person_id)
    pins.set_pin(person, body.pin, changes.actor)
    return person_to_dict(person)


@router.delete("/people/{person_id}/pin-lock", response_model=PersonOut)
def lift_person_pin_lock(person_id: Id, changes: AdminChanges) -> dict:
    """End the person's phone lock after wrong PINs, at once."""
    person = Directory().person(person_id)
    pins.lift_pin_lock(person, changes.actor)
    return person_to_dict(person)


# --- settings and SMS texts ---------------------------------------------------------------

@router.get("/settings", response_model=list[SettingOut])
def list_settings(user: Admin) -> list[dict]:
    return settings_to_dicts()


@router.put("/settings/{key}", response_model=SettingOut)
def set_setting(key: str, body: SettingValue, changes: AdminChanges) -> dict:
    Directory(changes).set_setting(key, body.value)
    return next(row for row in settings_to_dicts() if row["key"] == key)


def _template_out(kind: str, language: str) -> TemplateOut:
    text = templates.template(kind, language)
    return TemplateOut(kind=kind, language=language, text=text,
                       custom=text != templates.DEFAULTS[kind][language],
                       placeholders=list(templates.PLACEHOLDERS[kind]))


def _check_template_ref(kind: str, language: str) -> None:
    if kind not in kinds.KINDS:
        raise NotFound("kind", f"kind: one of {', '.join(kinds.KINDS)}, got {kind!r}")
    if language not in templates.LANGUAGES:
        raise NotFound("language", f"language: one of {', '.join(templates.LANGUAGES)}, "
                                   f"got {language!r}")


@router.get("/sms/templates", response_model=list[TemplateOut])
def list_templates(user: Admin) -> list[TemplateOut]:
    return [_template_out(kind, language)
            for kind in kinds.KINDS for language in templates.LANGUAGES]


@router.put("/sms/templates/{kind}/{language}", response_model=TemplateOut)
def set_template(kind: str, language: str, body: TemplateText,
                 changes: AdminChanges) -> TemplateOut:
    _check_template_ref(kind, language)
    # Asterisk reads no SMS text: nothing to apply.
    with changes.change("sms_template.set", f"{kind}.{language}", {"text": body.text},
                        reaches_asterisk=False):
        templates.set_template(kind, language, body.text)
    return _template_out(kind, language)


@router.delete("/sms/templates/{kind}/{language}", response_model=TemplateOut)
def reset_template(kind: str, language: str, changes: AdminChanges) -> TemplateOut:
    _check_template_ref(kind, language)
    with changes.change("sms_template.reset", f"{kind}.{language}", reaches_asterisk=False):
        templates.reset_template(kind, language)
    return _template_out(kind, language)
