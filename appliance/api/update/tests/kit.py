"""What the update tests share: a vendor with a signing key, real Debian packages made with
dpkg-deb, a machine of their own (a box's state directory, a dpkg database saying which
version is installed, the vendor's public key where the package ships it) and an apt-get that
installs by writing that dpkg database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from paivystys.appliance.api.update.package import PACKAGE, UpdateHost
from paivystys.appliance.api.update.signature import (
    KEY_SUFFIX,
    key_id,
    public_key_pem,
    sign_file,
)
from paivystys.appliance.asterisk.configuration import APPLIANCE_SPEC
from paivystys.appliance.asterisk.site import LabAsterisk, SystemAsterisk, save_site

INSTALLED = "0.1.0"
NEWER = "0.2.0"


def host_architecture() -> str:
    return subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                          check=True).stdout.strip()


def other_architecture() -> str:
    return "armhf" if host_architecture() != "armhf" else "amd64"


@dataclass
class Vendor:
    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)

    @property
    def key_id(self) -> str:
        return key_id(self.key.public_key())

    def publish(self, keys_dir: Path) -> None:
        """Its public key, where a package ships it."""
        keys_dir.mkdir(parents=True, exist_ok=True)
        (keys_dir / f"{self.key_id}{KEY_SUFFIX}").write_bytes(
            public_key_pem(self.key.public_key()))

    def sign(self, deb: Path, package: str = PACKAGE, version: str = NEWER,
             architecture: str | None = None) -> Path:
        """``<deb>.sig``, vouching for what the arguments say (by default what is true)."""
        signature = sign_file(self.key, deb, package, version,
                              architecture or host_architecture())
        path = deb.with_name(deb.name + ".sig")
        path.write_bytes(signature.to_json())
        return path


def make_deb(directory: Path, version: str = NEWER, package: str = PACKAGE,
             architecture: str | None = None, payload: bytes = b"new code\n") -> Path:
    """A real Debian package of one file, built by dpkg-deb."""
    architecture = architecture or host_architecture()
    tree = directory / f"tree-{package}-{version}-{architecture}"
    (tree / "DEBIAN").mkdir(parents=True)
    (tree / "DEBIAN/control").write_text(
        f"Package: {package}\nVersion: {version}\nArchitecture: {architecture}\n"
        "Maintainer: Test <test@paivystysvaihde.invalid>\nDescription: an update test\n")
    doc = tree / f"usr/share/doc/{package}"
    doc.mkdir(parents=True)
    (doc / "payload").write_bytes(payload)
    deb = directory / f"{package}_{version}_{architecture}.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zgzip", "--build", str(tree), str(deb)],
                   check=True, capture_output=True)
    return deb


def write_dpkg_status(admin_dir: Path, version: str | None) -> None:
    """A dpkg database in which ``paivystys`` is installed at ``version`` (None: it is not)."""
    (admin_dir / "info").mkdir(parents=True, exist_ok=True)
    entry = "" if version is None else (
        f"Package: {PACKAGE}\nStatus: install ok installed\nVersion: {version}\n"
        f"Architecture: {host_architecture()}\nMaintainer: Test <t@paivystysvaihde.invalid>\n"
        "Description: the switchboard\n\n")
    (admin_dir / "status").write_text(entry)


@dataclass
class Machine:
    """A box as the update code sees it, under ``root``."""

    root: Path
    vendor: Vendor
    installed: str | None = INSTALLED

    def __post_init__(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        save_site(SystemAsterisk(self.state_dir, APPLIANCE_SPEC))
        self.vendor.publish(self.host.keys_dir)
        write_dpkg_status(self.host.dpkg_admin_dir, self.installed)

    @property
    def state_dir(self) -> Path:
        return self.root / "var/lib/paivystys"

    @property
    def host(self) -> UpdateHost:
        return UpdateHost(keys_dir=self.root / "usr/share/paivystys/update-keys",
                          dpkg_admin_dir=self.root / "var/lib/dpkg",
                          installer_running=self.root / "run/paivystys-update")

    @property
    def work_dir(self) -> Path:
        return self.root / "var/cache/paivystys-update"

    def make_lab(self) -> None:
        save_site(LabAsterisk(self.state_dir, APPLIANCE_SPEC, rootfs=self.root / "rootfs",
                              netns_name=None))

    def make_box(self) -> None:
        save_site(SystemAsterisk(self.state_dir, APPLIANCE_SPEC))


FAKE_APT = textwrap.dedent('''\
    """apt-get as the update tests need it: it installs a package by writing the test's dpkg
    database (the version dpkg-deb reads from the package), logs how it was called, and
    fails, or needs other packages, when its settings beside it say so."""
    import json, pathlib, subprocess, sys

    here = pathlib.Path(__file__).parent
    settings = json.loads((here / "apt-settings.json").read_text())
    with open(here / "apt-calls.log", "a") as log:
        log.write(json.dumps(sys.argv[1:]) + "\\n")
    arguments = sys.argv[1:]
    if arguments[0] == "update":
        print("Hit:1 http://deb.debian.org/debian sid InRelease")
        if settings.get("update_fails"):
            print("E: Failed to fetch http://deb.debian.org/debian/dists/sid/InRelease  "
                  "Temporary failure resolving 'deb.debian.org'")
            sys.exit(100)
        sys.exit(0)
    deb = arguments[-1]
    version = subprocess.run(["dpkg-deb", "--field", deb, "Version"], capture_output=True,
                             text=True, check=True).stdout.strip()
    if "--simulate" in arguments:
        for name in settings.get("needs", []):
            print(f"Inst {name} (1.0 Debian:unstable [all])")
        print(f"Inst paivystys [0.1.0] ({version} local-deb [amd64])")
        sys.exit(0)
    print("Unpacking paivystys (" + version + ") ...")
    if settings.get("install_fails"):
        print("dpkg: error processing package paivystys (--configure):")
        print("E: Sub-process /usr/bin/dpkg returned an error code (1)")
        sys.exit(100)
    status = pathlib.Path(settings["admin_dir"]) / "status"
    text = status.read_text()
    old = text.split("Version: ")[1].split("\\n")[0]
    status.write_text(text.replace("Version: " + old, "Version: " + version))
    print("Setting up paivystys (" + version + ") ...")
''')


@dataclass
class FakeApt:
    """The fake apt-get, written into ``directory``."""

    directory: Path
    admin_dir: Path
    settings: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path.write_text(f"#!{sys.executable}\n{FAKE_APT}")
        self.path.chmod(0o755)
        self.configure()

    @property
    def path(self) -> Path:
        return self.directory / "apt-get"

    def configure(self, **settings: object) -> None:
        self.settings = {"admin_dir": str(self.admin_dir), **settings}
        (self.directory / "apt-settings.json").write_text(json.dumps(self.settings))

    def calls(self) -> list[list[str]]:
        log = self.directory / "apt-calls.log"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text().splitlines()]


def environment_without(*names: str) -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name not in names}
