"""The real API server over TLS on loopback, in a thread, with its own database; clients are
httpx clients that trust exactly the server's self-made certificate."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from paivystys.appliance.api.app import create_app
from paivystys.appliance.api.context import ApiConfig
from paivystys.appliance.api.server import uvicorn_config
from paivystys.appliance.api.tls import ensure_certificate
from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import LoginFailure
from paivystys.appliance.directory import Directory
from paivystys.appliance.users.service import ROLE_ADMIN, ROLE_PERSON, Throttle, create_user

ADMIN_PASSWORD = "admin-salasana-123"
PERSON_PASSWORD = "maija-salasana-123"
OTHER_PASSWORD = "pekka-salasana-123"


@dataclass
class RunningApi:
    base_url: str
    config: ApiConfig
    cert_path: Path
    state_dir: Path

    def client(self, token: str | None = None, source: str = "127.0.0.1") -> httpx.Client:
        """A client connecting from ``source``: any 127.x.y.z address plays another machine
        on the LAN."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        trust_only_ours = ssl.create_default_context(cafile=str(self.cert_path))
        transport = httpx.HTTPTransport(verify=trust_only_ours, local_address=source)
        return httpx.Client(base_url=self.base_url, transport=transport, headers=headers,
                            timeout=30)

    def login(self, username: str, password: str) -> str:
        with self.client() as client:
            answer = client.post("/api/login", json={"username": username, "password": password})
        assert answer.status_code == 200, answer.text
        return answer.json()["token"]


def serve(config: ApiConfig, state_dir: Path) -> Iterator[RunningApi]:
    identity = ensure_certificate(state_dir / "tls")
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on connections whose socket says TCP,
    # and accepted sockets inherit the listener's protocol number.  With 0 there, every
    # answer's body waited for the client's delayed ACK of its headers (40 ms a request).
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    base_url = f"https://127.0.0.1:{port}"
    # What an unclaimed box announces with its set-up code, as paivystys-api sets it.
    config.fingerprint = identity.fingerprint
    config.api_url = lambda: base_url
    app = create_app(config)
    server = uvicorn.Server(uvicorn_config(app, identity))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "the API server did not start"
        time.sleep(0.02)
    try:
        yield RunningApi(base_url, config, identity.cert_path, state_dir)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
        assert not thread.is_alive(), "the API server did not stop within 10 s"


@dataclass
class Site:
    """An admin, two on-call people with accounts, a number and a group."""

    admin_token: str
    person_token: str
    other_token: str
    person_id: int
    other_id: int
    number_id: int
    group_id: int


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApi]:
    state_dir = tmp_path_factory.mktemp("api")
    db_path = state_dir / "paivystys.db"
    database = open_database(db_path)
    config = ApiConfig(db_path=db_path, recordings_dir=state_dir / "recordings")
    yield from serve(config, state_dir)
    database.close()


@pytest.fixture(scope="module")
def site(api: RunningApi) -> Site:
    directory = Directory()
    group = directory.add_group("Huolto API")
    number = directory.add_number("020 555 0100", "API-testi")
    maija = directory.add_person("Maija API", "040 555 0101")
    pekka = directory.add_person("Pekka API", "040 555 0102")
    directory.add_member(maija.id, group.id)
    directory.set_number_groups(number.id, [group.id])
    create_user("admin", ADMIN_PASSWORD, ROLE_ADMIN)
    create_user("maija", PERSON_PASSWORD, ROLE_PERSON, maija.id)
    create_user("pekka", OTHER_PASSWORD, ROLE_PERSON, pekka.id)
    return Site(api.login("admin", ADMIN_PASSWORD), api.login("maija", PERSON_PASSWORD),
                api.login("pekka", OTHER_PASSWORD), maija.id, pekka.id, number.id, group.id)


@pytest.fixture(autouse=True)
def no_failed_logins(request: pytest.FixtureRequest) -> None:
    """Every test starts with no failed logins counted against any address or user."""
    if "api" in request.fixturenames:
        request.getfixturevalue("api").config.throttle = Throttle()
        LoginFailure.delete().execute()
