"""Managing the configuration over the API: changes land in the directory, bad input gets a
4xx naming the field (never a 500), and every change is in the audit log."""

from __future__ import annotations

import pytest

from paivystys.appliance.api.tests.conftest import RunningApi, Site
from paivystys.appliance.db.models import AuditEntry


@pytest.fixture
def admin(api: RunningApi, site: Site):
    with api.client(site.admin_token) as client:
        yield client


def field_of(answer) -> str:
    assert 400 <= answer.status_code < 500, answer.text
    return answer.json()["detail"][0]["loc"][-1]


def test_a_group_with_two_people_on_a_number(admin, site: Site) -> None:
    group = admin.post("/api/groups", json={"name": "Sähkö API"}).json()
    people = [admin.post("/api/people", json={"name": name, "phone": phone}).json()
              for name, phone in (("Aino API", "040 555 0201"), ("Eino API", "+358405550202"))]
    assert [person["phone"] for person in people] == ["+358405550201", "+358405550202"]
    for person in people:
        assert admin.put(f"/api/groups/{group['id']}/members/{person['id']}").status_code == 204
    number = admin.put(f"/api/numbers/{site.number_id}/groups",
                       json={"groups": [site.group_id, group["id"]]}).json()
    assert [g["name"] for g in number["groups"]] == ["Huolto API", "Sähkö API"]
    shown = admin.get(f"/api/groups/{group['id']}").json()
    assert sorted(member["name"] for member in shown["members"]) == ["Aino API", "Eino API"]
    assert shown["rings_for"] == ["+358205550100"]
    assert AuditEntry.select().where(AuditEntry.actor == "admin",
                                     AuditEntry.action == "member.add").count() >= 2


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/people", {"name": "X", "phone": "12"}, "phone"),
    ("/api/people", {"name": "", "phone": "040 555 0299"}, "name"),
    ("/api/people", {"name": "X", "phone": "040 555 0298", "public_phone": "abc"},
     "public_phone"),
    ("/api/people", {"name": "X", "phone": "040 555 0297", "bogus": 1}, "bogus"),
    ("/api/people", {"name": "X", "phone": "040 555 0296", "on_duty": "kyllä"}, "on_duty"),
    ("/api/numbers", {"number": "not a number", "name": "X"}, "number"),
    ("/api/numbers", {"number": "020 555 0999", "name": "X", "retention_days": 0},
     "retention_days"),
    ("/api/groups", {"name": "Huolto API"}, "name"),
    ("/api/users", {"username": "x y", "password": "salasana-123", "role": "admin"},
     "username"),
    ("/api/users", {"username": "uusi", "password": "lyhyt", "role": "admin"}, "password"),
    ("/api/users", {"username": "uusi", "password": "salasana-123", "role": "boss"}, "role"),
    ("/api/users", {"username": "uusi", "password": "salasana-123", "role": "person"},
     "person_id"),
])
def test_bad_input_names_its_field(admin, path: str, body: dict, field: str) -> None:
    assert field_of(admin.post(path, json=body)) == field


def test_bad_changes_name_their_field(admin, site: Site) -> None:
    assert field_of(admin.patch(f"/api/people/{site.person_id}",
                                json={"phone": "+358 9"})) == "phone"
    assert field_of(admin.put(f"/api/numbers/{site.number_id}/groups",
                              json={"groups": [999999]})) == "groups"
    assert field_of(admin.put(f"/api/numbers/{site.number_id}/backup",
                              json={"backup_group": site.group_id})) == "backup_group"
    assert field_of(admin.put("/api/settings/ring_time", json={"value": "2"})) == "ring_time"
    assert field_of(admin.put("/api/settings/nope", json={"value": "2"})) == "key"
    assert field_of(admin.put("/api/sms/templates/taken/fi",
                              json={"text": "{nimi} otti"})) == "sms_template.taken.fi"
    assert field_of(admin.get("/api/people/999999")) == "person"


def test_settings_and_templates(admin) -> None:
    assert admin.put("/api/settings/ring_time", json={"value": "25"}).json()["value"] == "25"
    changed = admin.put("/api/sms/templates/taken/en", json={"text": "{name} has it"}).json()
    assert changed["custom"] is True
    assert admin.delete("/api/sms/templates/taken/en").json()["custom"] is False


