"""GET /api/backup downloads the configuration (it holds the trunk password and the users'
password hashes: a secret file); POST /api/restore replaces the configuration with a backup's,
validated whole before anything changes."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from fastapi import APIRouter, Request, Response

from paivystys.appliance.api.context import Admin
from paivystys.appliance.api.errors import FieldError
from paivystys.appliance.audit import record
from paivystys.appliance.backup import BackupError, create_backup, restore_backup

router = APIRouter(prefix="/api", tags=["backup"], responses={401: {}, 403: {}})

MAX_BACKUP_BYTES = 20_000_000  # the largest backup file a restore takes
T = TypeVar("T")


@router.get("/backup", response_class=Response,
            responses={200: {"content": {"application/json": {}}}})
def download_backup(user: Admin) -> Response:
    data = create_backup()
    record(user.username, "backup.create", None, {"bytes": len(data)})
    name = f"paivystys-backup-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.json"
    return Response(data, media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


@router.post("/restore", responses={422: {}},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"type": "object"}}}}})
async def restore(request: Request, user: Admin) -> dict[str, object]:
    data = await request.body()  # at most MAX_BACKUP_BYTES: the application's BodySizeLimit
    try:
        summary = await _in_thread(restore_backup, data)
    except BackupError as error:
        raise FieldError(error.field, error.message) from None
    record(user.username, "backup.restore", None, {"counts": summary.counts})
    return {"counts": summary.counts, "tokens_revoked": summary.tokens_revoked}


async def _in_thread(function: Callable[..., T], *args: object) -> T:
    # The restore touches the database (thread-bound connections): not on the event loop.
    return await asyncio.get_running_loop().run_in_executor(None, function, *args)
