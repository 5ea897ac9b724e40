"""/api/network: an admin sets the box's network, which the root applier (here the real one on
a temporary root, with stand-ins for ip and networkctl) tries; it is kept only when confirmed
through the new address.  On-call people and strangers may not; hostile values are refused at
their field; where no applier runs (lab mode) the answer says the setting is not applied."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.requests import Request

from paivystys.appliance.api.network import http as network_http
from paivystys.appliance.api.tests.conftest import RunningApi, Site
from paivystys.appliance.box.network_apply import NetworkApplier
from paivystys.appliance.box.tests.network_machine import FakeMachine
from paivystys.appliance.db.models import Setting
from paivystys.appliance.network import exchange, stored_setting
from paivystys.appliance.network.setting import DHCP

STATIC = {"mode": "static", "address": "192.168.1.50/24", "gateway": "192.168.1.1",
          "dns": ["192.168.1.1", "9.9.9.9"]}
ROUTES = (("GET", "/api/network", None), ("PUT", "/api/network", STATIC),
          ("POST", "/api/network/confirm", {"request_id": "0123456789abcdef"}),
          ("POST", "/api/network/revert", {"request_id": "0123456789abcdef"}))


@pytest.fixture(autouse=True)
def no_network(api: RunningApi) -> Iterator[None]:
    """Every test starts with nothing stored and no applier (lab mode)."""
    yield
    Setting.delete().where(Setting.key == "network").execute()
    shutil.rmtree(api.state_dir / exchange.EXCHANGE_DIR, ignore_errors=True)


@pytest.fixture
def machine(api: RunningApi, tmp_path: Path) -> FakeMachine:
    """A box around the API: its root applier's status says it keeps DHCP."""
    machine = FakeMachine(tmp_path / "root", state_dir=api.state_dir)
    machine.applier().start()
    return machine


def audit(api: RunningApi, site: Site) -> list[dict[str, Any]]:
    with api.client(site.admin_token) as client:
        return client.get("/api/audit").json()


def put(api: RunningApi, site: Site, body: dict[str, Any]) -> Any:
    with api.client(site.admin_token) as client:
        return client.put("/api/network", json=body)


def on_trial(api: RunningApi, site: Site, machine: FakeMachine) -> tuple[NetworkApplier,
                                                                         exchange.Status,
                                                                         dict[str, Any]]:
    """STATIC set through the API, taken by the applier, and up on the link."""
    answer = put(api, site, STATIC)
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "applying"
    applier = machine.applier()
    status = applier.step(applier.start())
    machine.set_addresses(("10.0.2.15/24", True), ("192.168.1.50/24", False))
    status = applier.step(status)
    with api.client(site.admin_token) as client:
        shown = client.get("/api/network").json()
    assert shown["state"] == "pending", shown
    return applier, status, shown


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_only_an_admin_may_see_or_change_the_network(api: RunningApi, site: Site, method: str,
                                                      path: str, body: Any) -> None:
    with api.client() as anonymous:
        assert anonymous.request(method, path, json=body).status_code == 401
    for token in (site.person_token, site.other_token):
        with api.client(token) as person:
            assert person.request(method, path, json=body).status_code == 403
    assert stored_setting() == DHCP
    assert not (api.state_dir / exchange.EXCHANGE_DIR / exchange.REQUEST_FILE).exists()


def test_in_lab_mode_the_setting_is_stored_and_said_not_applied(api: RunningApi,
                                                                 site: Site) -> None:
    answer = put(api, site, STATIC)
    assert answer.status_code == 200, answer.text
    shown = answer.json()
    assert shown["state"] == "not_applied"
    assert "lab mode" in shown["reason"]
    assert shown["setting"] == STATIC and shown["in_use"] is None
    assert shown["probation_s"] == 180
    newest = audit(api, site)[0]
    assert (newest["actor"], newest["action"], newest["target"]) == ("admin", "network.set",
                                                                      "static")
    with api.client(site.admin_token) as client:
        assert client.get("/api/network").json() == shown
        # Nothing on trial: nothing to confirm.
        refused = client.post("/api/network/confirm", json={"request_id": "0123456789abcdef"})
    assert refused.status_code == 409
    assert refused.json()["detail"][0]["loc"][-1] == "request_id"


