"""An update's signature: the vendor's key makes one that holds; another key, an altered
signature file, an altered package, or a hostile field does not."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from paivystys.appliance.api.update.signature import (
    MAX_SIGNATURE_BYTES,
    SignatureRefused,
    check_file,
    file_digest,
    parse,
    trusted_keys,
    verify,
)
from paivystys.appliance.api.update.tests.kit import NEWER, Vendor, host_architecture, make_deb


@pytest.fixture
def vendor() -> Vendor:
    return Vendor()


@pytest.fixture
def deb(tmp_path: Path) -> Path:
    return make_deb(tmp_path)


def keys_of(*vendors: Vendor, directory: Path) -> dict:
    for vendor in vendors:
        vendor.publish(directory)
    return trusted_keys(directory)


def digest(path: Path) -> tuple[int, str]:
    with path.open("rb") as file:
        return file_digest(file)


def test_the_vendors_signature_holds_for_its_package(vendor: Vendor, deb: Path,
                                                     tmp_path: Path) -> None:
    signature = vendor.sign(deb)
    manifest = verify(signature.read_bytes(), keys_of(vendor, directory=tmp_path / "keys"))
    assert (manifest.package, manifest.version, manifest.architecture) == (
        "paivystys", NEWER, host_architecture())
    check_file(manifest, *digest(deb))


def test_a_key_the_box_does_not_trust_is_refused_and_named(vendor: Vendor, deb: Path,
                                                           tmp_path: Path) -> None:
    stranger = Vendor()
    keys = keys_of(vendor, directory=tmp_path / "keys")
    with pytest.raises(SignatureRefused, match=f"signed with the key {stranger.key_id}, which "
                                               "this switchboard does not trust"):
        verify(stranger.sign(deb).read_bytes(), keys)
    with pytest.raises(SignatureRefused, match="trusts no key at all"):
        verify(vendor.sign(deb).read_bytes(), {})


def test_a_newer_key_shipped_beside_the_old_one_is_trusted_too(vendor: Vendor, deb: Path,
                                                              tmp_path: Path) -> None:
    successor = Vendor()
    keys = keys_of(vendor, successor, directory=tmp_path / "keys")
    assert set(keys) == {vendor.key_id, successor.key_id}
    assert verify(successor.sign(deb).read_bytes(), keys).version == NEWER


def test_a_key_is_known_by_what_it_is_not_by_its_file_name(vendor: Vendor,
                                                           tmp_path: Path) -> None:
    keys_dir = tmp_path / "keys"
    vendor.publish(keys_dir)
    (keys_dir / f"{vendor.key_id}.pub").rename(keys_dir / "0000000000000000.pub")
    assert set(trusted_keys(keys_dir)) == {vendor.key_id}
    (keys_dir / "broken.pub").write_text("not a key\n")
    with pytest.raises(SignatureRefused, match=r"broken\.pub is not an Ed25519 public key"):
        trusted_keys(keys_dir)


@pytest.mark.parametrize(("field", "value"), [
    ("version", "9.9.9"), ("package", "paivystys-extra"), ("architecture", "arm64"),
    ("size", 1), ("sha256", "0" * 64)])
def test_an_altered_signature_file_does_not_hold(vendor: Vendor, deb: Path, tmp_path: Path,
                                                 field: str, value: object) -> None:
    document = json.loads(vendor.sign(deb).read_bytes())
    document[field] = value
    with pytest.raises(SignatureRefused, match="the signature does not hold"):
        verify(json.dumps(document).encode(), keys_of(vendor, directory=tmp_path / "keys"))


def test_an_altered_package_or_another_packages_signature_does_not_match(
        vendor: Vendor, deb: Path, tmp_path: Path) -> None:
    manifest = verify(vendor.sign(deb).read_bytes(), keys_of(vendor, directory=tmp_path / "k"))
    altered = bytearray(deb.read_bytes())
    altered[-1] ^= 1
    deb.write_bytes(bytes(altered))
    with pytest.raises(SignatureRefused, match="does not match its signature"):
        check_file(manifest, *digest(deb))
    (tmp_path / "other").mkdir()
    other = make_deb(tmp_path / "other", payload=b"other code\n")
    with pytest.raises(SignatureRefused, match="does not match its signature"):
        check_file(manifest, *digest(other))


def signed_document(vendor: Vendor, deb: Path) -> dict:
    return json.loads(vendor.sign(deb).read_bytes())


@pytest.mark.parametrize(("change", "reason"), [
    ({"version": "1.0; rm -rf /"}, "version '1.0; rm -rf /' is not of the form"),
    ({"version": "0.2.0\nsha256 " + "0" * 64}, "version .* is not of the form"),
    ({"version": "--admindir=/tmp"}, "version '--admindir=/tmp' is not of the form"),
    ({"version": 2}, "version is not text"),
    ({"package": "../../etc/passwd"}, "package '../../etc/passwd' is not of the form"),
    ({"architecture": "amd64 all"}, "architecture 'amd64 all' is not of the form"),
    ({"sha256": "AB" * 32}, "sha256 .* is not of the form"),
    ({"key": "$(reboot)"}, r"key '\$\(reboot\)' is not of the form"),
    ({"size": True}, "size is not a positive whole number"),
    ({"size": -5}, "size is not a positive whole number"),
    ({"size": "630"}, "size is not a positive whole number"),
    ({"signature": "***"}, "signature is not base64"),
    ({"signature": base64.b64encode(b"short").decode()}, "signature is not 64 bytes"),
    ({"format": "something-else"}, "not a Päivystysvaihde update signature"),
    ({"format_version": 2}, "format version 2; this switchboard reads version 1"),
    ({"extra": "field"}, "its fields are not"),
])
def test_a_hostile_field_is_refused_before_anything_uses_it(
        vendor: Vendor, deb: Path, change: dict, reason: str) -> None:
    document = {**signed_document(vendor, deb), **change}
    with pytest.raises(SignatureRefused, match=reason):
        parse(json.dumps(document).encode())


@pytest.mark.parametrize("data", [
    b"", b"\xff\xfe", b"[]", b"null", b'"text"', b"{}", b"x" * (MAX_SIGNATURE_BYTES + 1),
    b"-----BEGIN PGP SIGNATURE-----\n"])
def test_what_is_no_signature_file_says_so(data: bytes) -> None:
    with pytest.raises(SignatureRefused, match="not a Päivystysvaihde update signature"):
        parse(data)


def test_a_missing_field_is_refused(vendor: Vendor, deb: Path) -> None:
    document = signed_document(vendor, deb)
    del document["sha256"]
    with pytest.raises(SignatureRefused, match="its fields are not"):
        parse(json.dumps(document).encode())
