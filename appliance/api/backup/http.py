"""GET /api/backup downloads the configuration (it holds the trunk password and the users'
password hashes: a secret file); POST /api/restore replaces the configuration with a backup's,
validated whole before anything changes, audited as the admin's and applied to Asterisk (503
when that fails: the restored configuration stays).

/api/backups are the backups the box keeps (the nightly ones, and those an admin saves): the
list, one downloaded or restored by its name (matched whole against the one pattern the box
gives its backups, so no name reaches another file), and a new one saved now (503 when the
database fails its integrity check: then nothing is saved or removed)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from paivystys.appliance.api.context import Admin, AdminChanges, ApiConfig, Config
from paivystys.appliance.asterisk.configuration import APPLIANCE_SPEC
from paivystys.appliance.asterisk.site import SYSTEM, AsteriskUnavailable, load_site
from paivystys.appliance.backup import (
    DatabaseDamaged,
    StoredBackup,
    create_backup,
    list_backups,
    read_backup,
    recheck_after_restore,
    restore_backup,
    save_backup,
)
from paivystys.appliance.backup.stored import NAME_MAX_LENGTH, NAME_PATTERN, kept_count
from paivystys.appliance.db.database import database_path

router = APIRouter(prefix="/api", tags=["backup"], responses={401: {}, 403: {}})

MAX_BACKUP_BYTES = 20_000_000  # the largest backup file a restore takes
T = TypeVar("T")


class RestoreOut(BaseModel):
    counts: dict[str, int] = Field(description="rows restored, per table")
    tokens_revoked: int = Field(description="API logins ended: everyone logs in again")


class StoredBackupOut(BaseModel):
    name: str = Field(description="the backup's name, which identifies it")
    created_at: str = Field(description="when it was saved, ISO 8601 in UTC")
    size: int = Field(description="bytes")


class StoredBackupsOut(BaseModel):
    backups: list[StoredBackupOut] = Field(description="newest first")
    kept: int = Field(description="how many the box keeps (the setting backups_kept)")
    nightly: bool = Field(description="whether this switchboard saves one every night (a box "
                                      "does; lab mode has no nightly timer)")


BackupName = Annotated[str, PathParam(pattern=NAME_PATTERN, max_length=NAME_MAX_LENGTH,
                                      description="a stored backup's name, as listed")]


def _database(config: ApiConfig) -> Path:
    return (config.db_path or database_path()).resolve()


def _nightly(state_dir: Path) -> bool:
    """A box, whose package's timer saves a backup every night: the Asterisk of its state
    directory is the system's (lab mode runs its own and has no timer)."""
    try:
        site = load_site(state_dir, APPLIANCE_SPEC)
    except AsteriskUnavailable:
        return False
    return site is not None and site.kind == SYSTEM


def _stored(backup: StoredBackup) -> StoredBackupOut:
    return StoredBackupOut(name=backup.name, created_at=backup.created_at.isoformat(),
                           size=backup.size)


def _attachment(data: bytes, name: str) -> Response:
    return Response(data, media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


@router.get("/backup", response_class=Response,
            responses={200: {"content": {"application/json": {}}}})
def download_backup(changes: AdminChanges) -> Response:
    data = create_backup(changes)
    return _attachment(data, f"paivystys-backup-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.json")


@router.post("/restore", response_model=RestoreOut, responses={422: {}, 503: {}},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"type": "object"}}}}})
async def restore(request: Request, changes: AdminChanges, config: Config) -> RestoreOut:
    data = await request.body()  # at most MAX_BACKUP_BYTES: the application's BodySizeLimit
    return await _in_thread(lambda: _restore(data, changes, config))


def _restore(data: bytes, changes: AdminChanges, config: Config) -> RestoreOut:
    summary = restore_backup(data, changes=changes)
    # A database whose last check failed is checked again: the health says if this mended it.
    recheck_after_restore(_database(config))
    return RestoreOut(counts=summary.counts, tokens_revoked=summary.tokens_revoked)


@router.get("/backups", response_model=StoredBackupsOut)
def stored_backups(user: Admin, config: Config) -> StoredBackupsOut:
    return StoredBackupsOut(backups=[_stored(backup) for backup in
                                     list_backups(config.state_dir)], kept=kept_count(),
                            nightly=_nightly(config.state_dir))


@router.post("/backups", response_model=StoredBackupOut, status_code=201, responses={503: {}})
def save_stored_backup(changes: AdminChanges, config: Config) -> StoredBackupOut:
    try:
        saved = save_backup(_database(config), changes)
    except DatabaseDamaged as damaged:
        raise HTTPException(503, str(damaged)) from damaged
    return _stored(saved.backup)


@router.get("/backups/{name}", response_class=Response, responses={
    200: {"content": {"application/json": {}}}, 404: {}, 422: {}})
def download_stored_backup(name: BackupName, user: Admin, config: Config) -> Response:
    return _attachment(read_backup(config.state_dir, name), name)


@router.post("/backups/{name}/restore", response_model=RestoreOut,
             responses={404: {}, 422: {}, 503: {}})
def restore_stored_backup(name: BackupName, changes: AdminChanges,
                          config: Config) -> RestoreOut:
    return _restore(read_backup(config.state_dir, name), changes, config)


async def _in_thread(function: Callable[[], T]) -> T:
    # The restore touches the database (thread-bound connections): not on the event loop.
    return await asyncio.get_running_loop().run_in_executor(None, function)
