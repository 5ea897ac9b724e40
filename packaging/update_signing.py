"""The vendor's update signing, on the build machine: ``scripts/build-deb`` signs every package
it makes (``<package>.deb.sig``, see appliance/api/update/signature.py) and the package ships
the public keys a box then trusts for its updates (``/usr/share/paivystys/update-keys``).

The signing key is the PEM (PKCS#8) Ed25519 private key in the file ``$PAIVYSTYS_SIGNING_KEY``
names, or else the build machine's own, made at its first build in
``/var/lib/paivystys-build/update-signing.key`` (0600, in a 0700 directory): never in the
repository.  A box trusts only keys its installed package shipped, so a key is replaced in two
steps: put the new public key in ``/var/lib/paivystys-build/update-keys/`` and ship a package
signed with the old key (it carries both), then sign with the new one.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from paivystys.appliance.api.update.package import KEYS_DIR, PACKAGE
from paivystys.appliance.api.update.signature import (
    KEY_SUFFIX,
    key_id,
    load_public_key,
    public_key_pem,
    sign_file,
)
from paivystys.appliance.runtime.host import RuntimeSetupError

KEY_ENV = "PAIVYSTYS_SIGNING_KEY"
BUILD_STATE = Path("/var/lib/paivystys-build")
OWN_KEY = BUILD_STATE / "update-signing.key"
MORE_KEYS = BUILD_STATE / "update-keys"  # public keys shipped beside the signing key's
SIGNATURE_SUFFIX = ".sig"


def signing_key(progress: Callable[[str], None]) -> Ed25519PrivateKey:
    """The key packages are signed with: ``$PAIVYSTYS_SIGNING_KEY``'s, or this machine's own
    (made now if it has none)."""
    named = os.environ.get(KEY_ENV)
    path = Path(named) if named else OWN_KEY
    if not named and not path.exists():
        _make_own_key(path)
        progress(f"Made this build machine's update signing key {path} (key "
                 f"{key_id(_read_key(path).public_key())}); boxes with packages built here "
                 "take updates signed with it only")
    return _read_key(path)


def shipped_keys(key: Ed25519PrivateKey) -> dict[str, bytes]:
    """The public keys a package ships, by file name: the signing key's and those put in
    ``MORE_KEYS`` (a key being rotated in)."""
    keys = [key.public_key()]
    for path in sorted(MORE_KEYS.glob(f"*{KEY_SUFFIX}")) if MORE_KEYS.is_dir() else []:
        try:
            keys.append(load_public_key(path.read_bytes()))
        except ValueError as error:
            raise RuntimeSetupError(f"{path} is not an Ed25519 public key: {error}") from error
    by_name = {f"{key_id(public)}{KEY_SUFFIX}": public_key_pem(public) for public in keys}
    return dict(sorted(by_name.items()))


def keys_digest(key: Ed25519PrivateKey) -> str:
    """What the shipped keys add to the package's inputs: another key, another package."""
    digest = hashlib.sha256()
    for name, pem in shipped_keys(key).items():
        digest.update(name.encode() + b"\n" + pem)
    return digest.hexdigest()


def put_keys(tree: Path, key: Ed25519PrivateKey) -> None:
    """The shipped keys into the package's tree."""
    directory = tree / str(KEYS_DIR).lstrip("/")
    directory.mkdir(parents=True, exist_ok=True)
    for name, pem in shipped_keys(key).items():
        (directory / name).write_bytes(pem)


def sign_package(deb: Path, version: str, arch: str, key: Ed25519PrivateKey) -> Path:
    """``<deb>.sig`` beside the package.  Ed25519 signs deterministically: the same package
    and key give the same file."""
    signature = sign_file(key, deb, PACKAGE, version, arch)
    path = deb.with_name(deb.name + SIGNATURE_SUFFIX)
    path.write_bytes(signature.to_json())
    return path


def _make_own_key(path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)


def _read_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise RuntimeSetupError(f"cannot read the update signing key {path} ({KEY_ENV} or "
                                f"{OWN_KEY}): {error}") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise RuntimeSetupError(f"the update signing key {path} is not an Ed25519 key")
    return key
