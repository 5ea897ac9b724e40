"""An update's signature: a small manifest naming the package, its version, its architecture,
its size and SHA-256, signed by the vendor with Ed25519.

An admin of the switchboard is not root of its machine, so a package they upload is installed
only when the vendor signed it: the box trusts the public keys its own package shipped
(``/usr/share/paivystys/update-keys/*.pub``), and a newer package may ship a newer key.

The signature file (``<package>.deb.sig``) is JSON::

    {"format": "paivystys-update-signature", "format_version": 1,
     "package": "paivystys", "version": "0.2.0", "architecture": "amd64",
     "size": 14879352, "sha256": "…", "key": "<key id>", "signature": "<base64>"}

What is signed is the manifest's fields as lines of text (:meth:`Manifest.signed_text`), so
that no JSON encoder's choices (spacing, key order, escapes) decide whether a signature holds.
Every field is checked against its form before anything uses it: a version that is not
Debian's syntax never reaches ``dpkg --compare-versions``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

FORMAT = "paivystys-update-signature"
FORMAT_VERSION = 1
MAX_SIGNATURE_BYTES = 4096  # a signature file is a few hundred bytes
KEY_SUFFIX = ".pub"
KEY_ID_HEX_DIGITS = 16
SIGNATURE_BYTES = 64  # Ed25519
READ_CHUNK = 1024 * 1024
PACKAGE_FORM = re.compile(r"[a-z0-9][a-z0-9+.-]{0,62}")
# Debian's version syntax (epoch:upstream-revision), in the characters dpkg accepts.
VERSION_FORM = re.compile(r"([0-9]+:)?[0-9][A-Za-z0-9.+~-]{0,62}")
ARCHITECTURE_FORM = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
SHA256_FORM = re.compile(r"[0-9a-f]{64}")
KEY_ID_FORM = re.compile(rf"[0-9a-f]{{{KEY_ID_HEX_DIGITS}}}")
FIELDS = ("format", "format_version", "package", "version", "architecture", "size", "sha256",
          "key", "signature")


class SignatureRefused(Exception):
    """The signature, or the package it is for, is not one this box installs; the message
    says why in words an admin can act on."""


@dataclass(frozen=True)
class Manifest:
    """What a signature vouches for."""

    package: str
    version: str
    architecture: str
    size: int
    sha256: str

    def signed_text(self) -> bytes:
        return (f"{FORMAT} {FORMAT_VERSION}\npackage {self.package}\nversion {self.version}\n"
                f"architecture {self.architecture}\nsize {self.size}\n"
                f"sha256 {self.sha256}\n").encode()


@dataclass(frozen=True)
class Signature:
    manifest: Manifest
    key_id: str
    signature: bytes

    def to_json(self) -> bytes:
        manifest = self.manifest
        return (json.dumps({
            "format": FORMAT, "format_version": FORMAT_VERSION, "package": manifest.package,
            "version": manifest.version, "architecture": manifest.architecture,
            "size": manifest.size, "sha256": manifest.sha256, "key": self.key_id,
            "signature": base64.b64encode(self.signature).decode()}, indent=2) + "\n").encode()


def key_id(public_key: Ed25519PublicKey) -> str:
    """A key's name: the start of the SHA-256 of its 32 raw bytes."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:KEY_ID_HEX_DIGITS]


def public_key_pem(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.PEM,
                                   serialization.PublicFormat.SubjectPublicKeyInfo)


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"an update key is Ed25519, not {type(key).__name__}")
    return key


def trusted_keys(keys_dir: Path) -> dict[str, Ed25519PublicKey]:
    """The public keys in ``keys_dir`` (``*.pub``, PEM), by key id (computed from each key,
    whatever its file is called).  A file that is not such a key is an error, not skipped:
    the package put it there."""
    keys = {}
    for path in sorted(keys_dir.glob(f"*{KEY_SUFFIX}")):
        try:
            key = load_public_key(path.read_bytes())
        except ValueError as error:
            raise SignatureRefused(f"{path} is not an Ed25519 public key: {error}") from error
        keys[key_id(key)] = key
    return keys


