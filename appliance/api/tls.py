"""The API's TLS identity: a key and a self-signed certificate made once, pinned by fingerprint.

The appliance has no public name and no CA, so clients cannot verify it the usual way.  Instead
the appliance makes its own key and certificate on first start and shows the certificate's
SHA-256 fingerprint (`paivystys status --json`, the log); the console pins that fingerprint on
first connect and from then on talks only to a server that presents exactly that certificate.
The pair is therefore never replaced behind anyone's back: a new certificate makes every
console refuse the appliance until someone pins the new fingerprint.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import ipaddress
import logging
import os
import socket
import ssl
import stat
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

log = logging.getLogger(__name__)

KEY_FILE = "api.key"
CERT_FILE = "api.crt"
KEY_MODE = 0o600  # the API alone reads its key
# The Pi has no real-time clock: until NTP answers, its clock may be behind the consoles'.
BACKDATE = timedelta(days=1)
VALIDITY = timedelta(days=3653)  # ten years: the certificate is pinned, not renewed
COMMON_NAME_PREFIX = "Päivystysvaihde"
FINGERPRINT_HEX_DIGITS = 64


class CertificateError(Exception):
    """The key or certificate on disk cannot be used; the message says which file and what to do."""


@dataclass(frozen=True)
class ServerIdentity:
    cert_path: Path
    key_path: Path
    fingerprint: str


def fingerprint_of_der(der: bytes) -> str:
    """SHA-256 of a DER certificate written as `openssl x509 -fingerprint -sha256` writes it."""
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def fingerprint(certificate: bytes | str) -> str:
    """The fingerprint of a certificate given as PEM (text or bytes) or as DER bytes."""
    data = certificate.encode("ascii") if isinstance(certificate, str) else certificate
    if data.lstrip().startswith(b"-----BEGIN"):
        data = x509.load_pem_x509_certificate(data).public_bytes(serialization.Encoding.DER)
    return fingerprint_of_der(data)


def parse_fingerprint(text: str) -> str:
    """`text` as a canonical fingerprint; colons, spaces and letter case as a person typed them.

    Raises ValueError for anything that is not 32 bytes of hex, so a mistyped pin fails at once
    instead of as a mismatch on every connection.
    """
    digits = "".join(text.split()).replace(":", "").upper()
    if len(digits) != FINGERPRINT_HEX_DIGITS or any(c not in "0123456789ABCDEF" for c in digits):
        raise ValueError(f"Not a SHA-256 certificate fingerprint: {text!r}")
    return ":".join(digits[i:i + 2] for i in range(0, len(digits), 2))


def ensure_certificate(directory: Path, hostnames: Sequence[str] = (),
                       addresses: Sequence[str] = ()) -> ServerIdentity:
    """The API's key and certificate in `directory`, made on the first call and reused after.

    `hostnames` and `addresses` only go into a certificate made now: clients pin the
    fingerprint, not a name, so a later change of name or address is no reason for a new one.
    A key without a certificate (a power cut between the two writes of the first start) gets a
    new certificate; anything else that is off raises CertificateError and changes nothing.
    """
    names = _subject_alternative_names(hostnames, addresses)  # bad input fails before any write
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    key_path = directory / KEY_FILE
    cert_path = directory / CERT_FILE
    made_key = made_certificate = False
    with _locked_directory(directory) as directory_fd:
        if key_path.exists():
            key = _load_private_key(key_path)
            _keep_private(key_path)
        elif cert_path.exists():
            raise CertificateError(
                f"{cert_path} exists but its key {key_path} is missing. Delete {cert_path} to "
                "make a new pair; every console must then pin the new fingerprint."
            )
        else:
            key = ec.generate_private_key(ec.SECP256R1())
            _write_atomically(key_path, key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption()), KEY_MODE, directory_fd)
            made_key = True

        if cert_path.exists():
            certificate = _load_certificate(cert_path)
            if _public_key_der(certificate.public_key()) != _public_key_der(key.public_key()):
                raise CertificateError(
                    f"{cert_path} does not belong to the key {key_path}. Delete both files to "
                    "make a new pair; every console must then pin the new fingerprint."
                )
        else:
            certificate = _self_signed_certificate(key, names)
            _write_atomically(cert_path, certificate.public_bytes(serialization.Encoding.PEM),
                              0o644, directory_fd)
            made_certificate = True
    identity = ServerIdentity(
        cert_path, key_path,
        fingerprint_of_der(certificate.public_bytes(serialization.Encoding.DER)))
    if made_certificate:
        # For an old key it is news: consoles that pinned a lost certificate will refuse us.
        log.log(logging.INFO if made_key else logging.WARNING,
                "Made a new API certificate %s, fingerprint %s", cert_path, identity.fingerprint)
    return identity


@contextlib.contextmanager
def _locked_directory(directory: Path) -> Iterator[int]:
    """Hold an exclusive lock on `directory` (yielding its fd).

    The service and `paivystys status` may both arrive first; without the lock each could make
    a key and one would return a fingerprint that is not the one on disk.
    """
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)


def _write_atomically(path: Path, data: bytes, mode: int, directory_fd: int) -> None:
    """Write `path` so that a power cut leaves either no file or the whole file, never a part."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as file:
            os.fchmod(file.fileno(), mode)
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    os.fsync(directory_fd)


