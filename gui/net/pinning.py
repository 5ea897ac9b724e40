"""Talking only to the appliance whose certificate fingerprint was pinned.

The appliance has no CA-signed certificate, so the usual verification cannot work; the console
instead pins the SHA-256 fingerprint a person confirmed on first connect.  Python's ssl cannot
pin, so verification is switched off and every connection compares the fingerprint as soon as
its handshake completes, before a byte of the request (and so the token) goes out.
"""

from __future__ import annotations

import hashlib
import socket
import ssl
from typing import Any

import httpx

FINGERPRINT_HEX_DIGITS = 64


class FingerprintMismatch(Exception):
    """The server presented another certificate than the pinned one.

    Deliberately not an OSError/ssl.SSLError: httpx would turn those into a ConnectError that
    reads as a network hiccup worth retrying, and a changed certificate is not one.
    """

    def __init__(self, expected: str, got: str) -> None:
        super().__init__(
            f"The server's certificate fingerprint is {got}, not the pinned {expected}")
        self.expected = expected
        self.got = got


def fingerprint_of_der(der: bytes) -> str:
    """SHA-256 of a DER certificate as `paivystys status` and `openssl x509 -fingerprint` show
    it: upper-case hex pairs joined by colons."""
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def parse_fingerprint(text: str) -> str:
    """`text` as a canonical fingerprint, however a person spaced, separated or cased it.

    Raises ValueError for anything but 32 bytes of hex, so a bad pin fails where it is typed
    rather than as a mismatch on every later connection.
    """
    digits = "".join(text.split()).replace(":", "").upper()
    if len(digits) != FINGERPRINT_HEX_DIGITS or any(c not in "0123456789ABCDEF" for c in digits):
        raise ValueError(f"Not a SHA-256 certificate fingerprint: {text!r}")
    return ":".join(digits[i:i + 2] for i in range(0, len(digits), 2))


def _check_pin(connection: ssl.SSLSocket | ssl.SSLObject, expected: str) -> None:
    der = connection.getpeercert(binary_form=True)
    got = fingerprint_of_der(der) if der else "(no certificate)"
    if got != expected:
        raise FingerprintMismatch(expected, got)


class _PinnedSSLSocket(ssl.SSLSocket):
    """httpx's blocking transport: checks the pin the moment the handshake ends.

    `send`/`write` check as well, so a socket wrapped without an immediate handshake cannot let
    OpenSSL's implicit handshake carry request bytes out before the check.
    """

    _pin_checked = False

    def do_handshake(self, block: bool = False) -> None:
        super().do_handshake(block)
        try:
            _check_pin(self, self.context.pinned_fingerprint)  # type: ignore[attr-defined]
        except FingerprintMismatch:
            self.close()  # SSLSocket closes itself only on OSError and ValueError
            raise
        self._pin_checked = True

    def send(self, data: Any, flags: int = 0) -> int:
        if not self._pin_checked:
            self.do_handshake()
        return super().send(data, flags)

    def write(self, data: Any) -> int:
        if not self._pin_checked:
            self.do_handshake()
        return super().write(data)


class _PinnedSSLObject(ssl.SSLObject):
    """Memory-BIO connections (asyncio, a later WebSocket live view): the same check."""

    _pin_checked = False

    def do_handshake(self) -> None:
        super().do_handshake()
        _check_pin(self, self.context.pinned_fingerprint)  # type: ignore[attr-defined]
        self._pin_checked = True

    def write(self, data: Any) -> int:
        if not self._pin_checked:
            self.do_handshake()
        return super().write(data)


class _PinnedContext(ssl.SSLContext):
    sslsocket_class = _PinnedSSLSocket
    sslobject_class = _PinnedSSLObject
    pinned_fingerprint: str


def _accepting_any_certificate(context: ssl.SSLContext) -> ssl.SSLContext:
    """`context` with verification off: the caller compares the fingerprint instead."""
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def pinned_context(fingerprint: str) -> ssl.SSLContext:
    """A client context whose connections complete only with the pinned certificate; usable
    wherever a context is (httpx `verify=`, `asyncio.open_connection(ssl=)`, websockets)."""
    context = _PinnedContext(ssl.PROTOCOL_TLS_CLIENT)
    context.pinned_fingerprint = parse_fingerprint(fingerprint)
    return _accepting_any_certificate(context)


def fetch_fingerprint(host: str, port: int, timeout: float = 5.0) -> str:
    """The fingerprint the server at host:port presents, for a person to compare and pin.

    Sends nothing but the handshake: no credentials go to a server nobody has trusted yet.
    """
    context = _accepting_any_certificate(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
    with (socket.create_connection((host, port), timeout=timeout) as connection,
          context.wrap_socket(connection, server_hostname=host) as tls):
        der = tls.getpeercert(binary_form=True)
    if der is None:
        raise ssl.SSLError(f"{host}:{port} presented no certificate")
    return fingerprint_of_der(der)


_OPTIONS_THAT_BYPASS_THE_PIN = ("verify", "transport", "mounts", "trust_env")


def pinned_httpx_client(base_url: str, fingerprint: str, **kwargs: Any) -> httpx.Client:
    """An httpx client that talks only to the pinned server, and only over https.

    Proxies from the environment are ignored (the appliance is on the LAN, and a proxy would
    present its own certificate anyway).  A plain-http URL is refused before anything is sent.
    """
    for option in _OPTIONS_THAT_BYPASS_THE_PIN:
        if option in kwargs:
            raise TypeError(f"the pinned client sets {option!r} itself; "
                            "passing it would bypass the pin")

    def refuse_plain_http(request: httpx.Request) -> None:
        if request.url.scheme != "https":
            raise httpx.UnsupportedProtocol(
                f"{request.url} is not https: a pinned client sends nothing in the clear",
                request=request)

    return httpx.Client(base_url=base_url, verify=pinned_context(fingerprint), trust_env=False,
                        event_hooks={"request": [refuse_plain_http]}, **kwargs)
