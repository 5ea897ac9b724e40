"""The API's TLS identity and certificate pinning: a real TLS server on loopback, real clients."""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import ssl
import stat
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from paivystys.appliance.api import tls

OPENSSL_FINGERPRINT = re.compile(r"^([0-9A-F]{2}:){31}[0-9A-F]{2}$")
WRONG_FINGERPRINT = ":".join(["AB"] * 32)


def _certificate(identity: tls.ServerIdentity) -> x509.Certificate:
    return x509.load_pem_x509_certificate(identity.cert_path.read_bytes())


def _file_state(path: Path) -> tuple[bytes, int, int]:
    status = path.stat()
    return path.read_bytes(), status.st_ino, status.st_mtime_ns


def test_the_pair_is_made_once_and_then_reused_untouched(tmp_path: Path) -> None:
    directory = tmp_path / "state" / "tls"
    first = tls.ensure_certificate(directory)
    key_before, cert_before = _file_state(first.key_path), _file_state(first.cert_path)

    second = tls.ensure_certificate(directory, hostnames=["other.example"],
                                    addresses=["192.0.2.99"])

    assert second == first
    assert (_file_state(second.key_path), _file_state(second.cert_path)) == (
        key_before, cert_before)
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(first.key_path.stat().st_mode) == 0o600
    assert sorted(path.name for path in directory.iterdir()) == ["api.crt", "api.key"]


def test_the_certificate_names_the_box_and_serves_only_as_a_server(tmp_path: Path) -> None:
    identity = tls.ensure_certificate(tmp_path, hostnames=["paivystys.example"],
                                      addresses=["192.0.2.10", "2001:db8::10"])
    certificate = _certificate(identity)
    host_name = socket.gethostname().lower()
    short_host_name = host_name.split(".")[0]

    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(names.get_values_for_type(x509.DNSName)) == {
        "localhost", host_name, f"{short_host_name}.local", "paivystys.example"}
    assert set(names.get_values_for_type(x509.IPAddress)) == {ipaddress.ip_address(address) for
        address in ("127.0.0.1", "::1", "192.0.2.10", "2001:db8::10")}
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == (
        f"Päivystysvaihde {short_host_name}")
    assert certificate.issuer == certificate.subject

    now = datetime.now(UTC)
    assert certificate.not_valid_before_utc <= now - timedelta(hours=23)
    assert certificate.not_valid_after_utc >= now + timedelta(days=3650)

    constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and not constraints.value.ca
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and not usage.value.key_cert_sign
    assert list(certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value) == [
        ExtendedKeyUsageOID.SERVER_AUTH]

    key = serialization.load_pem_private_key(identity.key_path.read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert isinstance(key.curve, ec.SECP256R1)


def test_the_fingerprint_is_written_as_openssl_writes_it(tmp_path: Path) -> None:
    identity = tls.ensure_certificate(tmp_path)
    certificate = _certificate(identity)
    der = certificate.public_bytes(serialization.Encoding.DER)
    expected = certificate.fingerprint(hashes.SHA256()).hex(":").upper()

    assert OPENSSL_FINGERPRINT.match(expected)
    assert identity.fingerprint == expected
    assert tls.fingerprint_of_der(der) == expected
    assert tls.fingerprint(der) == expected
    assert tls.fingerprint(identity.cert_path.read_bytes()) == expected
    assert tls.fingerprint(identity.cert_path.read_text()) == expected
    assert tls.parse_fingerprint(expected.replace(":", "").lower()) == expected
    tls.verify_pinned(der, expected)
    with pytest.raises(tls.FingerprintMismatch) as mismatch:
        tls.verify_pinned(der, WRONG_FINGERPRINT)
    assert (mismatch.value.expected, mismatch.value.got) == (WRONG_FINGERPRINT, expected)


@pytest.mark.parametrize("typed", ["", "AB:CD", ":".join(["ZZ"] * 32), "AB" * 33])
def test_a_mistyped_pin_is_refused_at_once(typed: str) -> None:
    with pytest.raises(ValueError, match="fingerprint"):
        tls.pinned_client_context(typed)


@pytest.mark.parametrize("broken_file", ["api.key", "api.crt"])
def test_an_unparsable_file_is_named_and_left_alone(tmp_path: Path, broken_file: str) -> None:
    tls.ensure_certificate(tmp_path)
    (tmp_path / broken_file).write_text("-----BEGIN garbage-----\n")
    before = {path.name: _file_state(path) for path in tmp_path.iterdir()}

    with pytest.raises(tls.CertificateError, match=re.escape(str(tmp_path / broken_file))) as error:
        tls.ensure_certificate(tmp_path)

    assert "Delete both" in str(error.value)
    assert {path.name: _file_state(path) for path in tmp_path.iterdir()} == before


def test_a_certificate_of_another_key_is_refused(tmp_path: Path) -> None:
    tls.ensure_certificate(tmp_path / "a")
    other = tls.ensure_certificate(tmp_path / "b")
    (tmp_path / "a" / "api.crt").write_bytes(other.cert_path.read_bytes())

    with pytest.raises(tls.CertificateError, match="does not belong to the key") as error:
        tls.ensure_certificate(tmp_path / "a")
    assert str(tmp_path / "a" / "api.crt") in str(error.value)
    assert (tmp_path / "a" / "api.crt").read_bytes() == other.cert_path.read_bytes()


def test_a_certificate_without_its_key_is_refused(tmp_path: Path) -> None:
    identity = tls.ensure_certificate(tmp_path)
    identity.key_path.unlink()

    with pytest.raises(tls.CertificateError, match=re.escape(f"{identity.key_path} is missing")):
        tls.ensure_certificate(tmp_path)
    assert not identity.key_path.exists()


def test_a_key_whose_certificate_never_got_written_gets_one(tmp_path: Path) -> None:
    """What a power cut between the two writes of the first start leaves behind."""
    identity = tls.ensure_certificate(tmp_path)
    key_before = _file_state(identity.key_path)
    identity.cert_path.unlink()

    again = tls.ensure_certificate(tmp_path)

    assert _file_state(again.key_path) == key_before
    assert _certificate(again).public_key() == _certificate(identity).public_key()


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
def identity(tmp_path: Path) -> tls.ServerIdentity:
    return tls.ensure_certificate(tmp_path / "tls")


@pytest.fixture
def server(identity: tls.ServerIdentity) -> Iterator[_TLSServer]:
    server = _TLSServer(tls.server_ssl_context(identity))
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
        server: _TLSServer, identity: tls.ServerIdentity) -> None:
    with tls.httpx_client(_base_url(server), identity.fingerprint, timeout=5) as client:
        answers = [client.get("/api/status"), client.get("/api/status")]

    assert [answer.json() for answer in answers] == [{"ok": True}] * 2
    assert server.request_paths == ["/api/status"] * 2


