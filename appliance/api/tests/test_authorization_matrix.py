"""Who may call what: every endpoint with an anonymous caller, an on-call person and an admin,
every cell asserted.  A new endpoint fails ``test_the_matrix_covers_every_endpoint`` until it
has its row here."""

from __future__ import annotations

import pytest

from paivystys.appliance.api.app import create_app
from paivystys.appliance.api.context import ApiConfig
from paivystys.appliance.api.tests.conftest import RunningApi, Site

ANON, PERSON, ADMIN = "anonymous", "person", "admin"
EVERYONE = frozenset({ANON, PERSON, ADMIN})
LOGGED_IN = frozenset({PERSON, ADMIN})
ADMINS = frozenset({ADMIN})
PEOPLE = frozenset({PERSON})

MATRIX: dict[tuple[str, str], frozenset[str]] = {
    # The set-up code is the credential: a claimed box answers every caller 409.
    ("GET", "/api/claim"): EVERYONE,
    ("POST", "/api/claim"): EVERYONE,
    ("POST", "/api/login"): EVERYONE,
    ("POST", "/api/logout"): LOGGED_IN,
    ("GET", "/api/me"): LOGGED_IN,
    ("PUT", "/api/me/duty"): PEOPLE,
    ("PUT", "/api/me/password"): LOGGED_IN,
    # Only an account that is an on-call person's has a PIN: an admin's answers 409.
    ("PUT", "/api/me/pin"): LOGGED_IN,
    ("GET", "/api/users"): ADMINS,
    ("POST", "/api/users"): ADMINS,
    ("PATCH", "/api/users/{user_id}"): ADMINS,
    ("DELETE", "/api/users/{user_id}"): ADMINS,
    ("GET", "/api/numbers"): ADMINS,
    ("POST", "/api/numbers"): ADMINS,
    ("GET", "/api/numbers/{number_id}"): ADMINS,
    ("PATCH", "/api/numbers/{number_id}"): ADMINS,
    ("DELETE", "/api/numbers/{number_id}"): ADMINS,
    ("PUT", "/api/numbers/{number_id}/groups"): ADMINS,
    ("PUT", "/api/numbers/{number_id}/backup"): ADMINS,
    ("GET", "/api/groups"): ADMINS,
    ("POST", "/api/groups"): ADMINS,
    ("GET", "/api/groups/{group_id}"): ADMINS,
    ("PATCH", "/api/groups/{group_id}"): ADMINS,
    ("GET", "/api/groups/{group_id}/dependents"): ADMINS,
    ("DELETE", "/api/groups/{group_id}"): ADMINS,
    ("PUT", "/api/groups/{group_id}/members/{person_id}"): ADMINS,
    ("DELETE", "/api/groups/{group_id}/members/{person_id}"): ADMINS,
    ("GET", "/api/people"): ADMINS,
    ("POST", "/api/people"): ADMINS,
    ("GET", "/api/people/{person_id}"): ADMINS,
    ("PATCH", "/api/people/{person_id}"): ADMINS,
    ("DELETE", "/api/people/{person_id}"): ADMINS,
    ("PUT", "/api/people/{person_id}/pin"): ADMINS,
    ("DELETE", "/api/people/{person_id}/pin-lock"): ADMINS,
    ("GET", "/api/listening-numbers"): ADMINS,
    ("POST", "/api/listening-numbers"): ADMINS,
    ("GET", "/api/listening-numbers/{listening_number_id}"): ADMINS,
    ("PATCH", "/api/listening-numbers/{listening_number_id}"): ADMINS,
    ("DELETE", "/api/listening-numbers/{listening_number_id}"): ADMINS,
    ("GET", "/api/settings"): ADMINS,
    ("PUT", "/api/settings/{key}"): ADMINS,
    ("GET", "/api/sms/templates"): ADMINS,
    ("PUT", "/api/sms/templates/{kind}/{language}"): ADMINS,
    ("DELETE", "/api/sms/templates/{kind}/{language}"): ADMINS,
    # A recording is its answerer's; an admin (no person) lists none and gets 404 for any.
    ("GET", "/api/recordings"): LOGGED_IN,
    ("GET", "/api/recordings/{call_id}"): LOGGED_IN,
    ("GET", "/api/health"): ADMINS,
    ("GET", "/api/events"): ADMINS,  # the live view's WebSocket; a plain GET answers 426
    ("GET", "/api/backup"): ADMINS,
    ("POST", "/api/restore"): ADMINS,
    ("GET", "/api/backups"): ADMINS,
    ("POST", "/api/backups"): ADMINS,  # an admin's saves one more backup on the box
    ("GET", "/api/backups/{name}"): ADMINS,
    ("POST", "/api/backups/{name}/restore"): ADMINS,
    ("GET", "/api/audit"): ADMINS,
    # An on-call person sees the calls they answered or were rung for (tested in test_calls).
    ("GET", "/api/calls"): LOGGED_IN,
    ("GET", "/api/calls.csv"): LOGGED_IN,
    ("GET", "/api/calls/{call_id}"): LOGGED_IN,
    # A person sees the listening calls the line identified them in (test_listening_calls).
    ("GET", "/api/listening-calls"): LOGGED_IN,
    ("GET", "/api/trunk"): ADMINS,
    ("PUT", "/api/trunk"): ADMINS,
    ("DELETE", "/api/trunk"): ADMINS,
    ("GET", "/api/modem"): ADMINS,
    ("PUT", "/api/modem/pin"): ADMINS,
    ("DELETE", "/api/modem/pin"): ADMINS,
    ("GET", "/api/network"): ADMINS,
    ("PUT", "/api/network"): ADMINS,
    ("POST", "/api/network/confirm"): ADMINS,
    ("POST", "/api/network/revert"): ADMINS,
    ("GET", "/api/update"): ADMINS,
    ("POST", "/api/update"): ADMINS,  # not a box here: an admin is told so (409)
}
# Placeholders that reach no real row, so an allowed caller's request changes nothing.
PATH_VALUES = {"user_id": "999999", "number_id": "999999", "group_id": "999999",
               "person_id": "999999", "listening_number_id": "999999",
               "key": "no_such_setting", "kind": "no_such_kind", "language": "fi",
               "call_id": "999999",
               "name": "paivystys-backup-19991231-235959.json"}