def test_removing_a_group_in_use_says_what_uses_it(admin, site: Site) -> None:
    answer = admin.delete(f"/api/groups/{site.group_id}")
    assert answer.status_code == 409
    assert "+358205550100" in answer.json()["detail"][0]["msg"]
    assert admin.get(f"/api/groups/{site.group_id}/dependents").json()


def test_the_trunk_password_is_write_only_and_errors_name_fields(admin) -> None:
    body = {"mode": "registration", "host": "sip.operaattori.fi", "username": "+358201234567",
            "password": "Sal#a-sana"}
    shown = admin.put("/api/trunk", json=body).json()
    assert shown["has_password"] is True and "password" not in shown
    assert "Sal#a" not in admin.get("/api/trunk").text
    assert field_of(admin.put("/api/trunk", json={**body, "host": "sip:x"})) == "host"
    assert field_of(admin.put("/api/trunk", json={**body, "port": 70000})) == "port"
    assert field_of(admin.put("/api/trunk", json={**body, "mode": "magic"})) == "mode"
    assert admin.delete("/api/trunk").json()["configured"] is False
    assert "Sal#a" not in str(AuditEntry.select().where(
        AuditEntry.action == "trunk.set").get().details)


def test_trunk_operator_addresses_and_inbound_password_over_the_api(admin) -> None:
    body = {"mode": "ip", "host": "192.0.2.10", "operator_addresses": ["198.51.100.0/24"],
            "inbound_username": "vaihde", "inbound_password": "Sis#aan-sana"}
    shown = admin.put("/api/trunk", json=body).json()
    assert shown["operator_addresses"] == ["198.51.100.0/24"]
    assert (shown["inbound_username"], shown["has_inbound_password"]) == ("vaihde", True)
    assert "inbound_password" not in shown
    # a client that knows nothing of them (an older console) keeps them
    kept = admin.put("/api/trunk", json={"mode": "ip", "host": "192.0.2.10"}).json()
    assert kept["operator_addresses"] == ["198.51.100.0/24"]
    assert kept["has_inbound_password"] is True
    assert field_of(admin.put("/api/trunk", json={**body, "operator_addresses": [
        "0.0.0.0/0"]})) == "operator_addresses"
    assert field_of(admin.put("/api/trunk", json={**body, "inbound_username": "a;b"})) == (
        "inbound_username")
    assert field_of(admin.put("/api/trunk", json={**body, "operator_addresses": [
        "192.0.2.1"] * 17})) == "operator_addresses"
    assert "Sis#aan" not in admin.get("/api/trunk").text
    assert "Sis#aan" not in str([entry.details for entry in AuditEntry.select().where(
        AuditEntry.action == "trunk.set")])
    admin.delete("/api/trunk")


def test_the_audit_log_says_who_changed_what(admin) -> None:
    admin.post("/api/groups", json={"name": "Auditoitava"})
    latest = admin.get("/api/audit", params={"limit": 5}).json()
    assert any(entry["action"] == "group.add" and entry["target"] == "Auditoitava"
               and entry["actor"] == "admin" for entry in latest)


def test_trunk_modes_keys_and_nat_over_the_api(admin, site: Site) -> None:
    body = {"mode": "gateway", "host": "192.168.1.20", "default_number": "020 555 0100",
            "dtmf_mode": "inband", "external_address": "203.0.113.5",
            "local_networks": ["192.168.1.0/24"]}
    shown = admin.put("/api/trunk", json=body).json()
    assert {key: shown[key] for key in body} == {
        **body, "default_number": "+358205550100"}
    # a client that knows nothing of them (an older console) keeps them
    kept = admin.put("/api/trunk", json={"mode": "gateway", "host": "192.168.1.20"}).json()
    assert (kept["dtmf_mode"], kept["default_number"], kept["local_networks"]) == (
        "inband", "+358205550100", ["192.168.1.0/24"])
    for bad, field in (({"host": "gsm.example.fi"}, "host"),
                       ({"default_number": "+358209999999"}, "default_number"),
                       ({"default_number": "+358205550100;type=aor"}, "default_number"),
                       ({"dtmf_mode": "rfc2833"}, "dtmf_mode"),
                       ({"external_address": "sip:203.0.113.5"}, "external_address"),
                       ({"local_networks": ["0.0.0.0/0;x"]}, "local_networks"),
                       ({"local_networks": []}, "local_networks")):
        assert field_of(admin.put("/api/trunk", json={**body, **bad})) == field, bad
    admin.delete("/api/trunk")
