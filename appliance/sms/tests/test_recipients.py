from __future__ import annotations

import pytest

from paivystys.appliance.sms.recipients import (
    caller_sms_number,
    can_receive_sms,
    contact_number,
    rung_recipients,
    taken_recipients,
)
from paivystys.appliance.sms.tests.conftest import Site


def names(people: list) -> list[str]:
    return [person.name.split()[0] for person in people]


def test_taken_goes_to_the_others_of_the_rung_groups(site: Site) -> None:
    call = site.call()
    # Pekka is in both rung groups: once.  Sanna went off duty while her phone rang: she was
    # part of the call.  Not: Maija (took it), Liisa (no texts), Olli (off duty, not rung),
    # Tuula (landline), Ville (backup group, not rung), Kalle (another group).
    assert names(taken_recipients(call, site.people["Maija"].id)) == ["Pekka", "Sanna", "Risto"]


def test_taken_reaches_on_duty_members_whose_leg_is_missing(site: Site) -> None:
    # A journal-replayed call has only the winner's leg; the winner's group was still rung.
    call = site.call(main=("Maija",))
    assert names(taken_recipients(call, site.people["Maija"].id)) == ["Pekka"]


def test_taken_includes_the_backup_group_when_it_rang(site: Site) -> None:
    call = site.call(main=("Pekka", "Risto"), backup=("Ville", "Maija"))
    assert names(taken_recipients(call, site.people["Maija"].id)) == ["Pekka", "Risto", "Ville"]


def test_unanswered_goes_to_everyone_rung_once(site: Site) -> None:
    call = site.call(main=("Maija", "Pekka", "Liisa", "Tuula"), backup=("Ville", "Pekka"))
    assert names(rung_recipients(call)) == ["Maija", "Pekka", "Ville"]


@pytest.mark.parametrize(("caller", "texted"), [
    ("+358401234567", "+358401234567"),  # Finnish mobile
    ("0401234567", "+358401234567"),  # national form, as a trunk may send it
    ("+46701234567", "+46701234567"),  # Swedish mobile
    ("+35891234567", None),  # Helsinki landline
    ("+12015550123", None),  # fixed line or mobile: cannot tell, so no
    ("anonymous", None),
    ("", None),
    ("16400", None),  # short number
    ("+358100100", None),  # service number
    ("+3584012", None),  # too short to be valid
])
def test_caller_is_texted_only_on_a_mobile_number(caller: str, texted: str | None) -> None:
    assert caller_sms_number(caller) == texted


def test_contact_is_the_published_number_else_the_on_call_number(site: Site) -> None:
    maija = site.people["Maija"]
    assert contact_number(maija, site.number, "+358401234567") == "020 1234567"
    maija.public_phone = "+358501112233"
    assert contact_number(maija, site.number, "+358401234567") == "050 1112233"
    assert contact_number(maija, site.number, "+46701234567") == "+358 50 1112233"
    assert contact_number(None, site.number, "+46701234567") == "+358 20 1234567"


def test_a_landline_cannot_receive_sms() -> None:
    assert not can_receive_sms("+35891234567")
    assert not can_receive_sms("not a number")
    assert can_receive_sms("+358401234567")
    assert can_receive_sms("+12015550123")  # may be a mobile: let the network decide
