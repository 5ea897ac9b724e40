"""The API's TLS identity and certificate pinning: a real TLS server on loopback, real clients."""

from __future__ import annotations

import ipaddress
import re
import socket
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from paivystys.appliance.api import tls

OPENSSL_FINGERPRINT = re.compile(r"^([0-9A-F]{2}:){31}[0-9A-F]{2}$")


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


def test_a_key_others_may_read_is_made_private_and_kept(tmp_path: Path,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    identity = tls.ensure_certificate(tmp_path)
    key_before = identity.key_path.read_bytes()
    identity.key_path.chmod(0o644)  # copied in by hand, or made before the key was kept 0600

    again = tls.ensure_certificate(tmp_path)

    assert again.fingerprint == identity.fingerprint
    assert again.key_path.read_bytes() == key_before
    assert stat.S_IMODE(again.key_path.stat().st_mode) == 0o600
    assert f"The API's key {identity.key_path} was mode 0644; made it 0600" in caplog.text


def test_a_key_others_may_read_that_cannot_be_made_private_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    identity = tls.ensure_certificate(tmp_path)
    identity.key_path.chmod(0o640)

    def refused(self: Path, mode: int) -> None:
        raise PermissionError(1, "Operation not permitted", str(self))

    monkeypatch.setattr(Path, "chmod", refused)
    with pytest.raises(tls.CertificateError,
                       match=re.escape(f"{identity.key_path} is mode 0640 and this user")):
        tls.ensure_certificate(tmp_path)