def test_a_wrong_pin_fails_before_the_request_leaves(
        server: _TLSServer, identity: tls.ServerIdentity) -> None:
    with (tls.httpx_client(_base_url(server), WRONG_FINGERPRINT, timeout=5) as client,
          pytest.raises(tls.FingerprintMismatch) as mismatch):
        client.get("/api/secret", headers={"Authorization": "Bearer not-for-strangers"})
    assert (mismatch.value.expected, mismatch.value.got) == (WRONG_FINGERPRINT,
                                                             identity.fingerprint)
    server.wait_for_connections(1)
    assert server.handshakes == 1
    assert server.request_paths == []

    # The same server does record requests that are sent.
    with tls.httpx_client(_base_url(server), identity.fingerprint, timeout=5) as client:
        client.get("/api/after")
    assert server.request_paths == ["/api/after"]


def test_the_pinned_context_guards_async_clients_too(
        server: _TLSServer, identity: tls.ServerIdentity) -> None:
    """httpx's async transport does TLS over memory BIOs (`wrap_bio`), not `wrap_socket`."""

    async def fetch(path: str, pin: str) -> httpx.Response:
        async with httpx.AsyncClient(base_url=_base_url(server), trust_env=False, timeout=5,
                                     verify=tls.pinned_client_context(pin)) as client:
            return await client.get(path)

    with pytest.raises(tls.FingerprintMismatch):
        asyncio.run(fetch("/api/secret", WRONG_FINGERPRINT))
    server.wait_for_connections(1)
    assert server.request_paths == []
    assert asyncio.run(fetch("/api/after", identity.fingerprint)).json() == {"ok": True}
    assert server.request_paths == ["/api/after"]


REQUEST = b"GET /api/secret HTTP/1.0\r\n\r\n"


def test_writing_before_an_explicit_handshake_still_checks_the_pin(server: _TLSServer) -> None:
    """OpenSSL would otherwise handshake implicitly inside the first write and send the data."""
    context = tls.pinned_client_context(WRONG_FINGERPRINT)
    with (socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=5) as raw,
          context.wrap_socket(raw, server_hostname="127.0.0.1",
                              do_handshake_on_connect=False) as connection,
          pytest.raises(tls.FingerprintMismatch)):
        connection.sendall(REQUEST)

    with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=5) as raw:
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        connection_in_memory = context.wrap_bio(incoming, outgoing, server_hostname="127.0.0.1")
        with pytest.raises(tls.FingerprintMismatch):
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
        server: _TLSServer, identity: tls.ServerIdentity) -> None:
    assert tls.fetch_peer_fingerprint("127.0.0.1", server.server_address[1]) == (
        identity.fingerprint)
    assert server.request_paths == []


def test_a_pinned_client_sends_nothing_in_the_clear(identity: tls.ServerIdentity) -> None:
    # Port 1 is closed: without the refusal the request would fail as a ConnectError instead.
    with (tls.httpx_client("http://127.0.0.1:1", identity.fingerprint) as client,
          pytest.raises(httpx.UnsupportedProtocol, match="not https")):
        client.get("/api/status")


@pytest.mark.parametrize("option", [{"verify": False}, {"transport": httpx.HTTPTransport()},
                                    {"mounts": {}}])
def test_options_that_would_bypass_the_pin_are_refused(
        identity: tls.ServerIdentity, option: dict[str, object]) -> None:
    with pytest.raises(TypeError, match="bypass the pin"):
        tls.httpx_client("https://127.0.0.1", identity.fingerprint, **option)
