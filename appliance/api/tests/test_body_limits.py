"""Request body limits: a small one for JSON, a restore's own; refused while the body arrives,
so the application never holds more than the limit of a 100 MB body."""

from __future__ import annotations

import asyncio
import json
import select
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from paivystys.appliance.api.app import create_app
from paivystys.appliance.api.backup.http import MAX_BACKUP_BYTES
from paivystys.appliance.api.context import ApiConfig
from paivystys.appliance.api.limits import JSON_BODY_LIMIT
from paivystys.appliance.api.tests.conftest import RunningApi, Site
from paivystys.appliance.api.tls import CERT_FILE
from paivystys.appliance.db.database import open_database

HUNDRED_MB = 100 * 1024 * 1024
CHUNK = 64 * 1024


@dataclass
class Exchange:
    status: int
    headers: dict[str, str]
    body: bytes


def _connect(port: int, cert_path: Path) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=str(cert_path))
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    return context.wrap_socket(raw, server_hostname="127.0.0.1")


def _read_answer(connection: ssl.SSLSocket, data: bytes) -> tuple[int, dict[str, str], bytes]:
    while b"\r\n\r\n" not in data:
        piece = connection.recv(65536)
        assert piece, f"the server closed without an answer: {data!r}"
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip()
               for name, _, value in (line.partition(":") for line in lines)}
    while len(body) < int(headers.get("content-length", "0")):
        piece = connection.recv(65536)
        if not piece:
            break
        body += piece
    return int(status_line.split()[1]), headers, body


