"""Listening numbers and people's PINs over the API: any form of number stored E.164, never
an on-call number too; PINs set by an admin for anyone and by a person for themselves only,
never shown; the phone lock shown and lifted; hostile input a 4xx naming its field."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import httpx
import pytest

from paivystys.appliance.api.app import create_app
from paivystys.appliance.api.context import ApiConfig
from paivystys.appliance.api.tests.conftest import RunningApi, Site
from paivystys.appliance.db.models import AuditEntry, ListeningNumber, Person, utcnow


@pytest.fixture
def admin(api: RunningApi, site: Site) -> Iterator[httpx.Client]:
    with api.client(site.admin_token) as client:
        yield client


@pytest.fixture
def maija(api: RunningApi, site: Site) -> Iterator[httpx.Client]:
    with api.client(site.person_token) as client:
        yield client


def field_of(answer: httpx.Response) -> str:
    assert 400 <= answer.status_code < 500, answer.text
    return answer.json()["detail"][0]["loc"][-1]


def audited(action: str) -> list[AuditEntry]:
    return list(AuditEntry.select().where(AuditEntry.action == action).order_by(AuditEntry.id))


# --- listening numbers -------------------------------------------------------------------

def test_a_listening_number_is_added_changed_and_removed(admin: httpx.Client) -> None:
    added = admin.post("/api/listening-numbers",
                       json={"number": "020 555 0190", "name": "Kuuntelu"})
    assert added.status_code == 201, added.text
    row = added.json()
    assert row == {"id": row["id"], "number": "+358205550190", "name": "Kuuntelu"}
    assert row in admin.get("/api/listening-numbers").json()
    path = f"/api/listening-numbers/{row['id']}"
    assert admin.get(path).json() == row
    changed = admin.patch(path, json={"number": "+358 20 555 0191"}).json()
    assert (changed["number"], changed["name"]) == ("+358205550191", "Kuuntelu")
    assert admin.patch(path, json={"name": "Kuuntelu 2"}).json()["name"] == "Kuuntelu 2"
    assert field_of(admin.patch(path, json={})) == "number"  # nothing to change
    assert admin.delete(path).status_code == 204
    assert admin.get(path).status_code == 404
    assert admin.delete(path).status_code == 404
    assert [(entry.actor, entry.target) for entry in audited("listening_number.add")
            if entry.target == "+358205550190"] == [("admin", "+358205550190")]
    assert audited("listening_number.remove")[-1].target == "+358205550191"


def test_an_on_call_number_is_never_a_listening_number_and_back(admin: httpx.Client) -> None:
    taken = admin.post("/api/listening-numbers", json={"number": "020 555 0100",
                                                       "name": "Kuuntelu"})
    assert taken.status_code == 409
    assert field_of(taken) == "number"
    assert "is already the on-call number" in taken.json()["detail"][0]["msg"]
    row = admin.post("/api/listening-numbers",
                     json={"number": "020 555 0192", "name": "Kuuntelu"}).json()
    refused = admin.post("/api/numbers", json={"number": "0205550192", "name": "Päivystys"})
    assert refused.status_code == 409
    assert field_of(refused) == "number"
    assert "is already the listening number +358205550192" in refused.json()["detail"][0]["msg"]
    admin.delete(f"/api/listening-numbers/{row['id']}")


@pytest.mark.parametrize(("body", "field"), [
    ({"number": "", "name": "Kuuntelu"}, "number"),
    ({"number": "x" * 41, "name": "Kuuntelu"}, "number"),
    ({"number": "112", "name": "Kuuntelu"}, "number"),
    ({"number": "${EXTEN}", "name": "Kuuntelu"}, "number"),
    ({"number": "0205550193,1,Hangup()", "name": "Kuuntelu"}, "number"),
    ({"number": 205550193, "name": "Kuuntelu"}, "number"),
    ({"number": None, "name": "Kuuntelu"}, "number"),
    ({"name": "Kuuntelu"}, "number"),
    ({"number": "0205550193", "name": ""}, "name"),
    ({"number": "0205550193", "name": "Kuun\ntelu"}, "name"),
    ({"number": "0205550193", "name": "1234"}, "name"),
    ({"number": "0205550193", "name": "x" * 101}, "name"),
    ({"number": "0205550193", "name": ["Kuuntelu"]}, "name"),
    ({"number": "0205550193", "name": "Kuuntelu", "context": "from-internal"}, "context"),
])
def test_hostile_listening_numbers_name_their_field(admin: httpx.Client, body: dict,
                                                    field: str) -> None:
    answer = admin.post("/api/listening-numbers", json=body)
    assert field_of(answer) == field
    assert not ListeningNumber.select().where(ListeningNumber.number == "+358205550193").exists()


def test_a_hostile_change_of_a_listening_number_names_its_field(admin: httpx.Client) -> None:
    row = admin.post("/api/listening-numbers",
                     json={"number": "020 555 0194", "name": "Kuuntelu"}).json()
    path = f"/api/listening-numbers/{row['id']}"
    assert field_of(admin.patch(path, json={"number": "020"})) == "number"
    assert field_of(admin.patch(path, json={"name": "a\x00b"})) == "name"
    assert admin.patch("/api/listening-numbers/999999", json={"name": "X"}).status_code == 404
    assert admin.get("/api/listening-numbers/0").status_code == 422
    assert admin.get(f"/api/listening-numbers/{2**63}").status_code == 422
    assert admin.get(path).json() == row
    admin.delete(path)


def test_people_and_strangers_may_not_touch_listening_numbers(api: RunningApi,
                                                              maija: httpx.Client) -> None:
    body = {"number": "020 555 0195", "name": "Kuuntelu"}
    with api.client() as anonymous:
        assert anonymous.post("/api/listening-numbers", json=body).status_code == 401
        assert anonymous.get("/api/listening-numbers").status_code == 401
    assert maija.get("/api/listening-numbers").status_code == 403
    assert maija.post("/api/listening-numbers", json=body).status_code == 403
    assert maija.patch("/api/listening-numbers/1", json={"name": "X"}).status_code == 403
    assert maija.delete("/api/listening-numbers/1").status_code == 403
    assert not ListeningNumber.select().where(ListeningNumber.number == "+358205550195").exists()


# --- PINs ----------------------------------------------------------------------------------

def test_an_admin_sets_a_persons_pin_which_is_never_shown(admin: httpx.Client,
                                                          site: Site) -> None:
    answer = admin.put(f"/api/people/{site.other_id}/pin", json={"pin": "4711"})
    assert answer.status_code == 200, answer.text
    view = answer.json()
    assert (view["id"], view["has_pin"], view["pin_locked_until"]) == (site.other_id, True, None)
    assert view["personal_number"] == Person.get_by_id(site.other_id).personal_number
    assert "pin_hash" not in view and "argon2" not in answer.text
    listed = {row["id"]: row for row in admin.get("/api/people").json()}
    assert listed[site.other_id]["has_pin"] is True
    assert "argon2" not in json.dumps(listed)
    entry = audited("person.pin.set")[-1]
    assert (entry.actor, entry.target) == ("admin", "Pekka API")
    assert "4711" not in (entry.details or "")


@pytest.mark.parametrize("pin", [
    "", "12", "123456789", "abcd", "47 11", "4711\n", "٤٧١١", "0000", "1234", "x" * 101,
    4711, None, ["4711"], {"pin": "4711"},
])
def test_hostile_pins_name_their_field_and_change_nothing(admin: httpx.Client, site: Site,
                                                          pin: object) -> None:
    before = Person.get_by_id(site.other_id).pin_hash
    answer = admin.put(f"/api/people/{site.other_id}/pin", json={"pin": pin})
    assert answer.status_code == 422
    assert field_of(answer) == "pin"
    assert Person.get_by_id(site.other_id).pin_hash == before


def test_a_pin_body_with_more_than_the_pin_is_refused(admin: httpx.Client, site: Site) -> None:
    answer = admin.put(f"/api/people/{site.other_id}/pin",
                       json={"pin": "4711", "person_id": site.person_id})
    assert field_of(answer) == "person_id"
    assert admin.put("/api/people/999999/pin", json={"pin": "4711"}).status_code == 404


def test_a_person_sets_their_own_pin_and_only_their_own(api: RunningApi, maija: httpx.Client,
                                                        site: Site) -> None:
    other_before = Person.get_by_id(site.other_id).pin_hash
    answer = maija.put("/api/me/pin", json={"pin": "2580"})
    assert answer.status_code == 200, answer.text
    me = answer.json()
    assert (me["username"], me["has_pin"], me["pin_locked_until"]) == ("maija", True, None)
    assert me["personal_number"] == Person.get_by_id(site.person_id).personal_number
    assert Person.get_by_id(site.other_id).pin_hash == other_before
    assert (audited("person.pin.set")[-1].actor, audited("person.pin.set")[-1].target) == (
        "maija", "Maija API")
    # Nobody else's: not through the admin's endpoint, nor by naming someone in the body.
    assert maija.put(f"/api/people/{site.other_id}/pin", json={"pin": "2580"}).status_code == 403
    assert maija.put(f"/api/people/{site.person_id}/pin", json={"pin": "2580"}).status_code == 403
    assert field_of(maija.put("/api/me/pin", json={"pin": "2580",
                                                    "person_id": site.other_id})) == "person_id"
    assert maija.delete(f"/api/people/{site.person_id}/pin-lock").status_code == 403
    assert Person.get_by_id(site.other_id).pin_hash == other_before
    assert field_of(maija.put("/api/me/pin", json={"pin": "99"})) == "pin"
    with api.client() as anonymous:
        assert anonymous.put("/api/me/pin", json={"pin": "2580"}).status_code == 401


def test_an_admin_without_a_person_has_no_pin_of_their_own(admin: httpx.Client) -> None:
    answer = admin.put("/api/me/pin", json={"pin": "2580"})
    assert answer.status_code == 409
    assert field_of(answer) == "person"
    me = admin.get("/api/me").json()
    assert (me["personal_number"], me["has_pin"], me["pin_locked_until"]) == (None, None, None)


def test_the_phone_lock_shows_and_an_admin_lifts_it(admin: httpx.Client, maija: httpx.Client,
                                                    site: Site) -> None:
    until = (utcnow() + dt.timedelta(minutes=10)).replace(microsecond=0)
    Person.update(pin_failures=0, pin_locked_until=until).where(
        Person.id == site.person_id).execute()
    shown = until.isoformat(timespec="seconds")
    assert admin.get(f"/api/people/{site.person_id}").json()["pin_locked_until"] == shown
    assert maija.get("/api/me").json()["pin_locked_until"] == shown
    answer = admin.delete(f"/api/people/{site.person_id}/pin-lock")
    assert answer.status_code == 200, answer.text
    assert answer.json()["pin_locked_until"] is None
    assert Person.get_by_id(site.person_id).pin_locked_until is None
    assert (audited("person.pin.unlock")[-1].actor,
            audited("person.pin.unlock")[-1].target) == ("admin", "Maija API")
    assert admin.delete("/api/people/999999/pin-lock").status_code == 404


def test_the_openapi_document_has_the_shapes_the_console_reads() -> None:
    schemas = create_app(ApiConfig(db_path=None)).openapi()["components"]["schemas"]
    assert set(schemas["ListeningNumberOut"]["properties"]) == {"id", "number", "name"}
    assert {"personal_number", "has_pin", "pin_locked_until"} <= set(
        schemas["PersonOut"]["properties"])
    assert {"personal_number", "has_pin", "pin_locked_until"} <= set(
        schemas["MeOut"]["properties"])
    assert "pin_hash" not in json.dumps(schemas)


@pytest.mark.parametrize("value", ["maybe", "YES please", "", "yes\nno", "1"])
def test_whether_people_may_delete_their_own_recordings_is_a_setting(admin: httpx.Client,
                                                                     maija: httpx.Client,
                                                                     value: str) -> None:
    shown = {row["key"]: row for row in admin.get("/api/settings").json()}
    assert shown["own_recordings_deletable"]["default"] == "no"
    assert field_of(admin.put("/api/settings/own_recordings_deletable",
                              json={"value": value})) == "own_recordings_deletable"
    assert maija.put("/api/settings/own_recordings_deletable",
                     json={"value": "yes"}).status_code == 403
    answer = admin.put("/api/settings/own_recordings_deletable", json={"value": "yes"})
    assert answer.json() == {"key": "own_recordings_deletable", "value": "yes", "default": "no",
                             "choices": ["no", "yes"]}
    admin.put("/api/settings/own_recordings_deletable", json={"value": "no"})
