"""Every answer of the API carries the security headers and is kept by no cache, whatever
its status, whoever asks."""

from __future__ import annotations

import pytest

from paivystys.appliance.api.headers import SECURITY_HEADERS
from paivystys.appliance.api.limits import JSON_BODY_LIMIT
from paivystys.appliance.api.tests.conftest import ADMIN_PASSWORD, RunningApi, Site

EXPECTED = {name.lower(): value for name, value in SECURITY_HEADERS.items()} | {
    "cache-control": "no-store", "strict-transport-security": "max-age=31536000"}

# (method, path, who asks: None, "admin" or "person", httpx arguments, the status expected)
REQUESTS: list[tuple[str, str, str | None, dict, int]] = [
    ("POST", "/api/login", None, {"json": {"username": "admin", "password": ADMIN_PASSWORD}},
     200),
    ("POST", "/api/login", None, {"json": {"username": "admin", "password": "nope"}}, 401),
    ("GET", "/api/me", None, {}, 401),
    ("GET", "/api/users", "person", {}, 403),
    ("GET", "/api/users", "admin", {}, 200),
    ("GET", "/api/people", "admin", {}, 200),
    ("GET", "/api/backup", "admin", {}, 200),
    ("GET", "/api/audit", "admin", {}, 200),
    ("GET", "/api/health", "admin", {}, 200),
    ("GET", "/api/openapi.json", None, {}, 200),
    ("GET", "/api/people/999999", "admin", {}, 404),
    ("GET", "/nothing-here", None, {}, 404),
    ("POST", "/api/groups", "admin", {"json": {"name": ""}}, 422),
    ("POST", "/api/login", None, {"content": b" " * (JSON_BODY_LIMIT + 1)}, 413),
]


@pytest.mark.parametrize(("method", "path", "who", "arguments", "status"), REQUESTS,
                         ids=[f"{r[0]} {r[1]} {r[4]}" for r in REQUESTS])
def test_every_answer_has_the_security_headers(api: RunningApi, site: Site, method: str,
                                               path: str, who: str | None, arguments: dict,
                                               status: int) -> None:
    token = getattr(site, f"{who}_token") if who else None
    with api.client(token) as client:
        answer = client.request(method, path, **arguments)
    assert answer.status_code == status, answer.text
    assert {name: answer.headers.get(name) for name in EXPECTED} == EXPECTED
