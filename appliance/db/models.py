"""The appliance's one source of truth: configuration and the call log, in SQLite (WAL).

Asterisk's configuration is generated from these tables; nobody edits Asterisk files by hand.
"""

from __future__ import annotations

import datetime as dt
import secrets

import peewee

database_proxy = peewee.DatabaseProxy()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# A person's personal number for the listening line: short enough to key in a car, random so
# that one person's does not tell another's.
PERSONAL_NUMBER_DIGITS = 6


def new_personal_number(taken: set[str]) -> str:
    """A personal number that is not in ``taken`` (and never starts with 0: read aloud or
    written down, a leading zero gets lost)."""
    while True:
        number = str(secrets.randbelow(9 * 10 ** (PERSONAL_NUMBER_DIGITS - 1))
                     + 10 ** (PERSONAL_NUMBER_DIGITS - 1))
        if number not in taken:
            return number


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
    # Which SMS messages this number's calls send (see appliance.sms.kinds).
    sms_on_taken = peewee.BooleanField(default=True)
    sms_to_caller = peewee.BooleanField(default=True)
    sms_on_missed = peewee.BooleanField(default=True)
    created_at = peewee.DateTimeField(default=utcnow)


class Person(BaseModel):
    name = peewee.CharField()
    phone = peewee.CharField(unique=True)  # E.164
    on_duty = peewee.BooleanField(default=True)
    wants_sms = peewee.BooleanField(default=True)
    # The contact number callers get by SMS after talking to this person; None = the person
    # publishes none, and callers get the on-call number instead.
    public_phone = peewee.CharField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    # The listening line: who calls from another phone than ``phone`` keys this personal
    # number (digits, shown to the person in the console) and then the PIN.
    personal_number = peewee.CharField(
        unique=True, null=True, default=lambda: new_personal_number(set()))
    pin_hash = peewee.CharField(null=True)  # argon2id; None = no PIN yet, no phone access
    pin_failures = peewee.IntegerField(default=0)  # wrong PINs in a row
    pin_locked_until = peewee.DateTimeField(null=True)


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


class ListeningNumber(BaseModel):
    """A number set aside for people to hear their own recordings by phone (the listening
    line).  A number is an on-call number or a listening number, never both."""

    number = peewee.CharField(unique=True)  # E.164
    name = peewee.CharField()
    created_at = peewee.DateTimeField(default=utcnow)


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
    outcome = peewee.CharField(null=True, index=True)  # see appliance.ringing.results
    answered_by = peewee.ForeignKeyField(Person, null=True, on_delete="SET NULL")
    answered_by_name = peewee.CharField(null=True)
    answered_stage = peewee.CharField(null=True)  # "main" | "backup"
    recording = peewee.CharField(null=True)  # path relative to the recordings directory
    routing = peewee.CharField(default="agi")  # "agi" | "failsafe"

    class Meta:
        # The call log's filters: by number or by who answered, newest first.
        indexes = ((("number", "arrived_at"), False), (("answered_by", "arrived_at"), False))


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
    result = peewee.CharField(null=True)  # see appliance.ringing.results

    class Meta:
        indexes = ((("call", "person", "stage"), True), (("person", "call"), False))


class ListeningCall(BaseModel):
    """One call to the listening line: who called, who it turned out to be, how it ended.
    Kept apart from the on-call calls (``Call``): nobody was rung, nothing was missed."""

    call_id = peewee.CharField(unique=True)  # the caller channel's Asterisk UNIQUEID
    number = peewee.ForeignKeyField(ListeningNumber, null=True, on_delete="SET NULL")
    dialled = peewee.CharField()
    caller = peewee.CharField()
    arrived_at = peewee.DateTimeField(index=True)
    ended_at = peewee.DateTimeField(null=True)
    person = peewee.ForeignKeyField(Person, null=True, on_delete="SET NULL")
    person_name = peewee.CharField(null=True)
    outcome = peewee.CharField(null=True)  # see appliance.listening.outcomes