SKIPPED_IN_LOOP = {("POST", "/api/logout")}  # revokes the caller's token: tested alone


def concrete(path: str) -> str:
    for name, value in PATH_VALUES.items():
        path = path.replace("{" + name + "}", value)
    return path


def token_for(role: str, site: Site) -> str | None:
    return {ANON: None, PERSON: site.person_token, ADMIN: site.admin_token}[role]


def test_the_matrix_covers_every_endpoint() -> None:
    # The OpenAPI document lists every HTTP endpoint (the WebSocket has its own tests).
    paths = create_app(ApiConfig(db_path=None)).openapi()["paths"]
    routes = {(method.upper(), path) for path, methods in paths.items() for method in methods}
    assert routes == set(MATRIX), {"missing from MATRIX": routes - set(MATRIX),
                                   "no such endpoint": set(MATRIX) - routes}


@pytest.mark.parametrize("role", [ANON, PERSON, ADMIN])
def test_every_endpoint_for(role: str, api: RunningApi, site: Site) -> None:
    wrong = []
    with api.client(token_for(role, site)) as client:
        for (method, path), allowed in MATRIX.items():
            if (method, path) in SKIPPED_IN_LOOP:
                continue
            body = {} if method in ("POST", "PUT", "PATCH") else None
            status = client.request(method, concrete(path), json=body).status_code
            if role in allowed:
                ok = status not in (401, 403) and status < 500
            else:
                ok = status == (401 if role == ANON else 403)
            if not ok:
                wrong.append(f"{method} {path}: {status}")
    assert wrong == [], f"as {role}"


def test_logout_revokes_only_that_token(api: RunningApi, site: Site) -> None:
    from paivystys.appliance.api.tests.conftest import PERSON_PASSWORD

    extra = api.login("maija", PERSON_PASSWORD)
    with api.client() as anonymous:
        assert anonymous.post("/api/logout").status_code == 401
    with api.client(extra) as client:
        assert client.post("/api/logout").status_code == 204
        assert client.get("/api/me").status_code == 401
    with api.client(site.person_token) as client:
        assert client.get("/api/me").status_code == 200