def file_digest(file: BinaryIO) -> tuple[int, str]:
    """The size and SHA-256 (hex) of what ``file`` reads from where it is to its end."""
    digest = hashlib.sha256()
    size = 0
    while chunk := file.read(READ_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def sign(private_key: Ed25519PrivateKey, manifest: Manifest) -> Signature:
    return Signature(manifest, key_id(private_key.public_key()),
                     private_key.sign(manifest.signed_text()))


def sign_file(private_key: Ed25519PrivateKey, path: Path, package: str, version: str,
              architecture: str) -> Signature:
    with path.open("rb") as file:
        size, sha256 = file_digest(file)
    return sign(private_key, Manifest(package, version, architecture, size, sha256))


def parse(data: bytes) -> Signature:
    """A signature file's fields, each in its form; :class:`SignatureRefused` otherwise."""
    not_one = "this is not a Päivystysvaihde update signature (the .sig file beside the .deb)"
    if len(data) > MAX_SIGNATURE_BYTES:
        raise SignatureRefused(f"{not_one}: it is larger than {MAX_SIGNATURE_BYTES} bytes")
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, ValueError) as error:
        raise SignatureRefused(f"{not_one}: it is not JSON") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise SignatureRefused(not_one)
    if document.get("format_version") != FORMAT_VERSION:
        raise SignatureRefused(f"the signature is of format version "
                               f"{_shown(document.get('format_version'))}; this switchboard "
                               f"reads version {FORMAT_VERSION}")
    if set(document) != set(FIELDS):
        raise SignatureRefused(f"{not_one}: its fields are not {', '.join(FIELDS)}")
    _check(document, "package", PACKAGE_FORM)
    _check(document, "version", VERSION_FORM)
    _check(document, "architecture", ARCHITECTURE_FORM)
    _check(document, "sha256", SHA256_FORM)
    _check(document, "key", KEY_ID_FORM)
    size = document["size"]
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise SignatureRefused(f"{not_one}: its size is not a positive whole number")
    try:
        signature = base64.b64decode(_text(document, "signature"), validate=True)
    except binascii.Error as error:
        raise SignatureRefused(f"{not_one}: its signature is not base64") from error
    if len(signature) != SIGNATURE_BYTES:
        raise SignatureRefused(f"{not_one}: its signature is not {SIGNATURE_BYTES} bytes")
    manifest = Manifest(document["package"], document["version"], document["architecture"],
                        size, document["sha256"])
    return Signature(manifest, document["key"], signature)


def verify(data: bytes, keys: Mapping[str, Ed25519PublicKey]) -> Manifest:
    """The manifest of a signature file made with one of ``keys``; :class:`SignatureRefused`
    saying why not otherwise."""
    signature = parse(data)
    key = keys.get(signature.key_id)
    if key is None:
        raise SignatureRefused(
            f"the package is signed with the key {signature.key_id}, which this switchboard "
            f"does not trust (it trusts {_listed(keys)}): it is not from this switchboard's "
            "vendor, or it needs a newer key that an update in between would bring")
    try:
        key.verify(signature.signature, signature.manifest.signed_text())
    except InvalidSignature as error:
        raise SignatureRefused("the signature does not hold: the signature file was "
                               "altered") from error
    return signature.manifest


def check_file(manifest: Manifest, size: int, sha256: str) -> None:
    """The package's bytes are those the manifest names."""
    if (size, sha256) != (manifest.size, manifest.sha256):
        raise SignatureRefused(
            "the package does not match its signature: the file was altered, or the signature "
            "is another package's")


def _text(document: dict[str, Any], name: str) -> str:
    value = document[name]
    if not isinstance(value, str):
        raise SignatureRefused(f"the signature's {name} is not text")
    return value


def _check(document: dict[str, Any], name: str, form: re.Pattern[str]) -> None:
    if not form.fullmatch(_text(document, name)):
        raise SignatureRefused(f"the signature's {name} {_shown(document[name])} is not of "
                               "the form it must have")


def _shown(value: object) -> str:
    """A value from an untrusted file, shortened and quoted for a message."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _listed(keys: Iterable[str]) -> str:
    names = sorted(keys)
    return ", ".join(names) if names else "no key at all"
