"""The backups kept on the box through the API, as the console uses them: saved, listed,
downloaded and restored by name (an admin's only; no name reaches another file), and the
health's database part when the last integrity check failed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from paivystys.appliance.api.tests.conftest import (
    ADMIN_PASSWORD,
    OTHER_PASSWORD,
    PERSON_PASSWORD,
    RunningApi,
    Site,
)
from paivystys.appliance.backup.stored import BACKUPS_DIR
from paivystys.appliance.db.integrity import (
    AT_BOOT,
    RECORD_FILE,
    IntegrityCheck,
    record_integrity,
)

HOSTILE_NAMES = [
    "..%2Fpaivystys.db", "%2E%2E", "..", "paivystys.db", RECORD_FILE, "tls%2Fkey.pem",
    "paivystys-backup-20251205-030000.json%2F..%2F..%2Fpaivystys.db",
    "..%2F..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "paivystys-backup-20251205-030000.json%00",
    "paivystys-backup-20251205-030000.json%0A", "paivystys-backup-20251205-030000.json%20",
    "paivystys-backup-%EF%BC%92%EF%BC%90251205-030000.json", "paivystys-backup-*.json",
    "paivystys-backup-20251205-030000.JSON", "x" * 5000,
]


def _save(api: RunningApi, site: Site) -> dict:
    with api.client(site.admin_token) as admin:
        answer = admin.post("/api/backups")
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_an_admin_saves_lists_and_downloads_a_stored_backup(api: RunningApi,
                                                            site: Site) -> None:
    saved = _save(api, site)
    path = api.state_dir / BACKUPS_DIR / saved["name"]
    assert saved["size"] == path.stat().st_size
    with api.client(site.admin_token) as admin:
        listed = admin.get("/api/backups").json()
        assert listed["kept"] == 14
        assert listed["nightly"] is False  # not a box: nothing saves one at night
        assert listed["backups"][0] == saved
        assert dt.datetime.fromisoformat(saved["created_at"]).tzinfo is not None
        download = admin.get(f"/api/backups/{saved['name']}")
    assert download.status_code == 200
    assert download.content == path.read_bytes()
    assert download.headers["content-disposition"] == f'attachment; filename="{saved["name"]}"'
    assert download.headers["cache-control"] == "no-store"
    assert json.loads(download.content)["format"] == "paivystys-backup"


def test_only_an_admin_gets_a_stored_backup(api: RunningApi, site: Site) -> None:
    name = _save(api, site)["name"]
    with api.client(site.person_token) as person:
        assert person.get(f"/api/backups/{name}").status_code == 403
        assert person.get("/api/backups").status_code == 403
        assert person.post("/api/backups").status_code == 403
        assert person.post(f"/api/backups/{name}/restore").status_code == 403
    with api.client() as anonymous:
        assert anonymous.get(f"/api/backups/{name}").status_code == 401
        assert anonymous.post(f"/api/backups/{name}/restore").status_code == 401


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_name_reaches_no_file(api: RunningApi, site: Site, name: str) -> None:
    database = (api.state_dir / "paivystys.db").read_bytes()[:16]
    with api.client(site.admin_token) as admin:
        for answer in (admin.get(f"/api/backups/{name}"),
                       admin.post(f"/api/backups/{name}/restore")):
            assert answer.status_code in (404, 405, 422), (name, answer.status_code)
            assert database not in answer.content and b"BEGIN" not in answer.content
        assert admin.get("/api/me").status_code == 200  # nothing restored: still logged in


def test_a_link_under_a_backups_name_is_not_served(api: RunningApi, site: Site) -> None:
    _save(api, site)
    name = "paivystys-backup-20000101-000000.json"
    link = api.state_dir / BACKUPS_DIR / name
    link.symlink_to(api.state_dir / "paivystys.db")
    try:
        with api.client(site.admin_token) as admin:
            assert admin.get(f"/api/backups/{name}").status_code == 404
            assert name not in [b["name"] for b in admin.get("/api/backups").json()["backups"]]
    finally:
        link.unlink()


def test_a_refused_name_says_which_value(api: RunningApi, site: Site) -> None:
    with api.client(site.admin_token) as admin:
        answer = admin.get("/api/backups/paivystys.db")
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["path", "name"]


def test_a_stored_backup_restores_the_configuration(api: RunningApi, site: Site) -> None:
    name = _save(api, site)["name"]
    with api.client(site.admin_token) as admin:
        extra = admin.post("/api/groups", json={"name": "Tilapäinen"}).json()
        restored = admin.post(f"/api/backups/{name}/restore")
        assert restored.status_code == 200, restored.text
        assert restored.json()["tokens_revoked"] >= 1
        assert admin.get("/api/groups").status_code == 401  # every login ended
    site.admin_token = api.login("admin", ADMIN_PASSWORD)
    site.person_token = api.login("maija", PERSON_PASSWORD)
    site.other_token = api.login("pekka", OTHER_PASSWORD)
    with api.client(site.admin_token) as admin:
        assert extra["name"] not in [group["name"] for group in admin.get("/api/groups").json()]
        assert admin.post("/api/backups/paivystys-backup-19991231-235959.json/restore"
                          ).status_code == 404


def test_the_number_kept_is_a_setting_refused_out_of_range(api: RunningApi, site: Site) -> None:
    with api.client(site.admin_token) as admin:
        for value in ("0", "366", "kaikki", "-3"):
            answer = admin.put("/api/settings/backups_kept", json={"value": value})
            assert answer.status_code == 422, value
            assert answer.json()["detail"][0]["loc"][-1] == "backups_kept"
        assert admin.put("/api/settings/backups_kept", json={"value": "30"}).status_code == 200
        assert admin.get("/api/backups").json()["kept"] == 30
        assert admin.put("/api/settings/backups_kept", json={"value": "14"}).status_code == 200


def test_the_health_names_the_last_good_backup_when_the_check_failed(
        api: RunningApi, site: Site) -> None:
    newest = _save(api, site)  # a check that passed, before the backup
    with api.client(site.admin_token) as admin:
        database = admin.get("/api/health").json()["database"]
        assert database["ok"] is True and database["problems"] == []
        assert database["state"].startswith("the database passed its integrity check (before "
                                            "a backup, ")
        assert database["last_good_backup"] == {"name": newest["name"],
                                                "created_at": newest["created_at"]}
        record_integrity(api.state_dir, IntegrityCheck(
            False, dt.datetime(2025, 12, 5, 6, 1, 2, tzinfo=dt.UTC), AT_BOOT,
            ("Page 18: free space corruption", "NULL value in call.call_id")))
        try:
            database = admin.get("/api/health").json()["database"]
        finally:
            (api.state_dir / RECORD_FILE).unlink()
        assert database["ok"] is False
        assert database["checked_at"] == "2025-12-05T06:01:02+00:00"
        assert database["problems"] == ["Page 18: free space corruption",
                                        "NULL value in call.call_id"]
        assert database["state"] == (
            "the database failed its integrity check (at boot, 2025-12-05T06:01:02+00:00): "
            "Page 18: free space corruption (and 1 more). Calls are still answered and logged "
            "into it, but what is written there may be lost. The last good backup is "
            f"{newest['name']}, saved {newest['created_at']}: restore it (Manage, Backups).")
        unknown = admin.get("/api/health").json()["database"]
        assert unknown["ok"] is None and "not been checked yet" in unknown["state"]
        (api.state_dir / RECORD_FILE).write_text("{garbled")
        try:
            unreadable = admin.get("/api/health").json()["database"]
        finally:
            (api.state_dir / RECORD_FILE).unlink()
        assert unreadable["ok"] is None and "cannot be read" in unreadable["state"]


def test_saving_needs_no_other_file_than_its_own(api: RunningApi, site: Site) -> None:
    """The backups folder holds backups and the save's lock, nothing half-written."""
    _save(api, site)
    names = {path.name for path in (api.state_dir / BACKUPS_DIR).iterdir()}
    assert {name for name in names if not name.startswith("paivystys-backup-")} == {".lock"}
    assert all(Path(api.state_dir / BACKUPS_DIR / name).stat().st_mode & 0o077 == 0
               for name in names)


def test_a_box_says_it_saves_one_every_night(api: RunningApi, site: Site) -> None:
    """Its Asterisk is the system's, set up by the package whose timer saves the backups."""
    deployment = api.state_dir / "deployment.json"
    try:
        with api.client(site.admin_token) as admin:
            deployment.write_text(json.dumps({"kind": "system"}))
            assert admin.get("/api/backups").json()["nightly"] is True
            deployment.write_text("{garbled")
            assert admin.get("/api/backups").json()["nightly"] is False
    finally:
        deployment.unlink()
