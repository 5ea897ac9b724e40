"""GET /api/backup downloads the configuration (it holds the trunk password and the users'
password hashes: a secret file); POST /api/restore replaces the configuration with a backup's,
validated whole before anything changes, audited as the admin's and applied to Asterisk (503
when that fails: the restored configuration stays)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from paivystys.appliance.api.context import AdminChanges
from paivystys.appliance.backup import create_backup, restore_backup

router = APIRouter(prefix="/api", tags=["backup"], responses={401: {}, 403: {}})

MAX_BACKUP_BYTES = 20_000_000  # the largest backup file a restore takes
T = TypeVar("T")


class RestoreOut(BaseModel):
    counts: dict[str, int] = Field(description="rows restored, per table")
    tokens_revoked: int = Field(description="API logins ended: everyone logs in again")


@router.get("/backup", response_class=Response,
            responses={200: {"content": {"application/json": {}}}})
def download_backup(changes: AdminChanges) -> Response:
    data = create_backup(changes)
    name = f"paivystys-backup-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.json"
    return Response(data, media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})


@router.post("/restore", response_model=RestoreOut, responses={422: {}, 503: {}},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"type": "object"}}}}})
async def restore(request: Request, changes: AdminChanges) -> RestoreOut:
    data = await request.body()  # at most MAX_BACKUP_BYTES: the application's BodySizeLimit
    summary = await _in_thread(lambda: restore_backup(data, changes=changes))
    return RestoreOut(counts=summary.counts, tokens_revoked=summary.tokens_revoked)


async def _in_thread(function: Callable[[], T]) -> T:
    # The restore touches the database (thread-bound connections): not on the event loop.
    return await asyncio.get_running_loop().run_in_executor(None, function)
