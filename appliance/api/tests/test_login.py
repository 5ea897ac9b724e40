"""Logging in: tokens; lock-out after repeated failures, per username and address; throttling
per address; unknown users answered as known ones."""

from __future__ import annotations

import datetime as dt
import json
import re
import statistics
import time

from paivystys.appliance.api.tests.conftest import (
    ADMIN_PASSWORD,
    OTHER_PASSWORD,
    PERSON_PASSWORD,
    RunningApi,
    Site,
)
from paivystys.appliance.db.models import AuditEntry, LoginFailure
from paivystys.appliance.users.service import LOCKOUT, MAX_FAILURES, THROTTLE_ATTEMPTS


def login(api: RunningApi, username: str, password: str, source: str = "127.0.0.1",
          headers: dict[str, str] | None = None):
    with api.client(source=source) as client:
        return client.post("/api/login", json={"username": username, "password": password},
                           headers=headers)


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


def _without_time(answer) -> tuple[int, str, bool]:
    """An answer as a guesser compares them: status and text (the lock's end aside)."""
    return (answer.status_code, re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d\+00:00", "TIME",
                                      answer.json()["detail"]),
            "retry-after" in answer.headers)


def test_unknown_users_are_answered_as_known_ones(api: RunningApi, site: Site) -> None:
    """Wrong password, lock-out, wrong password while locked: the same status and text for a
    user that exists and one that does not."""
    for attempt in range(MAX_FAILURES + 1):
        known = login(api, "maija", "not-the-password", source="127.0.0.2")
        unknown = login(api, "nobody", "not-the-password", source="127.0.0.3")
        assert _without_time(known) == _without_time(unknown), attempt
    assert known.status_code == 423
    assert "locked for this address until" in known.json()["detail"]
    # Both are locked the same way, in the same table.
    assert {(row.username, row.client) for row in LoginFailure.select()} == {
        ("maija", "127.0.0.2"), ("nobody", "127.0.0.3")}


def test_unknown_users_cost_the_same_time(api: RunningApi, site: Site) -> None:
    """The argon2 work is done for an unknown user too: no timing tells them apart."""
    def median_s(username: str, source: str) -> float:
        times = []
        for _ in range(MAX_FAILURES - 1):
            started = time.perf_counter()
            assert login(api, username, "not-the-password", source=source).status_code == 401
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    known, unknown = median_s("pekka", "127.0.0.4"), median_s("nobody", "127.0.0.5")
    assert 0.5 < known / unknown < 2, (known, unknown)


def test_a_lock_out_holds_only_the_address_that_failed(api: RunningApi, site: Site) -> None:
    """Somebody elsewhere on the LAN guessing the admin's password locks only themselves out:
    the admin logs in as usual."""
    for _ in range(MAX_FAILURES):
        assert login(api, "admin", "guess-guess-guess", source="127.0.0.9").status_code == 401
    guesser = login(api, "admin", ADMIN_PASSWORD, source="127.0.0.9")
    assert guesser.status_code == 423  # even the right password, from there
    assert int(guesser.headers["Retry-After"]) > LOCKOUT.total_seconds() - 60
    assert login(api, "admin", ADMIN_PASSWORD, source="127.0.0.1").status_code == 200
    assert login(api, "admin", ADMIN_PASSWORD, source="127.0.0.10").status_code == 200
    entry = AuditEntry.select().where(AuditEntry.action == "login.locked",
                                      AuditEntry.target == "admin").get()
    assert json.loads(entry.details) == {"client": "127.0.0.9", "failures": MAX_FAILURES,
                                         "minutes": 15}
    # the admin sees it, and unlocks
    with api.client(site.admin_token) as admin:
        listed = {user["username"]: user for user in admin.get("/api/users").json()}
        assert listed["admin"]["locked_until"] is not None
        admin_id = listed["admin"]["id"]
        unlocked = admin.patch(f"/api/users/{admin_id}", json={"unlock": True}).json()
        assert unlocked["locked_until"] is None
    assert login(api, "admin", ADMIN_PASSWORD, source="127.0.0.9").status_code == 200


def test_an_address_that_keeps_failing_is_throttled(api: RunningApi, site: Site) -> None:
    """Many usernames from one address: ten failures a minute, whatever the names; a forged
    forwarded address changes nothing, and other addresses are not slowed."""
    for index in range(THROTTLE_ATTEMPTS):
        assert login(api, f"guess{index}", "whatever-whatever",
                     headers={"X-Forwarded-For": f"203.0.113.{index}"}).status_code == 401
    throttled = login(api, "maija", PERSON_PASSWORD)
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) >= 1
    assert login(api, "maija", PERSON_PASSWORD, source="127.0.0.11").status_code == 200


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


def test_wrong_old_passwords_count_as_failed_logins(api: RunningApi, site: Site) -> None:
    """A stolen token is no way to guess the password: wrong old passwords lock the address
    out like failed logins, for the password change and the login alike."""
    token = api.login("pekka", OTHER_PASSWORD)
    change = {"old_password": "arvaus-arvaus", "new_password": "uusi-salasana-1"}
    with api.client(token, source="127.0.0.12") as thief:
        for _ in range(MAX_FAILURES):
            assert thief.put("/api/me/password", json=change).status_code == 422
        locked = thief.put("/api/me/password", json={**change, "old_password": OTHER_PASSWORD})
    assert locked.status_code == 423
    assert login(api, "pekka", OTHER_PASSWORD, source="127.0.0.12").status_code == 423
    assert login(api, "pekka", OTHER_PASSWORD, source="127.0.0.1").status_code == 200


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
