"""The console's pinning against a bare TLS server that records what reaches it: a wrong
pin fails after the handshake and before a byte of the request (and so the token) is sent."""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from paivystys.appliance.api.tls import ServerIdentity, ensure_certificate, server_ssl_context
from paivystys.gui.net.pinning import (
    FingerprintMismatch,
    fetch_fingerprint,
    pinned_context,
    pinned_httpx_client,
)

WRONG_FINGERPRINT = ":".join(["AB"] * 32)


@pytest.mark.parametrize("typed", ["", "AB:CD", ":".join(["ZZ"] * 32), "AB" * 33])
def test_a_mistyped_pin_is_refused_at_once(typed: str) -> None:
    with pytest.raises(ValueError, match="fingerprint"):
        pinned_context(typed)




class _RecordingHandler(BaseHTTPRequestHandler):
    server: _TLSServer

    def do_GET(self) -> None:
        self.server.request_paths.append(self.path)
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests read `request_paths` instead."""


class _TLSServer(ThreadingHTTPServer):
    """HTTPS on 127.0.0.1 that records the path of every request it receives."""

    daemon_threads = True

    def __init__(self, context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), _RecordingHandler)
        self.context = context
        self.request_paths: list[str] = []
        self.handshakes = 0
        self.connections_done = threading.Semaphore(0)

    def finish_request(self, request: socket.socket, client_address: tuple[str, int]) -> None:
        # The handshake runs here, in the connection's thread, not in the accept loop.
        try:
            with self.context.wrap_socket(request, server_side=True) as tls_request:
                self.handshakes += 1
                super().finish_request(tls_request, client_address)
        finally:
            self.connections_done.release()

    def wait_for_connections(self, count: int) -> None:
        """Until `count` more connections are over: whatever they carried is recorded by then."""
        for _ in range(count):
            assert self.connections_done.acquire(timeout=5), "the server is still reading"

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        """Quiet: a client that drops the connection after the handshake is what we test."""


@pytest.fixture
def identity(tmp_path: Path) -> ServerIdentity:
    return ensure_certificate(tmp_path / "tls")


@pytest.fixture
def server(identity: ServerIdentity) -> Iterator[_TLSServer]:
    server = _TLSServer(server_ssl_context(identity))
    # A short poll interval: shutdown() waits for the loop to notice.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _base_url(server: _TLSServer) -> str:
    return f"https://127.0.0.1:{server.server_address[1]}"


def test_the_pinned_client_talks_to_the_pinned_server(
        server: _TLSServer, identity: ServerIdentity) -> None:
    with pinned_httpx_client(_base_url(server), identity.fingerprint, timeout=5) as client:
        answers = [client.get("/api/status"), client.get("/api/status")]

    assert [answer.json() for answer in answers] == [{"ok": True}] * 2
    assert server.request_paths == ["/api/status"] * 2


def test_a_wrong_pin_fails_before_the_request_leaves(
        server: _TLSServer, identity: ServerIdentity) -> None:
    with (pinned_httpx_client(_base_url(server), WRONG_FINGERPRINT, timeout=5) as client,
          pytest.raises(FingerprintMismatch) as mismatch):
        client.get("/api/secret", headers={"Authorization": "Bearer not-for-strangers"})
    assert (mismatch.value.expected, mismatch.value.got) == (WRONG_FINGERPRINT,
                                                             identity.fingerprint)
    server.wait_for_connections(1)
    assert server.handshakes == 1
    assert server.request_paths == []

    # The same server does record requests that are sent.
    with pinned_httpx_client(_base_url(server), identity.fingerprint, timeout=5) as client:
        client.get("/api/after")
    assert server.request_paths == ["/api/after"]


def test_the_pinned_context_guards_async_clients_too(
        server: _TLSServer, identity: ServerIdentity) -> None:
    """httpx's async transport does TLS over memory BIOs (`wrap_bio`), not `wrap_socket`."""

    async def fetch(path: str, pin: str) -> httpx.Response:
        async with httpx.AsyncClient(base_url=_base_url(server), trust_env=False, timeout=5,
                                     verify=pinned_context(pin)) as client:
            return await client.get(path)

    with pytest.raises(FingerprintMismatch):
        asyncio.run(fetch("/api/secret", WRONG_FINGERPRINT))
    server.wait_for_connections(1)
    assert server.request_paths == []
    assert asyncio.run(fetch("/api/after", identity.fingerprint)).json() == {"ok": True}
    assert server.request_paths == ["/api/after"]


REQUEST = b"GET /api/secret HTTP/1.0\r\n\r\n"


def test_writing_before_an_explicit_handshake_still_checks_the_pin(server: _TLSServer) -> None:
    """OpenSSL would otherwise handshake implicitly inside the first write and send the data."""
    context = pinned_context(WRONG_FINGERPRINT)
    with (socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=5) as raw,
          context.wrap_socket(raw, server_hostname="127.0.0.1",
                              do_handshake_on_connect=False) as connection,
          pytest.raises(FingerprintMismatch)):
        connection.sendall(REQUEST)

    with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=5) as raw:
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        connection_in_memory = context.wrap_bio(incoming, outgoing, server_hostname="127.0.0.1")
        with pytest.raises(FingerprintMismatch):
            while True:
                try:
                    connection_in_memory.write(REQUEST)
                    break
                except ssl.SSLWantReadError:
                    raw.sendall(outgoing.read())
                    incoming.write(raw.recv(65536))
            raw.sendall(outgoing.read())

    server.wait_for_connections(2)
    assert server.request_paths == []


def test_the_fingerprint_to_pin_can_be_read_off_the_server(
        server: _TLSServer, identity: ServerIdentity) -> None:
    assert fetch_fingerprint("127.0.0.1", server.server_address[1]) == (
        identity.fingerprint)
    assert server.request_paths == []


def test_a_pinned_client_sends_nothing_in_the_clear(identity: ServerIdentity) -> None:
    # Port 1 is closed: without the refusal the request would fail as a ConnectError instead.
    with (pinned_httpx_client("http://127.0.0.1:1", identity.fingerprint) as client,
          pytest.raises(httpx.UnsupportedProtocol, match="not https")):
        client.get("/api/status")


@pytest.mark.parametrize("option", [{"verify": False}, {"transport": httpx.HTTPTransport()},
                                    {"mounts": {}}])
def test_options_that_would_bypass_the_pin_are_refused(
        identity: ServerIdentity, option: dict[str, object]) -> None:
    with pytest.raises(TypeError, match="bypass the pin"):
        pinned_httpx_client("https://127.0.0.1", identity.fingerprint, **option)
