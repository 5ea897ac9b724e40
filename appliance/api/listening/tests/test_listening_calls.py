"""GET /api/listening-calls over the real server: an admin sees every listening call, an
on-call person only those the line identified them in, anyone else nothing; paging by
cursor; hostile parameters name themselves."""

from __future__ import annotations

import datetime as dt

import pytest

from paivystys.appliance.api.tests.conftest import OTHER_PASSWORD, RunningApi, Site
from paivystys.appliance.db.models import (
    Call,
    ListeningCall,
    ListeningEvent,
    ListeningNumber,
    Person,
    User,
)
from paivystys.appliance.users.service import ROLE_PERSON, create_user

T0 = dt.datetime(2026, 12, 3, 14, 5, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def listening_calls(api: RunningApi, site: Site) -> dict[str, int]:
    """maija: the line identified Maija, she heard her recording; pekka: Pekka's, refused;
    unknown: nobody's (an unknown personal number)."""
    line = ListeningNumber.create(number="+358205550199", name="Kuuntelu API")
    recorded = Call.create(call_id="api-recorded", number=site.number_id,
                           dialled="+358205550100", caller="+358401234567",
                           arrived_at=T0 - dt.timedelta(hours=1), outcome="answered",
                           answered_by=site.person_id, recording="api-recorded.wav")
    made = {}
    for index, (name, person, outcome) in enumerate((
            ("maija", site.person_id, "listened"), ("pekka", site.other_id, "refused"),
            ("unknown", None, "refused"))):
        call = ListeningCall.create(
            call_id=f"api-listening-{name}", number=line, dialled="+358205550199",
            caller="+358405550101", arrived_at=T0 + dt.timedelta(minutes=index),
            ended_at=T0 + dt.timedelta(minutes=index, seconds=40), person=person,
            person_name=name.capitalize() if person else None, outcome=outcome)
        made[name] = call.id
    ListeningEvent.create(listening_call=made["maija"], at=T0 + dt.timedelta(seconds=20),
                          action="played", call=recorded)
    return made


def ids(answer) -> list[int]:
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["items"]]


def test_an_admin_sees_every_listening_call_newest_first(
        api: RunningApi, site: Site, listening_calls: dict[str, int]) -> None:
    with api.client(site.admin_token) as admin:
        answer = admin.get("/api/listening-calls", params={"with_total": True})
    assert ids(answer) == [listening_calls["unknown"], listening_calls["pekka"],
                           listening_calls["maija"]]
    body = answer.json()
    assert body["total"] == 3 and body["next_cursor"] is None
    maijas = body["items"][2]
    assert maijas["number_name"] == "Kuuntelu API" and maijas["outcome"] == "listened"
    assert [(event["action"], event["call_caller"]) for event in maijas["events"]] == [
        ("played", "+358401234567")]


def test_a_person_sees_only_the_calls_the_line_identified_them_in(
        api: RunningApi, site: Site, listening_calls: dict[str, int]) -> None:
    with api.client(site.person_token) as maija:
        answer = maija.get("/api/listening-calls", params={"with_total": True})
        assert ids(answer) == [listening_calls["maija"]] and answer.json()["total"] == 1
    with api.client(site.other_token) as pekka:
        assert ids(pekka.get("/api/listening-calls")) == [listening_calls["pekka"]]


def test_those_who_may_not(api: RunningApi, site: Site,
                           listening_calls: dict[str, int]) -> None:
    with api.client() as anonymous:
        assert anonymous.get("/api/listening-calls").status_code == 401
    with api.client("not-a-token") as forged:
        assert forged.get("/api/listening-calls").status_code == 401
    # A person's account whose person link is gone (a damaged row: the link cascades) is
    # refused, not shown everyone's calls.
    stray = Person.create(name="Irrallinen", phone="+358405550109")
    account = create_user("irrallinen", OTHER_PASSWORD, ROLE_PERSON, stray.id)
    token = api.login("irrallinen", OTHER_PASSWORD)
    User.update(person=None).where(User.id == account.id).execute()
    with api.client(token) as unlinked:
        refused = unlinked.get("/api/listening-calls")
    assert refused.status_code == 403, refused.text


def test_pages_follow_the_cursor(api: RunningApi, site: Site,
                                 listening_calls: dict[str, int]) -> None:
    with api.client(site.admin_token) as admin:
        first = admin.get("/api/listening-calls", params={"limit": 2}).json()
        rest = admin.get("/api/listening-calls",
                         params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [item["id"] for item in first["items"] + rest["items"]] == [
        listening_calls["unknown"], listening_calls["pekka"], listening_calls["maija"]]
    assert rest["next_cursor"] is None
    # Maija following the admin's cursor still sees only her own.
    with api.client(site.person_token) as maija:
        assert ids(maija.get("/api/listening-calls",
                             params={"cursor": first["next_cursor"]})) == [
            listening_calls["maija"]]


@pytest.mark.parametrize(("params", "field"), [
    ({"cursor": "bm90IGEgY3Vyc29y"}, "cursor"),
    ({"cursor": "' OR 1=1 --"}, "cursor"),
    ({"cursor": "x" * 501}, "cursor"),
    ({"limit": 0}, "limit"),
    ({"limit": 501}, "limit"),
    ({"limit": "kaikki"}, "limit"),
    ({"with_total": "ehkä"}, "with_total"),
])
def test_hostile_parameters_name_themselves(api: RunningApi, site: Site, params: dict,
                                            field: str) -> None:
    with api.client(site.admin_token) as admin:
        answer = admin.get("/api/listening-calls", params=params)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"][-1] == field
