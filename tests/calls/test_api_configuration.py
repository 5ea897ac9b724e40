"""A change made through the LAN API (over TLS, as the console makes it) is what the next real
call does."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx
import pytest

from paivystys.appliance.api.events.http import SUBPROTOCOL
from paivystys.appliance.db.models import Group, User
from paivystys.appliance.users.service import ROLE_ADMIN, create_user

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


def test_the_live_view_follows_a_real_call_from_ringing_to_bridged(lab, api, scenario,
                                                                   handsets, call):
    """The chain the console's live view relies on: Asterisk -> the monitor -> its event
    socket -> the API -> the WebSocket."""
    import asyncio
    import json
    import threading

    import websockets

    scenario.group("Livenäkymä", "Katsottu Kaisa")
    handsets.set(scenario.people["Katsottu Kaisa"], "human", answer_after=1, confirm_after=1,
                 talk=2)
    token = api.headers["Authorization"].partition(" ")[2]
    trust = ssl.create_default_context(cafile=str(lab.state_dir / "tls" / "api.crt"))
    seen: list[dict] = []
    connected = threading.Event()

    async def watch() -> None:
        url = lab.api_url.replace("https://", "wss://") + "/api/events"
        async with websockets.connect(url, ssl=trust, open_timeout=10,
                                      subprotocols=[SUBPROTOCOL],
                                      additional_headers={"Authorization": f"Bearer {token}"}
                                      ) as socket:
            connected.set()
            while True:
                message = json.loads(await asyncio.wait_for(socket.recv(), 60))
                if message["kind"] != "call":
                    continue
                seen.append(message["event"])
                if message["event"]["type"] == "call.ended":
                    return

    watcher = threading.Thread(target=lambda: asyncio.run(watch()), daemon=True)
    watcher.start()
    assert connected.wait(15)
    row = call(scenario.number)
    watcher.join(timeout=30)

    mine = [event for event in seen if event["call_id"] == row["call_id"]]
    kinds = [event["type"] for event in mine]
    for expected in ("call.started", "leg.ringing", "leg.answered", "call.confirmed",
                     "call.bridged", "call.ended"):
        assert expected in kinds, kinds
    assert (kinds.index("leg.ringing") < kinds.index("call.confirmed")
            < kinds.index("call.bridged"))
    ringing = next(event for event in mine if event["type"] == "leg.ringing")
    assert ringing["person_name"] == "Katsottu Kaisa"
