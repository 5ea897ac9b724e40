"""The appliance's one source of truth: configuration and the call log, in SQLite (WAL).

Asterisk's configuration is generated from these tables; nobody edits Asterisk files by hand.
"""

from __future__ import annotations

import datetime as dt

import peewee

database_proxy = peewee.DatabaseProxy()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class BaseModel(peewee.Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False


class Group(BaseModel):
    name = peewee.CharField(unique=True)
    created_at = peewee.DateTimeField(default=utcnow)


class OnCallNumber(BaseModel):
    """A number callers dial; rings the on-duty people of its groups."""

    number = peewee.CharField(unique=True)  # E.164
    name = peewee.CharField()
    backup_group = peewee.ForeignKeyField(Group, null=True, backref="backup_for",
                                          on_delete="SET NULL")
    recording = peewee.BooleanField(default=False)
    retention_days = peewee.IntegerField(default=90)
    created_at = peewee.DateTimeField(default=utcnow)


class Person(BaseModel):
    name = peewee.CharField()
    phone = peewee.CharField(unique=True)  # E.164
    on_duty = peewee.BooleanField(default=True)
    wants_sms = peewee.BooleanField(default=True)
    created_at = peewee.DateTimeField(default=utcnow)


class Membership(BaseModel):
    person = peewee.ForeignKeyField(Person, backref="memberships", on_delete="CASCADE")
    group = peewee.ForeignKeyField(Group, backref="memberships", on_delete="CASCADE")

    class Meta:
        indexes = ((("person", "group"), True),)


class NumberGroup(BaseModel):
    """An on-call number rings these groups (all at once); position orders them for display."""

    number = peewee.ForeignKeyField(OnCallNumber, backref="number_groups", on_delete="CASCADE")
    group = peewee.ForeignKeyField(Group, backref="number_groups", on_delete="CASCADE")
    position = peewee.IntegerField(default=0)

    class Meta:
        indexes = ((("number", "group"), True),)


class Setting(BaseModel):
    key = peewee.CharField(primary_key=True)
    value = peewee.TextField()


class Call(BaseModel):
    """One caller's call to an on-call number, built from Asterisk's events by the monitor."""

    call_id = peewee.CharField(unique=True)  # the caller channel's Asterisk UNIQUEID
    number = peewee.ForeignKeyField(OnCallNumber, null=True, on_delete="SET NULL")
    dialled = peewee.CharField()
    caller = peewee.CharField()
    arrived_at = peewee.DateTimeField(index=True)
    answered_at = peewee.DateTimeField(null=True)
    ended_at = peewee.DateTimeField(null=True)
    wait_s = peewee.FloatField(null=True)
    talk_s = peewee.FloatField(null=True)
    outcome = peewee.CharField(null=True, index=True)  # see appliance.monitor.outcomes
    answered_by = peewee.ForeignKeyField(Person, null=True, on_delete="SET NULL")
    answered_by_name = peewee.CharField(null=True)
    answered_stage = peewee.CharField(null=True)  # "main" | "backup"
    recording = peewee.CharField(null=True)  # path relative to the recordings directory
    routing = peewee.CharField(default="agi")  # "agi" | "failsafe"


class Leg(BaseModel):
    """One person rung for one call."""

    call = peewee.ForeignKeyField(Call, backref="legs", on_delete="CASCADE")
    person = peewee.ForeignKeyField(Person, null=True, on_delete="SET NULL")
    person_name = peewee.CharField()
    phone = peewee.CharField()
    group = peewee.ForeignKeyField(Group, null=True, on_delete="SET NULL")
    group_name = peewee.CharField(null=True)
    stage = peewee.CharField()  # "main" | "backup"
    rung_at = peewee.DateTimeField()
    answered_at = peewee.DateTimeField(null=True)
    ended_at = peewee.DateTimeField(null=True)
    result = peewee.CharField(null=True)  # see appliance.monitor.outcomes

    class Meta:
        indexes = ((("call", "person", "stage"), True),)


ALL_MODELS: list[type[BaseModel]] = [
    Group, OnCallNumber, Person, Membership, NumberGroup, Setting, Call, Leg,
]
