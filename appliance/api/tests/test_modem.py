"""/api/modem: an admin stores the SIM's PIN, which is never shown back nor audited; on-call
people and strangers may not; anything but 4 to 8 digits is refused at the field ``pin``; the
modem's health says what the SIM waits for."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Any

import pytest

from paivystys.appliance.api.health.schemas import ModemHealth as ModemHealthSchema
from paivystys.appliance.api.tests.conftest import RunningApi, Site
from paivystys.appliance.changes import Changes
from paivystys.appliance.db.models import HealthReport, ModemHealth, Setting, utcnow
from paivystys.appliance.sms import sim_pin
from paivystys.appliance.sms.sim_pin import SimReport

PIN = "2468"


@pytest.fixture(autouse=True)
def no_pin(api: RunningApi) -> Iterator[None]:
    """Every test starts on a box with no PIN stored and no report from the modem."""
    yield
    Setting.delete().where(Setting.key.in_(sim_pin.KEYS)).execute()
    HealthReport.delete().where(HealthReport.key == sim_pin.SIM_REPORT_KEY).execute()
    ModemHealth.delete().execute()


def audit(api: RunningApi, site: Site) -> list[dict[str, Any]]:
    with api.client(site.admin_token) as client:
        return client.get("/api/audit").json()


def test_an_admin_stores_the_pin_and_gets_told_only_that_one_is_stored(
        api: RunningApi, site: Site) -> None:
    with api.client(site.admin_token) as client:
        assert client.get("/api/modem").json()["sim_pin"] == {"has_pin": False,
                                                              "refused": False}
        answer = client.put("/api/modem/pin", json={"pin": PIN})
        assert answer.status_code == 200, answer.text
        assert answer.json()["sim_pin"] == {"has_pin": True, "refused": False}
        shown = client.get("/api/modem")
        assert shown.json()["sim_pin"] == {"has_pin": True, "refused": False}
        assert PIN not in answer.text and PIN not in shown.text
    assert sim_pin.pin_to_enter(None).pin == PIN
    newest = audit(api, site)[0]
    assert (newest["actor"], newest["action"], newest["target"], newest["details"]) == (
        "admin", "sim_pin.set", None, None)
    with api.client(site.admin_token) as client:
        assert PIN not in client.get("/api/backup").text
    with api.client(site.admin_token) as client:
        cleared = client.delete("/api/modem/pin")
    assert cleared.status_code == 200
    assert cleared.json()["sim_pin"] == {"has_pin": False, "refused": False}
    assert sim_pin.pin_to_enter(None).pin is None
    newest = audit(api, site)[0]
    assert (newest["action"], newest["details"]) == ("sim_pin.clear", {"was_stored": True})
    assert PIN not in str(audit(api, site))


@pytest.mark.parametrize(("who", "status"), [("person", 403), ("anonymous", 401)])
def test_nobody_but_an_admin_stores_or_clears_a_pin(api: RunningApi, site: Site, who: str,
                                                     status: int) -> None:
    sim_pin.set_pin(PIN, Changes("toimisto", apply=lambda: None))
    before = len(audit(api, site))
    token = site.person_token if who == "person" else None
    with api.client(token) as client:
        assert client.get("/api/modem").status_code == status
        assert client.put("/api/modem/pin", json={"pin": "1357"}).status_code == status
        assert client.delete("/api/modem/pin").status_code == status
    assert sim_pin.pin_to_enter(None).pin == PIN
    assert len(audit(api, site)) == before


@pytest.mark.parametrize("body", [
    {"pin": "12a4"}, {"pin": "abcd"}, {"pin": "12 34"}, {"pin": " 1234"}, {"pin": "1234\n"},
    {"pin": "123"}, {"pin": "123456789"}, {"pin": "١٢٣٤"}, {"pin": "１２３４"}, {"pin": "12³4"},
    {"pin": "12\u00004"}, {"pin": "\u001b[2J1234"}, {"pin": "12\u202e34"}, {"pin": "12\"4"},
    {"pin": "1" * 65}, {"pin": "1" * 10_000}, {"pin": 1234}, {"pin": 12.34}, {"pin": True},
    {"pin": None}, {"pin": ["1234"]}, {"pin": {"pin": "1234"}}, {"pin": ""}, {},
])
def test_anything_but_four_to_eight_digits_is_refused_at_the_pin(
        api: RunningApi, site: Site, body: dict[str, Any]) -> None:
    before = len(audit(api, site))
    with api.client(site.admin_token) as client:
        answer = client.put("/api/modem/pin", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"][-1] == "pin"
    assert sim_pin.pin_status().has_pin is False
    assert len(audit(api, site)) == before


@pytest.mark.parametrize("body", [{"pin": "1234", "puk": "12345678"}, ["1234"], "1234"])
def test_a_body_of_another_shape_is_refused(api: RunningApi, site: Site, body: object) -> None:
    with api.client(site.admin_token) as client:
        answer = client.put("/api/modem/pin", json=body)
    assert answer.status_code == 422
    assert sim_pin.pin_status().has_pin is False


def test_the_pin_the_sim_refused_is_refused_until_cleared(api: RunningApi, site: Site) -> None:
    with api.client(site.admin_token) as client:
        client.put("/api/modem/pin", json={"pin": "0000"})
        sim_pin.record_refused("0000")  # as the modem service does
        assert client.get("/api/modem").json()["sim_pin"] == {"has_pin": True, "refused": True}
        again = client.put("/api/modem/pin", json={"pin": "0000"})
        assert again.status_code == 422
        assert again.json()["detail"][0]["loc"][-1] == "pin"
        assert "use up another of its three tries" in again.json()["detail"][0]["msg"]
        other = client.put("/api/modem/pin", json={"pin": "1234"})
        assert other.json()["sim_pin"] == {"has_pin": True, "refused": False}


def test_the_modems_health_says_what_the_sim_waits_for(api: RunningApi, site: Site) -> None:
    with api.client(site.admin_token) as client:
        assert client.get("/api/modem").json()["health"]["state"] == (
            "no report yet from the modem service")
        ModemHealth.create(id=1, device="/dev/paivystys-modem", connected=True,
                           registered=False, updated_at=utcnow())
        sim_pin.report_sim(SimReport(sim_pin.SIM_PIN_NEEDED, 3))
        health = client.get("/api/modem").json()["health"]
        assert health == client.get("/api/health").json()["modem"] | {
            "updated_at": health["updated_at"]}
        sim_pin.report_sim(SimReport(sim_pin.SIM_PUK_NEEDED, 10))
        health = client.get("/api/modem").json()["health"]
    assert (health["ok"], health["sim"], health["pin_attempts_left"]) == (
        False, "puk_needed", 10)
    assert health["state"].startswith("the SIM is locked after three wrong PINs and needs its "
                                      "PUK (10 tries left)")


def test_the_api_names_every_sim_state_the_modem_service_reports() -> None:
    annotation = ModemHealthSchema.model_fields["sim"].annotation
    literal = next(arg for arg in typing.get_args(annotation) if arg is not type(None))
    assert typing.get_args(literal) == sim_pin.SIM_STATES
