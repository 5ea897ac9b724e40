"""Logging in: tokens, lock-out after repeated failures, throttling per address."""

from __future__ import annotations

import datetime as dt
import json

from paivystys.appliance.api.auth.service import LOCKOUT, MAX_FAILURES, THROTTLE_ATTEMPTS
from paivystys.appliance.db.models import AuditEntry, User

from .conftest import OTHER_PASSWORD, PERSON_PASSWORD, RunningApi, Site


def login(api: RunningApi, username: str, password: str):
    with api.client() as client:
        return client.post("/api/login", json={"username": username, "password": password})


def test_a_login_gives_a_token_that_names_its_user(api: RunningApi, site: Site) -> None:
    answer = login(api, "Maija", PERSON_PASSWORD)  # usernames are not case-sensitive
    assert answer.status_code == 200
    body = answer.json()
    assert body["user"] == {"id": body["user"]["id"], "username": "maija", "role": "person",
                            "person_id": site.person_id, "locked_until": None}
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert dt.timedelta(hours=11) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=12)
    with api.client(body["token"]) as client:
        me = client.get("/api/me").json()
    assert (me["person_name"], me["on_duty"]) == ("Maija API", True)


def test_wrong_password_and_unknown_user_look_the_same(api: RunningApi, site: Site) -> None:
    wrong = login(api, "maija", "not-the-password")
    unknown = login(api, "nobody", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "wrong username or password"}


def test_repeated_failures_lock_the_user_even_for_the_right_password(
        api: RunningApi, site: Site) -> None:
    for _ in range(MAX_FAILURES):
        assert login(api, "pekka", "guess-guess-guess").status_code == 401
    locked = login(api, "pekka", OTHER_PASSWORD)
    assert locked.status_code == 423
    assert "locked until" in locked.json()["detail"]
    assert int(locked.headers["Retry-After"]) > LOCKOUT.total_seconds() - 60
    assert AuditEntry.select().where(AuditEntry.action == "login.locked",
                                     AuditEntry.target == "pekka").exists()
    # the admin unlocks
    with api.client(site.admin_token) as admin:
        pekka = User.get(User.username == "pekka")
        assert admin.patch(f"/api/users/{pekka.id}", json={"unlock": True}).status_code == 200
    assert login(api, "pekka", OTHER_PASSWORD).status_code == 200


def test_an_address_that_keeps_failing_is_throttled(api: RunningApi, site: Site) -> None:
    for index in range(THROTTLE_ATTEMPTS):
        assert login(api, f"guess{index}", "whatever-whatever").status_code == 401
    throttled = login(api, "maija", PERSON_PASSWORD)
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) >= 1


def test_an_expired_or_made_up_token_is_refused(api: RunningApi, site: Site) -> None:
    with api.client("made-up-token") as client:
        answer = client.get("/api/me")
    assert answer.status_code == 401 and "log in again" in answer.json()["detail"]


def test_a_person_switches_their_own_duty(api: RunningApi, site: Site) -> None:
    with api.client(site.person_token) as client:
        assert client.put("/api/me/duty", json={"on_duty": False}).json()["on_duty"] is False
        assert client.put("/api/me/duty", json={"on_duty": True}).json()["on_duty"] is True
        assert client.put("/api/me/duty", json={"on_duty": "maybe"}).status_code == 422


def test_changing_ones_password_needs_the_old_one(api: RunningApi, site: Site) -> None:
    token = api.login("maija", PERSON_PASSWORD)
    with api.client(token) as client:
        wrong = client.put("/api/me/password",
                           json={"old_password": "nope", "new_password": "uusi-salasana-1"})
        assert wrong.status_code == 422
        assert wrong.json()["detail"][0]["loc"][-1] == "old_password"
        short = client.put("/api/me/password",
                           json={"old_password": PERSON_PASSWORD, "new_password": "lyhyt"})
        assert short.status_code == 422
        assert short.json()["detail"][0]["loc"][-1] == "new_password"


FORGED = {"X-Forwarded-For": "203.0.113.7", "X-Real-IP": "203.0.113.8",
          "Forwarded": "for=203.0.113.9;proto=http", "X-Forwarded-Proto": "http"}


def test_forwarded_headers_are_not_believed(api: RunningApi, site: Site) -> None:
    """Nothing stands in front of the API: a forwarded address is whatever the client wrote.
    The audit log records the real peer."""
    with api.client() as client:
        answer = client.post("/api/login", headers=FORGED,
                             json={"username": "maija", "password": PERSON_PASSWORD})
    assert answer.status_code == 200
    entry = (AuditEntry.select().where(AuditEntry.action == "login")
             .order_by(AuditEntry.id.desc()).get())
    assert json.loads(entry.details) == {"client": "127.0.0.1"}
    assert not AuditEntry.select().where(AuditEntry.details.contains("203.0.113")).exists()
