"""Who gets which message, from the call log's rows.

Each function is one query (or none): they run on the call monitor's thread.
"""

from __future__ import annotations

import functools

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from paivystys.appliance.db.models import Call, Leg, Membership, OnCallNumber, Person
from paivystys.appliance.phones import DEFAULT_REGION, e164


def taken_recipients(call: Call, winner_id: int | None) -> list[Person]:
    """The others who should know the call is taken: members of the groups rung for it who
    were on duty or were rung, and want texts; the winner knows already.

    "Or were rung": a person who went off duty after their phone started ringing was still
    part of this call.  Each person once, however many of the groups they are in.  An on-call
    person who made the call themselves (from their own phone) is not told of it.
    """
    rung_groups = Leg.select(Leg.group).where((Leg.call == call) & Leg.group.is_null(False))
    rung_people = Leg.select(Leg.person).where((Leg.call == call) & Leg.person.is_null(False))
    query = (Person.select()
             .join(Membership)
             .where(Membership.group.in_(rung_groups), Person.wants_sms,
                    Person.on_duty | Person.id.in_(rung_people))
             .distinct()
             .order_by(Person.id))
    if winner_id is not None:
        query = query.where(Person.id != winner_id)
    if call.caller:
        query = query.where(Person.phone != call.caller)
    return [person for person in query if can_receive_sms(person.phone)]


def rung_recipients(call: Call) -> list[Person]:
    """Everyone whose phone rang for the call (the backup group's people too, when the backup
    stage rang) and who wants texts, each once."""
    query = (Person.select()
             .join(Leg, on=(Leg.person == Person.id))
             .where(Leg.call == call, Person.wants_sms)
             .distinct()
             .order_by(Person.id))
    return [person for person in query if can_receive_sms(person.phone)]


@functools.lru_cache(maxsize=4096)
def can_receive_sms(phone: str) -> bool:
    """False only for a number certainly unable to take a text (a landline): a message to it
    would just fail its retries in the outbox.  Cached: parsing costs about 60 µs a number,
    which a 50-person group would pay on the monitor's thread at every call."""
    try:
        parsed = phonenumbers.parse(phone, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(parsed) != PhoneNumberType.FIXED_LINE


def caller_sms_number(caller: str) -> str | None:
    """The caller's number in E.164 when it is certainly a mobile one, else None.

    Strictly MOBILE: FIXED_LINE_OR_MOBILE is what phonenumbers says where landline and mobile
    ranges overlap (North America, for one); Finnish mobile ranges are distinct, and a text to
    a caller's landline would fail or, worse, be read out to whoever picks up there.  Withheld
    ("anonymous", empty) and short numbers are not valid numbers, so they fall out here too.
    """
    if not any(char.isdigit() for char in caller):
        return None
    try:
        parsed = phonenumbers.parse(caller, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    if phonenumbers.number_type(parsed) != PhoneNumberType.MOBILE:
        return None
    return e164(parsed)


def contact_number(answerer: Person | None, number: OnCallNumber, caller: str) -> str:
    """The number the caller is given for follow-up, written for a human: the answerer's
    published number, else the on-call number (the person publishes none, or was deleted).
    In national form when the caller (E.164) is in the same country, else international."""
    contact = (answerer.public_phone if answerer is not None else None) or number.number
    try:
        parsed = phonenumbers.parse(contact, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return contact
    same_country = parsed.country_code == phonenumbers.parse(caller).country_code
    style = PhoneNumberFormat.NATIONAL if same_country else PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(parsed, style)
