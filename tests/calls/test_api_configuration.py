"""A change made through the LAN API (over TLS, as the console makes it) is what the next real
call does."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx
import pytest

from paivystys.appliance.api.auth.service import ROLE_ADMIN, create_user
from paivystys.appliance.db.models import Group, User

from conftest import new_mobile

PASSWORD = "konsoli-salasana-1"


@pytest.fixture
def api(lab) -> Iterator[httpx.Client]:
    """An admin's client of the lab's API, trusting exactly the appliance's certificate."""
    if not User.select().where(User.username == "konsoli").exists():
        create_user("konsoli", PASSWORD, ROLE_ADMIN)
    trust = ssl.create_default_context(cafile=str(lab.state_dir / "tls" / "api.crt"))
    with httpx.Client(base_url=lab.api_url, verify=trust, timeout=30) as client:
        answer = client.post("/api/login", json={"username": "konsoli", "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        client.headers["Authorization"] = f"Bearer {answer.json()['token']}"
        yield client


def test_a_person_added_through_the_api_answers_the_next_call(api, scenario, handsets, call):
    scenario.group("Rajapinta", "Vanha Ville")
    handsets.set(scenario.people["Vanha Ville"], "no-answer")
    group_id = Group.get(Group.name == "Rajapinta").id
    phone = new_mobile()
    handsets.set(phone, "human", answer_after=1, confirm_after=1, talk=3, identity="5151")

    person = api.post("/api/people", json={"name": "Uusi Unto", "phone": phone})
    assert person.status_code == 201, person.text
    added = api.put(f"/api/groups/{group_id}/members/{person.json()['id']}")
    assert added.status_code == 204, added.text

    row = call(scenario.number)

    assert sorted(leg["person"] for leg in row["legs"]) == ["Uusi Unto", "Vanha Ville"]
    assert row["answered_by"] == "Uusi Unto"
    assert "5151" in row["caller_heard"]


def test_the_api_reports_the_lab_healthy(api):
    health = api.get("/api/health").json()
    assert health["asterisk"]["ok"] is True, health
    assert health["modem"]["ok"] is True, health
