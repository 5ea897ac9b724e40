"""Everything the appliance's Asterisk instance reads, generated from the database."""

from __future__ import annotations

from paivystys.appliance.asterisk.base import base_configs
from paivystys.appliance.asterisk.dialplan import (
    PROMPT_NAMES,
    DialplanInput,
    ListeningPlan,
    NumberPlan,
    render_extensions,
)
from paivystys.appliance.asterisk.pjsip import render_pjsip
from paivystys.appliance.asterisk.site import AsteriskSite
from paivystys.appliance.asterisk.stored_trunk import trunk_spec
from paivystys.appliance.db import settings
from paivystys.appliance.db.models import ListeningNumber, OnCallNumber, Person
from paivystys.appliance.prompts import prompt_path
from paivystys.appliance.ringing.lookup import NumberRow, on_duty_people
from paivystys.appliance.ringing.rule import assemble_legs
from paivystys.appliance.runtime.instance import InstanceSpec

APPLIANCE_SPEC = InstanceSpec(name="appliance", sip_port=5060, ami_port=5038,
                              rtp_start=10000, rtp_end=10999)
FASTAGI_LISTEN = ("127.0.0.1", 4573)
AGI_URL = f"agi://{FASTAGI_LISTEN[0]}:{FASTAGI_LISTEN[1]}"


def failsafe_plans() -> list[NumberPlan]:
    """Who each number rings when the FastAGI server cannot be asked: the same rule as the
    AGI's decision, evaluated now (configuration changes regenerate it)."""
    plans = []
    for number in OnCallNumber.select().order_by(OnCallNumber.id):
        row = NumberRow(number.id, number.backup_group_id, number.recording)
        main, backup = assemble_legs("failsafe", on_duty_people(row), number.backup_group_id)
        plans.append(NumberPlan(number.id, number.number, main, backup, number.recording))
    return plans


def listening_plans() -> list[ListeningPlan]:
    return [ListeningPlan(number.id, number.number)
            for number in ListeningNumber.select().order_by(ListeningNumber.id)]


def person_phones() -> dict[int, str]:
    return {person.id: person.phone for person in Person.select(Person.id, Person.phone)}


def dialplan_input(site: AsteriskSite) -> DialplanInput:
    instance_dir = site.instance.instance_dir
    prompts = {
        language: {name: prompt_path(instance_dir, language, name, site.seen_as)
                   for name in PROMPT_NAMES.values()}
        for language in settings.LANGUAGES
    }
    return DialplanInput(
        agi_url=AGI_URL,
        recordings_dir=site.recordings_seen_as,
        prompts=prompts,
        default_language=settings.get_setting("prompt_language"),
        ring_time=settings.get_int("ring_time"),
        confirm_timeout=settings.get_int("confirm_timeout"),
        phones=person_phones(),
        numbers=failsafe_plans(),
        listening_numbers=listening_plans(),
    )


def appliance_configs(site: AsteriskSite) -> dict[str, str]:
    configs = base_configs(APPLIANCE_SPEC, directories=site.directories)
    # The stored trunk, or the lab's carrier while none is configured.
    configs["pjsip.conf"] = render_pjsip(trunk_spec(), bind_host=site.sip_bind_host)
    configs["extensions.conf"] = render_extensions(dialplan_input(site))
    return configs