def send_streaming(port: int, cert_path: Path, method: str, path: str, *, declared: int | None,
                   total: int, extra_headers: str = "") -> Exchange:
    """Send up to ``total`` bytes of body (chunked when ``declared`` is None), stopping as soon
    as the answer begins, as a client that streams an upload does.  One thread: an SSL
    connection must not be read and written from two at once."""
    connection = _connect(port, cert_path)
    framing = (f"Content-Length: {declared}" if declared is not None
               else "Transfer-Encoding: chunked")
    connection.sendall(f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       f"Content-Type: application/json\r\n{extra_headers}{framing}\r\n\r\n"
                       .encode())
    try:
        sent, answer = 0, b""
        while sent < total and not (answer := _answer_so_far(connection)):
            chunk = b" " * min(CHUNK, total - sent)
            connection.sendall(chunk if declared is not None
                               else b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
        if declared is None and sent == total:
            connection.sendall(b"0\r\n\r\n")  # the last chunk
        return Exchange(*_read_answer(connection, answer))
    finally:
        connection.close()


def _answer_so_far(connection: ssl.SSLSocket) -> bytes:
    """What has arrived of the answer, without waiting.  A readable socket alone is no answer:
    TLS 1.3 session tickets arrive after the handshake too."""
    if not select.select([connection], [], [], 0)[0]:
        return b""
    connection.settimeout(0)
    try:
        return connection.recv(65536)
    except ssl.SSLWantReadError:
        return b""
    finally:
        connection.settimeout(10)


def _port(api: RunningApi) -> int:
    return int(api.base_url.rsplit(":", 1)[1])


@pytest.mark.parametrize("declared", [HUNDRED_MB, None], ids=["content-length", "chunked"])
def test_a_100_mb_login_is_refused_with_413(api: RunningApi, declared: int | None) -> None:
    answer = send_streaming(_port(api), api.cert_path, "POST", "/api/login",
                            declared=declared, total=HUNDRED_MB)
    assert answer.status == 413
    assert json.loads(answer.body) == {
        "detail": f"the request body is larger than the {JSON_BODY_LIMIT} bytes "
                  "POST /api/login takes"}


@pytest.mark.parametrize("declare", [True, False], ids=["content-length", "chunked"])
def test_the_application_reads_no_more_than_the_limit(declare: bool) -> None:
    """At the application's door (ASGI): a streamed 100 MB body is consumed only up to the
    limit (one chunk past it), declared or not; a declared one not at all."""
    consumed = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal consumed
        while consumed < HUNDRED_MB:
            consumed += CHUNK
            yield b" " * CHUNK

    async def post() -> httpx.Response:
        headers = {"Content-Type": "application/json"}
        if declare:
            headers["Content-Length"] = str(HUNDRED_MB)
        transport = httpx.ASGITransport(app=create_app(ApiConfig(db_path=None)))
        async with httpx.AsyncClient(transport=transport, base_url="https://box") as client:
            return await client.post("/api/login", content=body(), headers=headers)

    answer = asyncio.run(post())
    assert answer.status_code == 413
    assert "larger than the 65536 bytes" in answer.json()["detail"]
    assert consumed <= (0 if declare else JSON_BODY_LIMIT + CHUNK), consumed


def test_a_json_body_under_the_limit_is_read(api: RunningApi, site: Site) -> None:
    padded = json.dumps({"username": "nobody", "password": "x"}) + " " * (JSON_BODY_LIMIT - 100)
    with api.client() as client:
        answer = client.post("/api/login", content=padded,
                             headers={"Content-Type": "application/json"})
    assert answer.status_code == 401  # read and answered, not refused for its size


def test_an_endpoint_without_a_body_has_the_same_limit(api: RunningApi, site: Site) -> None:
    with api.client(site.admin_token) as admin:
        answer = admin.request("GET", "/api/groups", content=b" " * (JSON_BODY_LIMIT + 1))
    assert answer.status_code == 413


def test_a_restore_has_its_own_larger_limit(api: RunningApi, site: Site) -> None:
    with api.client(site.admin_token) as admin:
        backup = json.loads(admin.get("/api/backup").content)
        backup["note"] += " " * (JSON_BODY_LIMIT * 4)  # over the JSON limit, under its own
        restored = admin.post("/api/restore", content=json.dumps(backup),
                              headers={"Content-Type": "application/json"})
        assert restored.status_code == 200, restored.text
    site.admin_token = api.login("admin", "admin-salasana-123")
    site.person_token = api.login("maija", "maija-salasana-123")
    site.other_token = api.login("pekka", "pekka-salasana-123")
    too_big = send_streaming(_port(api), api.cert_path, "POST", "/api/restore",
                             declared=MAX_BACKUP_BYTES + 1, total=MAX_BACKUP_BYTES + 1,
                             extra_headers=f"Authorization: Bearer {site.admin_token}\r\n")
    assert too_big.status == 413
    assert json.loads(too_big.body)["detail"] == (
        f"the request body is larger than the {MAX_BACKUP_BYTES} bytes POST /api/restore takes")
    chunked = send_streaming(_port(api), api.cert_path, "POST", "/api/restore", declared=None,
                             total=HUNDRED_MB,
                             extra_headers=f"Authorization: Bearer {site.admin_token}\r\n")
    assert chunked.status == 413


def _rss_kib(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines()
                    if line.startswith("VmRSS:")))


def test_the_api_process_does_not_grow_with_a_huge_body(tmp_path: Path) -> None:
    """The observation this limit answers: one 100 MB login took paivystys-api from 78 MB to
    754 MB.  Now the process grows by less than a few megabytes, declared or chunked."""
    open_database(tmp_path / "paivystys.db").close()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()
    ready = tmp_path / "api.ready"
    process = subprocess.Popen(
        [sys.executable, "-m", "paivystys.appliance.api.server", "--db",
         str(tmp_path / "paivystys.db"), "--listen", f"127.0.0.1:{port}", "--no-advertise",
         "--ready-file", str(ready)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert process.poll() is None and time.monotonic() < deadline, "the API did not start"
            time.sleep(0.1)
        cert = tmp_path / "tls" / CERT_FILE
        warm = send_streaming(port, cert, "POST", "/api/login", declared=None, total=1024)
        assert warm.status == 422
        before = _rss_kib(process.pid)
        for declared in (HUNDRED_MB, None):
            answer = send_streaming(port, cert, "POST", "/api/login", declared=declared,
                                    total=HUNDRED_MB)
            assert answer.status == 413
        grown_mib = (_rss_kib(process.pid) - before) / 1024
        assert grown_mib < 10, f"the API process grew by {grown_mib:.0f} MiB"
    finally:
        process.terminate()
        process.wait(timeout=10)