class ListeningEvent(BaseModel):
    """What happened on a listening call, in order: a recording played or deleted."""

    listening_call = peewee.ForeignKeyField(ListeningCall, backref="events",
                                            on_delete="CASCADE")
    at = peewee.DateTimeField()
    action = peewee.CharField()  # see appliance.listening.outcomes
    # The call whose recording it was (its row stays when the recording is deleted).
    call = peewee.ForeignKeyField(Call, null=True, on_delete="SET NULL")


class OutboxMessage(BaseModel):
    """One SMS to send, written before anything is sent (see appliance.sms.outbox)."""

    # Idempotency key: the same event queued twice (a replayed journal, a restarted monitor)
    # finds its row already there.
    key = peewee.CharField(unique=True)
    recipient = peewee.CharField()  # E.164
    text = peewee.TextField()
    reason = peewee.CharField()  # see appliance.sms.kinds
    call = peewee.ForeignKeyField(Call, null=True, backref="messages", on_delete="SET NULL")
    person = peewee.ForeignKeyField(Person, null=True, on_delete="SET NULL")
    state = peewee.CharField(default="queued", index=True)  # see appliance.sms.outbox.states
    encoding = peewee.CharField(null=True)  # "gsm7" | "ucs2", once encoded
    parts = peewee.IntegerField(null=True)
    attempts = peewee.IntegerField(default=0)
    last_error = peewee.TextField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    next_attempt_at = peewee.DateTimeField(default=utcnow, index=True)
    sent_at = peewee.DateTimeField(null=True)
    delivered_at = peewee.DateTimeField(null=True)
    failed_at = peewee.DateTimeField(null=True)


class OutboxPart(BaseModel):
    """One SMS-SUBMIT PDU of a message, tracked on its own: each part has its own place in the
    modem's storage, its own message reference and its own delivery report."""

    message = peewee.ForeignKeyField(OutboxMessage, backref="part_rows", on_delete="CASCADE")
    seq = peewee.IntegerField()  # 1-based
    pdu = peewee.TextField()  # hex, encoded once so every retry sends the very same bytes
    tpdu_length = peewee.IntegerField()
    state = peewee.CharField(default="pending")  # see appliance.sms.outbox.states
    storage_index = peewee.IntegerField(null=True)
    reference = peewee.IntegerField(null=True, index=True)  # TP-MR the modem gave it
    sent_at = peewee.DateTimeField(null=True)
    delivered_at = peewee.DateTimeField(null=True)
    report_status = peewee.IntegerField(null=True)  # TP-ST of its status report

    class Meta:
        indexes = ((("message", "seq"), True),)


class IncomingSms(BaseModel):
    """A message the box received, kept whatever it said and whoever sent it."""

    key = peewee.CharField(unique=True)  # sender + modem timestamp + text: a re-read is no new one
    sender = peewee.CharField()
    text = peewee.TextField()
    sent_at = peewee.DateTimeField(null=True)  # the network's timestamp
    received_at = peewee.DateTimeField(default=utcnow)
    person = peewee.ForeignKeyField(Person, null=True, on_delete="SET NULL")
    action = peewee.CharField(null=True)  # see appliance.sms.duty


class ModemHealth(BaseModel):
    """The modem's latest health, one row, written by the modem service for the console."""

    id = peewee.IntegerField(primary_key=True, default=1)
    device = peewee.CharField(null=True)
    connected = peewee.BooleanField(default=False)
    registered = peewee.BooleanField(default=False)
    operator = peewee.CharField(null=True)
    signal = peewee.IntegerField(null=True)  # CSQ rssi 0..31, None = unknown
    last_error = peewee.TextField(null=True)
    updated_at = peewee.DateTimeField(default=utcnow)


class HealthReport(BaseModel):
    """What a service last found about a part it watches ("asterisk", "trunk"), for /api/health.
    ``ok`` None: not known.  A report older than a minute means its writer is not running."""

    key = peewee.CharField(primary_key=True)
    ok = peewee.BooleanField(null=True)
    state = peewee.CharField()
    detail = peewee.TextField(null=True)
    updated_at = peewee.DateTimeField(default=utcnow)


