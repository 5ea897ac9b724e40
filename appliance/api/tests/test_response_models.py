"""Every JSON answer of a GET has a response model, so that the OpenAPI document describes
what the console parses; the models change nothing of the JSON (it is what the services
write, key for key); the live view's WebSocket messages are in the document as well."""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Any

import pytest
from fastapi.datastructures import DefaultPlaceholder
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel

from paivystys.appliance.api.app import ROUTERS, create_app
from paivystys.appliance.api.context import ApiConfig
from paivystys.appliance.api.health.service import snapshot
from paivystys.appliance.api.tests.conftest import RunningApi, Site
from paivystys.appliance.audit import entries, record
from paivystys.appliance.calllog.query import call_detail
from paivystys.appliance.db.models import Call, Leg, ModemHealth
from paivystys.appliance.monitor.feed import MESSAGES, wire_type

SCALARS = (str, int, float, bool, type(None))


def described(annotation: Any) -> bool:
    """A model, or a list of models or of plain values: never a free-form dict or Any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    if annotation in SCALARS:
        return True
    origin = typing.get_origin(annotation)
    if origin is list:
        return described(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return all(described(arg) for arg in typing.get_args(annotation))
    return False


def json_get_routes() -> list[APIRoute]:
    """The GETs whose return value FastAPI encodes as JSON (not files, CSV or downloads)."""
    routes = [route for module in ROUTERS for route in module.router.routes]
    return [route for route in routes
            if isinstance(route, APIRoute) and "GET" in route.methods
            and isinstance(route.response_class, DefaultPlaceholder)
            and route.response_class.value is JSONResponse]


def test_every_json_get_has_a_response_model() -> None:
    routes = json_get_routes()
    assert {"/api/calls", "/api/health", "/api/audit"} <= {route.path for route in routes}
    undescribed = {route.path: route.response_model for route in routes
                   if not described(route.response_model)}
    assert undescribed == {}


def test_the_check_tells_a_model_from_a_dict() -> None:
    class Row(BaseModel):
        id: int

    assert described(Row) and described(list[Row]) and described(list[str])
    assert not described(dict[str, Any]) and not described(list[dict])
    assert not described(Any) and not described(Row | dict[str, Any])


def test_the_websockets_messages_are_components_with_the_feeds_names() -> None:
    document = create_app(ApiConfig(db_path=None)).openapi()
    schemas = document["components"]["schemas"]
    upgraded = document["paths"]["/api/events"]["get"]["responses"]["101"]
    reference = upgraded["content"]["application/json"]["schema"]["$ref"]
    assert reference.rsplit("/", 1)[1] in schemas
    event = schemas["CallMessage"]["properties"]["event"]
    assert set(event["discriminator"]["mapping"]) == {
        wire_type(message) for message in MESSAGES.values()}
    for message in MESSAGES.values():
        assert message.__name__ in schemas


T0 = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def logged(site: Site) -> list[int]:
    """A call answered by the second of two, and one still ringing."""
    answered = Call.create(call_id="models-1", number=site.number_id, dialled="+358205550100",
                           caller="", arrived_at=T0, answered_at=T0 + dt.timedelta(seconds=4),
                           ended_at=T0 + dt.timedelta(seconds=64), wait_s=4.123456,
                           talk_s=60.0, outcome="answered", answered_by=site.person_id,
                           answered_by_name="Maija", answered_stage="backup",
                           recording="2027/03/models-1.wav", routing="failsafe")
    Leg.create(call=answered, person=site.other_id, person_name="Pekka", phone="+358400",
               stage="main", rung_at=T0, ended_at=T0 + dt.timedelta(seconds=30),
               result="no_answer")
    Leg.create(call=answered, person=site.person_id, person_name="Maija", phone="+358401",
               group_name="Valvomo", stage="backup", rung_at=T0 + dt.timedelta(seconds=30),
               answered_at=T0 + dt.timedelta(seconds=33), result="confirmed")
    ringing = Call.create(call_id="models-2", dialled="+358209999999", caller="+358401111111",
                          arrived_at=T0 + dt.timedelta(minutes=5))
    return [answered.id, ringing.id]


def test_the_call_log_reads_as_the_service_writes_it(api: RunningApi, site: Site,
                                                     logged: list[int]) -> None:
    window = {"since": T0.isoformat(), "until": (T0 + dt.timedelta(hours=1)).isoformat()}
    with api.client(site.admin_token) as admin:
        listed = admin.get("/api/calls", params={**window, "with_total": True})
        shown = [admin.get(f"/api/calls/{call_id}") for call_id in logged]
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert list(body) == ["items", "next_cursor", "total"]
    assert body["items"] == [call_detail(call_id) for call_id in reversed(logged)]
    assert [list(item) for item in body["items"]] == [
        list(call_detail(call_id) or {}) for call_id in reversed(logged)]
    assert (body["next_cursor"], body["total"]) == (None, 2)
    for call_id, answer in zip(logged, shown, strict=True):
        assert answer.json() == call_detail(call_id)


def test_the_health_reads_as_the_service_writes_it(api: RunningApi, site: Site) -> None:
    """A modem that never reported has no updated_at at all, as before the model."""
    assert api.config.db_path is not None
    data_dir = api.config.db_path.parent
    ModemHealth.delete().execute()
    answers = []
    with api.client(site.admin_token) as admin:
        for _ in range(2):
            answer = admin.get("/api/health").json()
            expected = snapshot(data_dir, answer["version"])
            assert list(answer) == list(expected)
            assert {part: list(answer[part]) for part in ("asterisk", "trunk", "modem", "disk")} \
                == {part: list(expected[part]) for part in ("asterisk", "trunk", "modem", "disk")}
            answers.append(answer)
            ModemHealth.get_or_create(id=1, defaults={"connected": True, "registered": True,
                                                      "signal": 17, "operator": "Elisa"})
    never, reported = answers
    assert "updated_at" not in never["modem"]
    assert reported["modem"]["signal"] == 17 and "updated_at" in reported["modem"]
    ModemHealth.delete().execute()


def test_the_audit_log_reads_as_the_service_writes_it(api: RunningApi, site: Site) -> None:
    record("valvoja", "models.check", None, {"nested": {"list": [1, "a"]}, "password": "x"})
    with api.client(site.admin_token) as admin:
        answer = admin.get("/api/audit", params={"limit": 5})
    assert answer.status_code == 200
    assert answer.json() == entries(5)
    assert answer.json()[0]["details"] == {"nested": {"list": [1, "a"]}, "password": "***"}