def _keep_private(key_path: Path) -> None:
    """A key others may read (copied in by hand, made before these rules) is made 0600."""
    mode = stat.S_IMODE(key_path.stat().st_mode)
    if mode == KEY_MODE:
        return
    try:
        key_path.chmod(KEY_MODE)
    except PermissionError as error:
        raise CertificateError(
            f"{key_path} is mode {mode:04o} and this user cannot make it {KEY_MODE:04o}: "
            f"{error.strerror}. Make it {KEY_MODE:04o} and owned by the API's user."
        ) from error
    log.warning("The API's key %s was mode %04o; made it %04o", key_path, mode, KEY_MODE)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise CertificateError(
            f"Cannot read {path}: {error.strerror}. Fix its permissions, or delete both "
            f"{KEY_FILE} and {CERT_FILE} to make a new pair; every console must then pin the "
            "new fingerprint."
        ) from error


def _load_private_key(path: Path) -> ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(_read(path), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise _unusable(path, "is not an unencrypted PEM private key") from error
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise _unusable(path, "is not an elliptic-curve private key")
    return key


def _load_certificate(path: Path) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(_read(path))
    except ValueError as error:
        raise _unusable(path, "is not a PEM certificate") from error


def _unusable(path: Path, problem: str) -> CertificateError:
    return CertificateError(
        f"{path} {problem}. Delete both {KEY_FILE} and {CERT_FILE} in {path.parent} to make a "
        "new pair; every console must then pin the new fingerprint."
    )


def _public_key_der(public_key: Any) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER,
                                   serialization.PublicFormat.SubjectPublicKeyInfo)


def _subject_alternative_names(hostnames: Sequence[str],
                               addresses: Sequence[str]) -> x509.SubjectAlternativeName:
    """Every name a client on the LAN or on the box itself may use for the appliance."""
    host_name = socket.gethostname().lower()
    dns_names = dict.fromkeys(name for name in (
        "localhost", host_name, f"{_short_host_name()}.local", *hostnames) if name)
    ip_addresses = dict.fromkeys(ipaddress.ip_address(address)
                                 for address in ("127.0.0.1", "::1", *addresses))
    return x509.SubjectAlternativeName([*(x509.DNSName(name) for name in dns_names),
                                        *(x509.IPAddress(address) for address in ip_addresses)])


def _short_host_name() -> str:
    return socket.gethostname().lower().split(".")[0] or "localhost"


def _self_signed_certificate(key: ec.EllipticCurvePrivateKey,
                             names: x509.SubjectAlternativeName) -> x509.Certificate:
    # X.509 caps a common name at 64 characters; host names may be 63 on their own.
    subject = x509.Name([x509.NameAttribute(
        NameOID.COMMON_NAME, f"{COMMON_NAME_PREFIX} {_short_host_name()}"[:64])])
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + VALIDITY)
        .add_extension(names, critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA256())
    )


def server_ssl_context(identity: ServerIdentity) -> ssl.SSLContext:
    """TLS 1.2+ with the API's identity, for servers that take a context (uvicorn takes the
    file paths instead)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(identity.cert_path, identity.key_path)
    return context