class Trunk(BaseModel):
    """The SIP trunk to the phone network, one row (none: the lab's carrier on loopback).

    ``mode`` "ip": the operator knows the box by its address (IP-authenticated);
    "registration": the box registers with ``username``/``password`` at ``host``;
    "gateway": a GSM-to-SIP gateway on the LAN at ``host``, IP-authenticated."""

    id = peewee.IntegerField(primary_key=True, default=1)
    mode = peewee.CharField()  # "ip" | "registration"
    host = peewee.CharField()
    port = peewee.IntegerField(default=5060)
    transport = peewee.CharField(default="udp")  # "udp" | "tcp"
    username = peewee.CharField(null=True)
    password = peewee.CharField(null=True)  # the operator's secret: never in logs or backups' views
    from_domain = peewee.CharField(null=True)
    # Further addresses, CIDR networks or host names the operator sends calls from (comma
    # separated); with ``host`` they are the only sources whose calls are taken.
    operator_addresses = peewee.TextField(null=True)
    # What the operator answers our digest challenge with, when it authenticates its calls.
    inbound_username = peewee.CharField(null=True)
    inbound_password = peewee.CharField(null=True)  # a secret, as ``password``
    dtmf_mode = peewee.CharField(default="rfc4733")  # "rfc4733" | "info" | "inband" | "auto"
    # The on-call number (E.164) for calls that name no number the box knows.
    default_number = peewee.CharField(null=True)
    # Behind the office router: its public address or host name, and the networks (CIDR,
    # comma separated) the box reaches directly.
    external_address = peewee.CharField(null=True)
    local_networks = peewee.TextField(null=True)
    updated_at = peewee.DateTimeField(default=utcnow)


class User(BaseModel):
    """Someone who may use the LAN API: an admin, or an on-call person (``person`` set)."""

    username = peewee.CharField(unique=True)
    password_hash = peewee.CharField()  # argon2id
    role = peewee.CharField()  # "admin" | "person"
    person = peewee.ForeignKeyField(Person, null=True, unique=True, on_delete="CASCADE")
    failed_logins = peewee.IntegerField(default=0)  # in a row, from any address
    locked_until = peewee.DateTimeField(null=True)  # the latest lock-out from some address
    created_at = peewee.DateTimeField(default=utcnow)
    last_login_at = peewee.DateTimeField(null=True)


class LoginFailure(BaseModel):
    """Failed logins (and wrong old passwords) for one username from one client address.
    A lock-out holds that address out of that username only, so nobody elsewhere on the LAN
    can lock the admin out; an unknown username is counted like a known one."""

    username = peewee.CharField()  # as typed, lower-cased
    client = peewee.CharField()  # the peer's address
    failures = peewee.IntegerField(default=0)  # in a row
    last_failed_at = peewee.DateTimeField()
    locked_until = peewee.DateTimeField(null=True)

    class Meta:
        indexes = ((("username", "client"), True),)


class ApiToken(BaseModel):
    """A login's bearer token; only its SHA-256 is stored."""

    token_hash = peewee.CharField(unique=True)
    user = peewee.ForeignKeyField(User, backref="tokens", on_delete="CASCADE")
    created_at = peewee.DateTimeField(default=utcnow)
    expires_at = peewee.DateTimeField(index=True)
    revoked = peewee.BooleanField(default=False)


class AuditEntry(BaseModel):
    """Who changed what, when: every configuration change, whichever way it came."""

    at = peewee.DateTimeField(default=utcnow, index=True)
    actor = peewee.CharField()  # a username, "cli:<unix user>", "sms:<phone>" or "system"
    action = peewee.CharField()  # e.g. "group.add", "login.locked"
    target = peewee.CharField(null=True)
    details = peewee.TextField(null=True)  # JSON


ALL_MODELS: list[type[BaseModel]] = [
    Group, OnCallNumber, Person, Membership, NumberGroup, Setting, Call, Leg,
    OutboxMessage, OutboxPart, IncomingSms, ModemHealth, HealthReport, Trunk, User, ApiToken,
    AuditEntry, LoginFailure, ListeningNumber, ListeningCall, ListeningEvent,
]
