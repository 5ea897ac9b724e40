"""Bodies of the management endpoints.  Types and lengths are checked here; what a value
means (a valid phone number, a free name) is the directory's to check, and its errors name the
same fields as these bodies."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


RowId = Annotated[int, Field(ge=1, le=2**53)]


Name = Field(min_length=1, max_length=100)
Phone = Field(min_length=1, max_length=40)


class NumberCreate(Strict):
    number: str = Phone
    name: str = Name
    recording: bool = False
    retention_days: int = Field(default=90, ge=1, le=3650)


class NumberChange(Strict):
    number: str | None = Field(default=None, min_length=1, max_length=40)
    name: str | None = Field(default=None, min_length=1, max_length=100)
    recording: bool | None = None
    retention_days: int | None = Field(default=None, ge=1, le=3650)
    sms_on_taken: bool | None = None
    sms_to_caller: bool | None = None
    sms_on_missed: bool | None = None


class NumberGroups(Strict):
    groups: list[RowId] = Field(max_length=100, description="group ids, all rung at once")


class BackupGroup(Strict):
    backup_group: RowId | None = Field(description="a group id, or null for none")


class GroupRef(BaseModel):
    id: int
    name: str


class NumberOut(BaseModel):
    id: int
    number: str
    name: str
    recording: bool
    retention_days: int
    sms_on_taken: bool
    sms_to_caller: bool
    sms_on_missed: bool
    groups: list[GroupRef]
    backup_group: GroupRef | None


class GroupCreate(Strict):
    name: str = Name


class MemberOut(BaseModel):
    id: int
    name: str
    phone: str
    on_duty: bool


class GroupOut(BaseModel):
    id: int
    name: str
    members: list[MemberOut]
    rings_for: list[str]
    backup_for: list[str]


class PersonCreate(Strict):
    name: str = Name
    phone: str = Phone
    on_duty: bool = True
    wants_sms: bool = True
    public_phone: str = Field(default="", max_length=40)


class PersonChange(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    phone: str | None = Field(default=None, min_length=1, max_length=40)
    on_duty: bool | None = None
    wants_sms: bool | None = None
    public_phone: str | None = Field(default=None, max_length=40)


class PersonOut(BaseModel):
    id: int
    name: str
    phone: str
    on_duty: bool
    wants_sms: bool
    public_phone: str | None
    groups: list[str]
    personal_number: str | None = Field(description="keyed on the listening line by a person "
                                                    "calling from another phone")
    has_pin: bool = Field(description="whether a PIN for the listening line is set (the PIN "
                                      "is never shown)")
    pin_locked_until: str | None = Field(description="until when phone access is locked after "
                                                     "wrong PINs; null: not locked")


class PinSet(Strict):
    pin: str = Field(max_length=100, description="4-8 digits, for the listening line")


class ListeningNumberCreate(Strict):
    number: str = Phone
    name: str = Name


class ListeningNumberChange(Strict):
    number: str | None = Field(default=None, min_length=1, max_length=40)
    name: str | None = Field(default=None, min_length=1, max_length=100)


class ListeningNumberOut(BaseModel):
    id: int
    number: str
    name: str


class SettingValue(Strict):
    value: str = Field(max_length=100)


class SettingOut(BaseModel):
    key: str
    value: str
    default: str
    # The values a setting takes, when it is one of a few (the languages); None for numbers
    # and the time zone.
    choices: list[str] | None = None


class TemplateText(Strict):
    text: str = Field(min_length=1, max_length=1000)


class TemplateOut(BaseModel):
    kind: str
    language: str
    text: str
    custom: bool
    placeholders: list[str]
