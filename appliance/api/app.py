"""The FastAPI application: routers of each feature, error shapes, the database, and the
background work of the API process (the live view's hub, recording retention)."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

from fastapi import Depends, FastAPI

from paivystys.appliance.api import errors
from paivystys.appliance.api.auth import http as auth_http
from paivystys.appliance.api.backup import http as backup_http
from paivystys.appliance.api.calls import http as calls_http
from paivystys.appliance.api.claim import http as claim_http
from paivystys.appliance.api.claim.notice import ClaimWatch
from paivystys.appliance.api.context import ApiConfig
from paivystys.appliance.api.events import http as events_http
from paivystys.appliance.api.events.hub import EventHub
from paivystys.appliance.api.health import http as health_http
from paivystys.appliance.api.health.service import snapshot
from paivystys.appliance.api.limits import JSON_BODY_LIMIT, BodySizeLimit
from paivystys.appliance.api.listening import http as listening_http
from paivystys.appliance.api.management import http as management_http
from paivystys.appliance.api.modem import http as modem_http
from paivystys.appliance.api.network import http as network_http
from paivystys.appliance.api.recordings import http as recordings_http
from paivystys.appliance.api.trunk import http as trunk_http
from paivystys.appliance.api.update import http as update_http
from paivystys.appliance.api.update.package import MAX_PACKAGE_BYTES, UpdateDir
from paivystys.appliance.db.database import open_database
from paivystys.appliance.recordings.retention import delete_expired
from paivystys.appliance.runtime.systemd import Heartbeat, Readiness, keep_watchdog

log = logging.getLogger(__name__)

RETENTION_EVERY_S = 3600.0
HEARTBEAT_EVERY_S = 5.0
ROUTERS = (claim_http, auth_http, management_http, recordings_http, health_http, events_http,
           backup_http, trunk_http, calls_http, modem_http, update_http, network_http,
           listening_http)
# Until the box has its first admin, these alone answer (the health still by its own rule);
# every other route refuses with how to claim it.
OPEN_BEFORE_CLAIM = (claim_http, health_http)
# Every body is a small JSON document but these, which carry files.
LARGER_BODIES = {("POST", "/api/restore"): backup_http.MAX_BACKUP_BYTES,
                 ("POST", "/api/update"): MAX_PACKAGE_BYTES}


def create_app(config: ApiConfig) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = open_database(config.db_path)
        data_dir = Path(database.database).resolve().parent
        UpdateDir(data_dir).remove_partials()  # uploads cut short when the API last stopped
        hub = EventHub(config.events_socket, lambda: snapshot(data_dir, config.version))
        app.state.hub = hub
        hub.start()
        claim_watch = ClaimWatch(data_dir, config.setup_code_file, config.fingerprint,
                                 config.api_url)
        app.state.claim_watch = claim_watch
        claim_watch.check()
        watching = asyncio.create_task(claim_watch.keep_in_step())
        retention = (asyncio.create_task(_retention_loop(config.recordings_dir))
                     if config.recordings_dir is not None else None)
        # The watchdog's heartbeat comes from the event loop itself: a loop blocked by a
        # request that never returns stops it, and systemd restarts the API.
        heartbeat = Heartbeat()
        beating = asyncio.create_task(_beat(heartbeat))
        stop_watchdog = threading.Event()
        keep_watchdog(heartbeat.fresh, stop_watchdog)
        # Ready once the socket listens: ListeningServer says so (uvicorn runs this startup
        # before it binds).
        readiness = Readiness(config.ready_file)
        app.state.readiness = readiness
        try:
            yield
        finally:
            readiness.stopping()
            stop_watchdog.set()
            for task in (watching, retention, beating):
                if task is not None:
                    task.cancel()
                    with suppress(asyncio.CancelledError):
                        await task
            await hub.stop()
            database.close()

    # No /docs pages on the box: the OpenAPI document is enough for the console and tools.
    app = FastAPI(title="Päivystysvaihde", version=config.version, lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    app.state.config = config
    errors.install(app)
    events_http.document(app)
    for module in ROUTERS:
        if module in OPEN_BEFORE_CLAIM:
            app.include_router(module.router)
        else:
            app.include_router(module.router, responses=claim_http.REFUSED_UNCLAIMED,
                               dependencies=[Depends(claim_http.require_claimed)])
    app.add_middleware(BodySizeLimit, default=JSON_BODY_LIMIT, routes=LARGER_BODIES)
    return app


async def _beat(heartbeat: Heartbeat) -> None:
    while True:
        heartbeat.beat()
        await asyncio.sleep(HEARTBEAT_EVERY_S)


async def _retention_loop(recordings_dir: Path) -> None:
    loop = asyncio.get_running_loop()
    while True:
        try:
            await loop.run_in_executor(None, delete_expired, recordings_dir)
        except Exception:
            log.exception("deleting expired recordings failed; trying again in an hour")
        await asyncio.sleep(RETENTION_EVERY_S)
