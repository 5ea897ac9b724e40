"""A box whose database failed its integrity check at boot, through the API: it still
starts and lets the admin in, its health says what is wrong and which backup to restore, no
backup is taken of it, and a restore is followed by a new check."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from paivystys.appliance.api.context import ApiConfig
from paivystys.appliance.api.tests.conftest import ADMIN_PASSWORD, RunningApi, serve
from paivystys.appliance.backup import list_backups, save_backup
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.integrity import AT_BOOT, check_integrity, record_integrity
from paivystys.appliance.db.tests.damage import damage_page_header
from paivystys.appliance.directory import Directory
from paivystys.appliance.users.service import ROLE_ADMIN, create_user


@pytest.fixture(scope="module")
def damaged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApi]:
    """The box as `paivystys box setup` leaves it after finding the damage."""
    state_dir = tmp_path_factory.mktemp("damaged")
    db_path = state_dir / "paivystys.db"
    database = open_database(db_path)
    Directory().add_group("Huolto")
    create_user("admin", ADMIN_PASSWORD, ROLE_ADMIN)
    save_backup(db_path)  # last night's, of a sound database
    database.close()
    damage_page_header(db_path, "call")
    record_integrity(state_dir, check_integrity(db_path, AT_BOOT))
    config = ApiConfig(db_path=db_path, recordings_dir=state_dir / "recordings")
    yield from serve(config, state_dir)


def test_the_admin_logs_in_and_the_health_names_the_backup(damaged: RunningApi) -> None:
    (good,) = list_backups(damaged.state_dir)
    with damaged.client(damaged.login("admin", ADMIN_PASSWORD)) as admin:
        database = admin.get("/api/health").json()["database"]
    assert database["ok"] is False
    assert "free space corruption" in database["problems"][0]
    assert database["state"].startswith("the database failed its integrity check (at boot, ")
    assert f"The last good backup is {good.name}" in database["state"]
    assert database["last_good_backup"]["name"] == good.name


def test_no_backup_is_taken_of_it_and_none_is_removed(damaged: RunningApi) -> None:
    before = list_backups(damaged.state_dir)
    with damaged.client(damaged.login("admin", ADMIN_PASSWORD)) as admin:
        answer = admin.post("/api/backups")
        assert answer.status_code == 503
        assert "not backed up: the database failed its integrity check (before a backup" in (
            answer.json()["detail"])
        assert admin.get("/api/backups").json()["backups"][0]["name"] == before[0].name
    assert list_backups(damaged.state_dir) == before


def test_a_restore_checks_the_database_again(damaged: RunningApi) -> None:
    (good,) = list_backups(damaged.state_dir)
    with damaged.client(damaged.login("admin", ADMIN_PASSWORD)) as admin:
        assert admin.post(f"/api/backups/{good.name}/restore").status_code == 200
    with damaged.client(damaged.login("admin", ADMIN_PASSWORD)) as admin:
        database = admin.get("/api/health").json()["database"]
    # The configuration is back; the damage is in the call log, which a restore keeps.
    assert database["ok"] is False
    assert database["state"].startswith("the database failed its integrity check (after a "
                                        "restore, ")