@pytest.mark.parametrize(("body", "field"), [
    ({**STATIC, "address": "192.168.1.50/24\n[Network]\nDHCP=yes"}, "address"),
    ({**STATIC, "address": "192.168.1.0/24"}, "address"),
    ({**STATIC, "address": "192.168.1.50"}, "address"),
    ({**STATIC, "address": "127.0.0.2/8", "gateway": "127.0.0.1", "dns": ["127.0.0.1"]},
     "address"),
    ({**STATIC, "address": "x" * 10_000}, "address"),
    ({**STATIC, "address": None}, "address"),
    ({**STATIC, "address": 192168150}, "address"),
    ({**STATIC, "gateway": "10.0.0.1"}, "gateway"),
    ({**STATIC, "gateway": "192.168.1.1; reboot"}, "gateway"),
    ({**STATIC, "dns": []}, "dns"),
    ({**STATIC, "dns": ["1.1.1.1"] * 9}, "dns"),
    ({**STATIC, "dns": ["1.1.1.1", "2.2.2.2", "3.3.3.3"]}, "dns"),
    ({**STATIC, "dns": "192.168.1.1"}, "dns"),
    ({**STATIC, "dns": ["192.168.1.1\nDNS=6.6.6.6"]}, "dns"),
    ({"mode": "dhcp", "address": "192.168.1.50/24"}, "address"),
    ({"mode": "dhcp", "dns": ["1.1.1.1"]}, "dns"),
    ({"mode": "bridge"}, "mode"),
    ({**STATIC, "interface": "eth0"}, "interface"),
    ({}, "mode"),
])
def test_hostile_values_are_refused_at_their_field_and_change_nothing(
        api: RunningApi, site: Site, machine: FakeMachine, body: dict[str, Any],
        field: str) -> None:
    before = len(audit(api, site))
    answer = put(api, site, body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"][-1] == field
    assert stored_setting() == DHCP
    assert len(audit(api, site)) == before
    assert not (machine.exchange / exchange.REQUEST_FILE).exists()


def test_a_setting_on_trial_is_kept_once_confirmed_through_its_new_address(
        api: RunningApi, site: Site, machine: FakeMachine,
        monkeypatch: pytest.MonkeyPatch) -> None:
    applier, status, shown = on_trial(api, site, machine)
    assert shown["new_addresses"] == ["192.168.1.50"]
    assert shown["kept_addresses"] == ["10.0.2.15"]
    assert shown["in_use"] == {"mode": "dhcp", "address": None, "gateway": None, "dns": []}
    assert 170 <= shown["confirm_within_s"] <= 180
    decision = {"request_id": shown["request_id"]}

    with api.client(site.admin_token) as client:
        # This test's client reaches the API at 127.0.0.1: that proves nothing about the new
        # address.
        refused = client.post("/api/network/confirm", json=decision)
        assert refused.status_code == 409
        assert refused.json()["detail"][0]["loc"][-1] == "address"
        assert "came to 127.0.0.1" in refused.json()["detail"][0]["msg"]
        # As it is on the box when the console connects to the new address.
        monkeypatch.setattr(network_http, "arrival_address", lambda request: "192.168.1.50")
        confirmed = client.post("/api/network/confirm", json=decision)
        assert confirmed.status_code == 200, confirmed.text
        assert (confirmed.json()["state"], confirmed.json()["decided"]) == ("pending", True)

        applier.step(status)
        kept = client.get("/api/network").json()
    assert (kept["state"], kept["reason"]) == ("applied", None)
    assert kept["in_use"] == {**STATIC} and kept["setting"] == STATIC
    assert kept["interface"] == "eth0"
    assert machine.kept_file.exists() and not machine.trial_file.exists()
    newest = audit(api, site)[0]
    assert (newest["actor"], newest["action"], newest["target"]) == (
        "admin", "network.confirm", shown["request_id"])
    assert newest["details"]["arrived_at"] == "192.168.1.50"


def test_an_admin_goes_back_from_anywhere(api: RunningApi, site: Site,
                                          machine: FakeMachine) -> None:
    applier, status, shown = on_trial(api, site, machine)
    with api.client(site.admin_token) as client:
        # A second change waits until this one is settled.
        second = client.put("/api/network", json={"mode": "dhcp"})
        assert second.status_code == 409 and second.json()["detail"][0]["loc"][-1] == "mode"
        back = client.post("/api/network/revert", json={"request_id": shown["request_id"]})
        assert back.status_code == 200, back.text
        applier.step(status)
        shown = client.get("/api/network").json()
    assert shown["state"] == "reverted"
    assert shown["reason"] == "admin went back; the box is back on DHCP"
    assert shown["setting"] == STATIC and shown["in_use"]["mode"] == "dhcp"
    assert audit(api, site)[0]["action"] == "network.revert"
    assert not machine.trial_file.exists() and not machine.kept_file.exists()


def test_an_unconfirmed_setting_goes_back_by_itself(api: RunningApi, site: Site,
                                                    machine: FakeMachine) -> None:
    applier, status, _shown = on_trial(api, site, machine)
    machine.clock.advance(180)
    applier.step(status)
    with api.client(site.admin_token) as client:
        shown = client.get("/api/network").json()
    assert shown["state"] == "reverted"
    assert shown["reason"].startswith("not confirmed through the new address within 180 s")


@pytest.mark.parametrize("request_id", ["../../etc", "x" * 33, "", "ab cd"])
def test_a_hostile_request_id_is_refused(api: RunningApi, site: Site, machine: FakeMachine,
                                         request_id: str) -> None:
    _applier, _status, _shown = on_trial(api, site, machine)
    with api.client(site.admin_token) as client:
        for path in ("/api/network/confirm", "/api/network/revert"):
            answer = client.post(path, json={"request_id": request_id})
            assert answer.status_code == 422, answer.text
            assert answer.json()["detail"][0]["loc"][-1] == "request_id"
    assert not (machine.exchange / exchange.DECISION_FILE).exists()


@pytest.mark.parametrize(("server", "seen"), [
    (("192.168.1.50", 8443), "192.168.1.50"),
    (("::ffff:192.168.1.50", 8443), "192.168.1.50"),  # a dual-stack socket
    (("fe80::1", 8443), "fe80::1"),
    (None, None),
])
def test_the_arrival_address_is_the_connections_own_end(server: tuple[str, int] | None,
                                                        seen: str | None) -> None:
    request = Request({"type": "http", "server": server, "headers": []})
    assert network_http.arrival_address(request) == seen
