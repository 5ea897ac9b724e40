"""Backup and restore through the API, as the console does it."""

from __future__ import annotations

import json

from paivystys.appliance.api.tests.conftest import RunningApi, Site


def test_download_change_restore(api: RunningApi, site: Site) -> None:
    with api.client(site.admin_token) as admin:
        download = admin.get("/api/backup")
        assert download.status_code == 200
        assert "attachment" in download.headers["content-disposition"]
        assert download.headers["cache-control"] == "no-store"
        backup = download.content
        assert json.loads(backup)["format"] == "paivystys-backup"
        assert admin.get("/api/health").json()["last_backup"] is not None

        extra = admin.post("/api/groups", json={"name": "Palautettava"}).json()
        restored = admin.post("/api/restore", content=backup,
                              headers={"Content-Type": "application/json"})
        assert restored.status_code == 200, restored.text
        assert restored.json()["tokens_revoked"] >= 1
        # every login ended: this token too
        assert admin.get("/api/groups").status_code == 401
    token = api.login("admin", "admin-salasana-123")
    with api.client(token) as admin:
        names = [group["name"] for group in admin.get("/api/groups").json()]
        assert extra["name"] not in names and "Huolto API" in names
        site.admin_token = token
        site.person_token = api.login("maija", "maija-salasana-123")
        site.other_token = api.login("pekka", "pekka-salasana-123")


def test_a_broken_backup_changes_nothing_and_names_the_problem(api: RunningApi,
                                                               site: Site) -> None:
    with api.client(site.admin_token) as admin:
        backup = json.loads(admin.get("/api/backup").content)
        backup["tables"]["person"][0]["phone"] = "050 100"
        answer = admin.post("/api/restore", content=json.dumps(backup),
                            headers={"Content-Type": "application/json"})
        assert answer.status_code == 422
        assert answer.json()["detail"][0]["loc"][-1].endswith(".phone")
        assert admin.get("/api/me").status_code == 200  # nothing happened: still logged in


def test_a_backup_is_validated_as_put_trunk_is(api: RunningApi, site: Site) -> None:
    """The trunk host PUT /api/trunk refuses is refused inside a backup too, by the same
    validator; nothing changes."""
    hostile = "192.0.2.10,0.0.0.0/0"
    with api.client(site.admin_token) as admin:
        direct = admin.put("/api/trunk", json={"mode": "ip", "host": hostile})
        assert direct.status_code == 422
        assert direct.json()["detail"][0]["loc"][-1] == "host"
        backup = json.loads(admin.get("/api/backup").content)
        backup["tables"]["trunk"] = [{"id": 1, "mode": "ip", "host": hostile, "port": 5060,
                                      "transport": "udp", "username": None, "password": None,
                                      "from_domain": None,
                                      "updated_at": "2025-11-25T12:00:00+00:00"}]
        answer = admin.post("/api/restore", content=json.dumps(backup),
                            headers={"Content-Type": "application/json"})
        assert answer.status_code == 422
        assert answer.json()["detail"][0]["loc"][-1] == "trunk[1].host"
        assert direct.json()["detail"][0]["msg"] in answer.json()["detail"][0]["msg"]
        assert admin.get("/api/trunk").json()["configured"] is False
        assert admin.get("/api/me").status_code == 200  # nothing happened: still logged in
