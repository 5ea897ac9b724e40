"""The password rule over the API: every way a password is set refuses common and trivial
ones, naming the field and saying why."""

from __future__ import annotations

import pytest

from paivystys.appliance.api.tests.conftest import PERSON_PASSWORD, RunningApi, Site
from paivystys.appliance.db.models import User

WEAK = ["aaaaaaaaaa", "salasana123", "password12", "qwertyuiop", "1234567890", "uusi-kayttaja"]


@pytest.mark.parametrize("password", WEAK)
def test_a_new_user_with_a_weak_password_is_refused(api: RunningApi, site: Site,
                                                    password: str) -> None:
    with api.client(site.admin_token) as admin:
        answer = admin.post("/api/users", json={"username": "uusi-kayttaja",
                                                "password": password, "role": "admin"})
    assert answer.status_code == 422
    error = answer.json()["detail"][0]
    assert error["loc"][-1] == "password"
    assert error["msg"].startswith("password: ")
    assert "too easy to guess" in error["msg"] or "must not be the username" in error["msg"]
    assert not User.select().where(User.username == "uusi-kayttaja").exists()


def test_an_admin_setting_a_weak_password_is_refused(api: RunningApi, site: Site) -> None:
    pekka = User.get(User.username == "pekka")
    with api.client(site.admin_token) as admin:
        answer = admin.patch(f"/api/users/{pekka.id}", json={"password": "pekka-pekka-1"})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][-1] == "password"
    assert "too easy to guess" in answer.json()["detail"][0]["msg"]


def test_ones_own_new_password_must_be_strong(api: RunningApi, site: Site) -> None:
    with api.client(site.person_token) as client:
        answer = client.put("/api/me/password", json={"old_password": PERSON_PASSWORD,
                                                      "new_password": "salasana123"})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][-1] == "new_password"
    assert "too easy to guess" in answer.json()["detail"][0]["msg"]
    assert api.login("maija", PERSON_PASSWORD)  # unchanged
