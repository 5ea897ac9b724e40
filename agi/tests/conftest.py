from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import peewee
import pytest

from paivystys.agi.registry import HandlerContext, Registry
from paivystys.agi.server import FastAgiServer
from paivystys.appliance.db.database import open_database
from paivystys.appliance.ringing.tests.conftest import RECORDINGS, Directory


@pytest.fixture
def db(tmp_path: Path) -> Iterator[peewee.SqliteDatabase]:
    database = open_database(tmp_path / "db")
    yield database
    database.close()


@pytest.fixture
def directory(db: peewee.SqliteDatabase) -> Directory:
    return Directory()


ServerFactory = Callable[..., FastAgiServer]


@pytest.fixture
def start_server(db: peewee.SqliteDatabase) -> Iterator[ServerFactory]:
    """Starts FastAGI servers on free ports, serving in a thread; stops them afterwards."""
    servers: list[FastAgiServer] = []

    def start(registry: Registry, instance_dir: Path | None = None,
              **options: float) -> FastAgiServer:
        server = FastAgiServer(("127.0.0.1", 0), HandlerContext(db, RECORDINGS, instance_dir),
                               registry, **options)
        # A short poll interval: shutdown() waits for the next poll.
        threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
