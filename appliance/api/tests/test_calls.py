"""The call log over the API: an admin sees every call, an on-call person the calls they
answered or were rung for; filters, paging and CSV; bad parameters name themselves."""

from __future__ import annotations

import datetime as dt

import pytest

from paivystys.appliance.api.tests.conftest import RunningApi, Site
from paivystys.appliance.db.models import Call, Leg

T0 = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def calls(api: RunningApi, site: Site) -> dict[str, int]:
    """answered: Maija took it; rung: Maija rang, Pekka took it; other: only Pekka."""
    made = {}
    for index, (name, legs, answerer) in enumerate((
            ("answered", [site.person_id], site.person_id),
            ("rung", [site.person_id, site.other_id], site.other_id),
            ("other", [site.other_id], None))):
        call = Call.create(call_id=f"log-{name}", number=site.number_id, dialled="+358205550100",
                           caller=f"+35840900000{index}", arrived_at=T0 + dt.timedelta(hours=index),
                           outcome="answered" if answerer else "missed", answered_by=answerer,
                           wait_s=3.0 + index)
        for person in legs:
            Leg.create(call=call, person=person, person_name=str(person), phone="+358400",
                       stage="main", rung_at=call.arrived_at,
                       result="confirmed" if person == answerer else "no_answer")
        made[name] = call.id
    return made


def ids(answer) -> set[int]:
    assert answer.status_code == 200, answer.text
    return {item["id"] for item in answer.json()["items"]}


def test_an_admin_sees_all_and_a_person_their_own(api: RunningApi, site: Site, calls) -> None:
    since = {"since": T0.isoformat()}
    with api.client(site.admin_token) as admin:
        assert ids(admin.get("/api/calls", params=since)) >= set(calls.values())
        assert admin.get(f"/api/calls/{calls['other']}").status_code == 200
    with api.client(site.person_token) as maija:
        assert ids(maija.get("/api/calls", params=since)) == {calls["answered"], calls["rung"]}
        detail = maija.get(f"/api/calls/{calls['rung']}").json()
        assert len(detail["legs"]) == 2
        not_hers = maija.get(f"/api/calls/{calls['other']}")
        assert not_hers.status_code == 404 and not_hers.json() == {"detail": "no such call"}
        # asking for someone else's calls by filter still shows only her own
        assert ids(maija.get("/api/calls", params={**since, "person_id": site.other_id})) == {
            calls["rung"]}


def test_filters_paging_and_totals(api: RunningApi, site: Site, calls) -> None:
    window = {"since": T0.isoformat(), "until": (T0 + dt.timedelta(hours=3)).isoformat()}
    with api.client(site.admin_token) as admin:
        assert ids(admin.get("/api/calls", params={**window, "outcome": "missed"})) == {
            calls["other"]}
        first = admin.get("/api/calls", params={**window, "limit": 2, "with_total": True})
        body = first.json()
        assert body["total"] == 3 and len(body["items"]) == 2
        rest = admin.get("/api/calls", params={**window, "limit": 2,
                                               "cursor": body["next_cursor"]})
        assert len(rest.json()["items"]) == 1 and rest.json()["next_cursor"] is None
        assert [item["id"] for item in body["items"]] == [calls["other"], calls["rung"]]
        by_wait = admin.get("/api/calls", params={**window, "sort": "wait_s"}).json()["items"]
        assert [item["id"] for item in by_wait] == [calls["answered"], calls["rung"],
                                                    calls["other"]]


@pytest.mark.parametrize(("params", "field"), [
    ({"outcome": "great"}, "outcome"),
    ({"sort": "-colour"}, "sort"),
    ({"cursor": "bm90IGEgY3Vyc29y"}, "cursor"),
    ({"caller": "soita"}, "caller"),
    ({"since": "2026-11-21T00:00:00Z", "until": "2026-11-20T00:00:00Z"}, "until"),
    ({"limit": 0}, "limit"),
    ({"since": "eilen"}, "since"),
])
def test_bad_parameters_name_themselves(api: RunningApi, site: Site, params, field) -> None:
    with api.client(site.admin_token) as admin:
        answer = admin.get("/api/calls", params=params)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == ["query", field]


def test_withheld_callers_are_one_searchable_kind(api: RunningApi, site: Site) -> None:
    withheld = Call.create(call_id="log-withheld", number=site.number_id, dialled="+358205550100",
                           caller="", arrived_at=T0 - dt.timedelta(days=1), outcome="missed")
    try:
        with api.client(site.admin_token) as admin:
            for word in ("withheld", "WITHHELD"):
                assert ids(admin.get("/api/calls", params={"caller": word})) == {withheld.id}
            answer = admin.get("/api/calls", params={"caller": "anonymous"})
        assert answer.status_code == 422
        assert "withheld" in answer.json()["detail"][0]["msg"]
    finally:
        withheld.delete_instance()


def test_csv_has_a_persons_own_calls_only(api: RunningApi, site: Site, calls) -> None:
    with api.client(site.person_token) as maija:
        answer = maija.get("/api/calls.csv", params={"since": T0.isoformat()})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    text = answer.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 3  # header + her two calls
    assert "+358409000002" not in text and "+358409000000" in text
