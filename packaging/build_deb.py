"""Builds the appliance's Debian package, ``build/deb/paivystys_<version>_<arch>.deb``.

Run by ``scripts/build-deb`` (as root).  Inside a cached Debian sid chroot (the suite the box
runs) it makes the virtual environment at /opt/paivystys with that suite's python3, installs
the locked dependencies (``requirements/box.lock``: wheels only, every file checked against
its hash) and the project's own wheel (built from this repository with the locked build
tools of ``requirements/build.lock``), then lays out the package around it: the systemd units,
the drop-in for Debian's asterisk.service, the sysusers, tmpfiles and udev files, the set-up
notice for the console's login prompt, the documentation and the maintainer scripts
(``packaging/deb/``).

For another architecture than the host's (``--arch arm64`` on x86_64) the chroot is that
architecture's, run under qemu-user: its python3 makes the virtual environment and its pip
picks that machine's wheels.  What is the same for every machine runs natively in the host's
build chroot: the project's pure-Python wheel, the bytecode (where both chroots have the same
build of python3.X) and the archive.

Reproducible: every file's time is SOURCE_DATE_EPOCH (the last commit's), owners are root,
modes are 0644/0755, Python's bytecode is hash-checked rather than stamped with a time, and
dpkg-deb writes the archive in sorted order with one compression thread.  A package whose
inputs have not changed since the last build is not built again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterable
from email.parser import HeaderParser
from pathlib import Path

import update_signing
from sid_root import CACHE_PARENT, HOST_ARCHITECTURE, QEMU_USER, Recipe, ensure_root, run_in

from paivystys.appliance.runtime.host import RuntimeSetupError, require_root

REPO = Path(__file__).resolve().parent.parent
DEB_DIR = REPO / "packaging/deb"
SYSTEMD_DIR = REPO / "systemd"
OUTPUT_DIR = REPO / "build/deb"
BOX_LOCK = REPO / "requirements/box.lock"
BUILD_LOCK = REPO / "requirements/build.lock"

PACKAGE = "paivystys"
DISTRIBUTION = "paivystysvaihde"  # the project's name on the Python side
VENV = "/opt/paivystys"
SETUP_UNIT = "paivystys-setup.service"
SETUP_NOTICE = "/run/paivystys/setup-notice"  # paivystys-api.service --setup-code-file
# Debian's packages the box runs with; the exact python3.X is added from the build chroot.
DEPENDS = ("asterisk", "asterisk-modules", "asterisk-core-sounds-en-wav", "espeak-ng", "sox",
           "nftables", "systemd", "udev")
BUILD_PACKAGES = ("python3", "python3-venv", "python3-pip", "ca-certificates")
# The machines a package is built for here: the host's natively, the others in a build chroot
# of their own architecture run under qemu-user (so that chroot's python3 and pip make the
# virtual environment and choose that architecture's wheels).
ARCHITECTURES = tuple(sorted({HOST_ARCHITECTURE, *QEMU_USER}))
# The wheels of the lock files, downloaded once (checked against their hashes at every use);
# one directory for every architecture: a wheel's name says which machine it is for, and pip
# takes only those that fit the Python it installs into.
WHEEL_CACHE = CACHE_PARENT / "wheels"
WORK_PARENT = CACHE_PARENT / "deb-work"
# What of the repository the project's wheel is built from: the appliance, never the console
# (gui/ is a distribution of its own) nor the tests (setup.py leaves out every tests/).
SOURCE_PARTS = ("pyproject.toml", "setup.py", "README.md", "appliance", "agi", "modem")
VERSION_PATTERN = re.compile(r"[0-9]+(\.[0-9]+)*(\+[a-z0-9]+(\.[a-z0-9]+)*)?")
LOCK_PYTHON = re.compile(r"^#\s+scripts/lock-box (3\.[0-9]+)$", re.MULTILINE)
PIP = ["python3", "-m", "pip", "--quiet", "--disable-pip-version-check", "--no-cache-dir",
       "--no-input"]
PIP_LOCKED = ["--no-deps", "--require-hashes", "--only-binary", ":all:"]


# The voice prompts the package ships are synthesised in the host's build chroot (they are
# the same for every architecture; espeak-ng under qemu-user took half a second a prompt).
PROMPT_TOOLS = ("espeak-ng", "sox")
PROMPTS_DIR = "/usr/share/paivystys/prompts"  # appliance/prompts/generate.py's SHIPPED_DIR


def build_recipe(arch: str) -> Recipe:
    """The build chroot for packages of the Debian architecture ``arch``."""
    tools = PROMPT_TOOLS if arch == HOST_ARCHITECTURE else ()
    return Recipe("deb-build", (*BUILD_PACKAGES, *tools), architecture=arch)


def python_version(root: Path) -> str:
    """python3's minor version in the build chroot, e.g. ``3.14``."""
    return run_in(root, ["python3", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                  capture=True).stdout.strip()


def python_build(root: Path, python: str) -> str:
    """The Debian version of the chroot's python3.X, e.g. ``3.14.10-1``."""
    return run_in(root, ["dpkg-query", "--show", "--showformat=${Version}",
                         f"python{python}-minimal"], capture=True).stdout.strip()


def lock_python(lock: Path) -> str:
    found = LOCK_PYTHON.search(lock.read_text())
    if not found:
        raise RuntimeSetupError(f"{lock} does not say which Python it is for "
                                "(regenerate it with scripts/lock-box)")
    return found.group(1)


def project_version() -> str:
    with open(REPO / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["project"]["version"]


def source_date_epoch() -> int:
    """The last commit's time: what every file of the package is dated."""
    result = subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%ct"],
                            capture_output=True, text=True, check=True)
    return int(result.stdout.strip())


def source_files() -> list[Path]:
    """The files of the work tree that the project's wheel is built from, as `pip wheel .`
    would take them: tracked or not, but not those git ignores (relative paths, sorted)."""
    result = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard", "--", *SOURCE_PARTS],
                            capture_output=True, text=True, check=True)
    paths = [Path(name) for name in result.stdout.split("\0") if name]
    return sorted(set(path for path in paths
                      if "tests" not in path.parts and (REPO / path).is_file()))


def packaging_files() -> list[Path]:
    """Everything else that goes into the package or decides how it is built."""
    files = [*SYSTEMD_DIR.rglob("*"), *DEB_DIR.rglob("*"), BOX_LOCK, BUILD_LOCK,
             Path(__file__), Path(__file__).with_name("sid_root.py")]
    return sorted(path.relative_to(REPO) for path in files if path.is_file())


def inputs_digest(version: str, epoch: int, arch: str) -> str:
    recipes = {build_recipe(arch).key(), build_recipe(HOST_ARCHITECTURE).key()}
    digest = hashlib.sha256(f"{version}\n{epoch}\n{arch}\n{' '.join(sorted(recipes))}\n"
                            .encode())
    for path in [*source_files(), *packaging_files()]:
        digest.update(f"{path}\n".encode())
        digest.update(hashlib.sha256((REPO / path).read_bytes()).digest())
    return digest.hexdigest()


def units() -> list[str]:
    """The appliance's units (services, path units and timers), the set-up first."""
    names = sorted(path.name for pattern in ("*.service", "*.path", "*.timer")
                   for path in SYSTEMD_DIR.glob(pattern))
    return [SETUP_UNIT, *(name for name in names if name != SETUP_UNIT)]


def enabled_units() -> list[str]:
    """The units that are enabled (those with an [Install] section; the others are started
    by one of these), in the order they start."""
    return [unit for unit in units() if "\n[Install]\n" in (SYSTEMD_DIR / unit).read_text()]


class Build:
    def __init__(self, version: str, arch: str, progress: Callable[[str], None]) -> None:
        self.version = version
        self.progress = progress
        self.root = ensure_root(build_recipe(arch), progress)
        # What is the same for every architecture (the project's pure-Python wheel, the
        # archive) is made natively: under qemu-user xz alone took minutes.
        self.native_root = (self.root if arch == HOST_ARCHITECTURE
                            else ensure_root(build_recipe(HOST_ARCHITECTURE), progress))
        self.python = python_version(self.root)
        for lock in (BOX_LOCK, BUILD_LOCK):
            locked = lock_python(lock)
            if locked != self.python:
                raise RuntimeSetupError(
                    f"{lock.relative_to(REPO)} is for Python {locked}, but the suite's python3 "
                    f"is {self.python} now: run scripts/lock-box {self.python}")
        self.epoch = source_date_epoch()
        self.arch = run_in(self.root, ["dpkg", "--print-architecture"],
                           capture=True).stdout.strip()
        if self.arch != arch:
            raise RuntimeSetupError(f"the {arch} build chroot {self.root} says it is "
                                    f"{self.arch!r}")
        self.deb = OUTPUT_DIR / f"{PACKAGE}_{version}_{self.arch}.deb"
        self.stamp = self.deb.with_suffix(".inputs")
        self.signing_key = update_signing.signing_key(progress)

    def up_to_date(self) -> bool:
        return (self.deb.is_file() and self.stamp.is_file()
                and self.stamp.read_text().strip() == self._digest())

    def _digest(self) -> str:
        # The update keys the package ships are among its inputs (another key, another box).
        keys = update_signing.keys_digest(self.signing_key)
        return hashlib.sha256(f"{inputs_digest(self.version, self.epoch, self.arch)}\n{keys}"
                              .encode()).hexdigest()

    def run(self) -> Path:
        digest = self._digest()
        WHEEL_CACHE.mkdir(parents=True, exist_ok=True)
        WORK_PARENT.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=WORK_PARENT) as temporary:
            work = Path(temporary)
            self._copy_sources(work / "src")
            tree = work / "pkg"
            self._venv(work, tree / VENV.lstrip("/"))
            self._prompts(work)
            self._lay_out(tree)
            self._control(tree)
            normalise(tree, self.epoch)
            self._dpkg_deb(work)
            OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(work / "out.deb", self.deb)
        self.stamp.write_text(digest + "\n")
        return self.deb

    def _in_root(self, command: list[str], work: Path, *, network: bool = False,
                 venv: Path | None = None, native: bool = False) -> None:
        binds = {work: "/build", WHEEL_CACHE: "/wheels"}
        if venv is not None:
            binds[venv] = VENV
        run_in(self.native_root if native else self.root,
               ["sh", "-c", 'umask 022 && exec "$@"', "sh", *command], binds=binds,
               network=network, env={"SOURCE_DATE_EPOCH": str(self.epoch)})

    def _copy_sources(self, src: Path) -> None:
        for path in source_files():
            target = src / path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(REPO / path, target)
        pyproject = src / "pyproject.toml"
        text, count = re.subn(r'(?m)^version = "[^"]*"$', f'version = "{self.version}"',
                              pyproject.read_text(), count=1)
        if count != 1:
            raise RuntimeSetupError("pyproject.toml has no 'version = \"...\"' line")
        pyproject.write_text(text)
        requirements = src.parent / "requirements"
        requirements.mkdir()
        for lock in (BOX_LOCK, BUILD_LOCK):
            shutil.copyfile(lock, requirements / lock.name)

    def _download(self, work: Path) -> None:
        """The locked wheels into the cache, unless they were downloaded for these lock files
        and this architecture before (pip then took minutes under qemu-user only to find them
        there; the installs check every file against its hash all the same)."""
        stamp = WHEEL_CACHE / f".downloaded-{self.arch}"
        locks = hashlib.sha256(BOX_LOCK.read_bytes() + BUILD_LOCK.read_bytes()).hexdigest()
        if stamp.is_file() and stamp.read_text().strip() == locks:
            return
        self.progress(f"Downloading the locked wheels for Python {self.python} "
                      f"({self.arch}) into {WHEEL_CACHE} ...")
        stamp.unlink(missing_ok=True)
        # box.lock by the architecture's own pip: it picks that machine's wheels.
        for lock, native in (("box.lock", False), ("build.lock", True)):
            self._in_root([*PIP, "download", *PIP_LOCKED, "-r", f"/build/requirements/{lock}",
                           "-d", "/wheels"], work, network=True, native=native)
        stamp.write_text(locks + "\n")

    def _venv(self, work: Path, venv: Path) -> None:
        venv.mkdir(parents=True)
        try:
            self._install(work, venv)
        except RuntimeSetupError:
            # A wheel gone from the cache: the next build downloads them again.
            (WHEEL_CACHE / f".downloaded-{self.arch}").unlink(missing_ok=True)
            raise

    def _install(self, work: Path, venv: Path) -> None:
        self._download(work)
        self.progress("Building the project's wheel ...")
        self._in_root(["python3", "-m", "venv", "--without-pip", "/build/tools"], work,
                      native=True)
        self._in_root([*PIP, "--python", "/build/tools/bin/python", "install", "--no-index",
                       "--find-links", "/wheels", *PIP_LOCKED,
                       "-r", "/build/requirements/build.lock"], work, native=True)
        self._in_root([*PIP, "--python", "/build/tools/bin/python", "wheel", "--no-index",
                       "--no-deps", "--no-build-isolation", "-w", "/build/dist", "/build/src"],
                      work, native=True)
        self.progress(f"Installing into the virtual environment {VENV} ...")
        python = f"python{self.python}"
        self._in_root([python, "-m", "venv", "--without-pip", VENV], work, venv=venv)
        self._in_root([*PIP, "--python", f"{VENV}/bin/python", "install", "--no-compile",
                       "--no-index", "--find-links", "/wheels", *PIP_LOCKED,
                       "-r", "/build/requirements/box.lock"], work, venv=venv)
        # The project's own wheel was built just now: no hash to check it against.
        self._in_root([*PIP, "--python", f"{VENV}/bin/python", "install", "--no-compile",
                       "--no-index", "--no-deps", "--find-links", "/build/dist",
                       f"{DISTRIBUTION}=={self.version}"], work, venv=venv)
        # Bytecode is the same on every machine (an arm64 chroot's and an amd64 chroot's
        # python3.14 3.14.10-1 wrote byte-identical files): the host's build chroot compiles
        # it when its python3.X is the same build, in seconds where qemu-user took minutes.
        # Warnings are about third-party code (pip's own compiling hides them too).
        native = self.native_root == self.root or (
            python_build(self.native_root, self.python) == python_build(self.root, self.python))
        self.progress("Compiling the bytecode"
                      + ("" if native else " under qemu-user (the host's build chroot has "
                                           "another build of python)") + " ...")
        self._in_root([python, "-W", "ignore", "-m", "compileall", "-q",
                       "--invalidation-mode", "checked-hash",
                       f"{VENV}/lib/{python}/site-packages"], work, venv=venv, native=native)

    def _prompts(self, work: Path) -> None:
        """Every voice prompt, synthesised by the project's own code (its wheel in the build
        tools' environment) into the package's prompt directory, named as in a box's cache."""
        self.progress("Synthesising the voice prompts ...")
        self._in_root([*PIP, "--python", "/build/tools/bin/python", "install", "--no-index",
                       "--no-deps", "--find-links", "/build/dist",
                       f"{DISTRIBUTION}=={self.version}"], work, native=True)
        self._in_root(["env", f"PAIVYSTYS_PROMPT_CACHE=/build/pkg{PROMPTS_DIR}",
                       "/build/tools/bin/python", "-c",
                       "from paivystys.appliance.prompts.generate import synthesise_all; "
                       "synthesise_all(progress=lambda message: None)"], work, native=True)

    def _lay_out(self, tree: Path) -> None:
        def put(source: Path, target: str, mode: int = 0o644) -> None:
            path = tree / target.lstrip("/")
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, path)
            path.chmod(mode)

        def link(target: str, points_to: str) -> None:
            path = tree / target.lstrip("/")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.symlink_to(points_to)

        link("/usr/bin/paivystys", f"{VENV}/bin/paivystys")
        for unit in units():
            put(SYSTEMD_DIR / unit, f"/usr/lib/systemd/system/{unit}")
        for dropin in sorted((SYSTEMD_DIR / "asterisk.service.d").glob("*.conf")):
            put(dropin, f"/usr/lib/systemd/system/asterisk.service.d/{dropin.name}")
        put(SYSTEMD_DIR / "paivystys.sysusers", "/usr/lib/sysusers.d/paivystys.conf")
        put(SYSTEMD_DIR / "paivystys.tmpfiles", "/usr/lib/tmpfiles.d/paivystys.conf")
        for rule in sorted(SYSTEMD_DIR.glob("*.rules")):
            put(rule, f"/usr/lib/udev/rules.d/{rule.name}")
        # agetty shows /etc/issue.d/*.issue above the console's login prompt; the API writes
        # the set-up notice while the box is unclaimed and removes it once claimed.
        link("/etc/issue.d/paivystys.issue", SETUP_NOTICE)
        doc = f"/usr/share/doc/{PACKAGE}"
        put(REPO / "README.md", f"{doc}/README.md")
        update_signing.put_keys(tree, self.signing_key)
        copyright_path = tree / doc.lstrip("/") / "copyright"
        copyright_path.write_text(copyright_text(tree / VENV.lstrip("/"), self.python))

    def _control(self, tree: Path) -> None:
        control_dir = tree / "DEBIAN"
        control_dir.mkdir()
        all_units = enabled_units()
        services = [unit for unit in all_units if unit != SETUP_UNIT]
        for script in ("preinst", "postinst", "prerm", "postrm"):
            text = (DEB_DIR / script).read_text()
            text = (text.replace("@UNITS@", " ".join(all_units))
                    .replace("@SERVICES@", " ".join(services))
                    .replace("@SERVICES_REVERSED@", " ".join(reversed(services)))
                    .replace("@VENV@", VENV))
            (control_dir / script).write_text(text)
            (control_dir / script).chmod(0o755)
        depends = ", ".join([f"python{self.python}", *DEPENDS])
        control = (DEB_DIR / "control.in").read_text().format(
            package=PACKAGE, version=self.version, arch=self.arch, depends=depends,
            installed_size=installed_size_kib(tree))
        (control_dir / "control").write_text(control)
        (control_dir / "md5sums").write_text(md5sums(tree))

    def _dpkg_deb(self, work: Path) -> None:
        self.progress(f"Packing {self.deb.name} ...")
        self._in_root(["dpkg-deb", "--root-owner-group", "-Zxz", "--threads-max=1",
                       "--build", "/build/pkg", "/build/out.deb"], work, native=True)


def package_files(tree: Path) -> Iterable[Path]:
    for path in sorted(tree.rglob("*")):
        relative = path.relative_to(tree)
        if relative.parts[0] != "DEBIAN":
            yield path


def installed_size_kib(tree: Path) -> int:
    total = 0
    for path in package_files(tree):
        if path.is_file() and not path.is_symlink():
            total += -(-path.stat().st_size // 1024)
        else:
            total += 1
    return total


def md5sums(tree: Path) -> str:
    lines = []
    for path in package_files(tree):
        if path.is_file() and not path.is_symlink():
            digest = hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
            lines.append(f"{digest}  {path.relative_to(tree)}\n")
    return "".join(lines)


def normalise(tree: Path, epoch: int) -> None:
    """Modes 0755 (directories, executables) or 0644, every time the epoch."""
    for path in [tree, *sorted(tree.rglob("*"))]:
        if not path.is_symlink():
            executable = path.is_dir() or path.stat().st_mode & 0o111
            path.chmod(0o755 if executable else 0o644)
        os.utime(path, (epoch, epoch), follow_symlinks=False)


def copyright_text(venv: Path, python: str) -> str:
    """The package's copyright file: the project's, then each Python distribution bundled in
    the virtual environment with its licence as its metadata gives it."""
    lines = [(DEB_DIR / "copyright.in").read_text().rstrip("\n"), ""]
    site = venv / f"lib/python{python}/site-packages"
    for info in sorted(site.glob("*.dist-info")):
        metadata = HeaderParser().parsestr((info / "METADATA").read_text(errors="replace"))
        name, version = metadata.get("Name", info.name), metadata.get("Version", "")
        licence = metadata.get("License-Expression") or _classifier_licences(metadata) or (
            (metadata.get("License") or "").strip().splitlines() or ["see its METADATA"])[0]
        lines += [f"Files: opt/paivystys/lib/python{python}/site-packages ({name} {version})",
                  f"License: {licence}", ""]
    return "\n".join(lines)


def _classifier_licences(metadata: object) -> str:
    classifiers = metadata.get_all("Classifier") or []  # type: ignore[attr-defined]
    names = [c.rsplit("::", 1)[-1].strip() for c in classifiers if c.startswith("License ::")]
    return ", ".join(names)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/build-deb", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", default=None,
                        help="the package's version (default: pyproject.toml's); it is the "
                             "Python distribution's version too")
    parser.add_argument("--arch", choices=ARCHITECTURES, default=HOST_ARCHITECTURE,
                        help="the Debian architecture to build for (default: this machine's, "
                             f"{HOST_ARCHITECTURE}); another one is built under qemu-user")
    parser.add_argument("--force", action="store_true",
                        help="build even when nothing changed since the last build")
    parser.add_argument("--python-version", action="store_true",
                        help="print the build chroot's python3 minor version and exit")
    parser.add_argument("--json", action="store_true",
                        help="print the result as JSON (path, size, seconds, built)")
    args = parser.parse_args(argv)
    require_root("Building the Debian package (mmdebstrap, chroot)")
    quiet = args.json or args.python_version

    def progress(message: str) -> None:
        print(message, file=sys.stderr if quiet else sys.stdout, flush=True)

    started = time.monotonic()
    try:
        if args.python_version:
            print(python_version(ensure_root(build_recipe(args.arch), progress)))
            return 0
        version = args.version or project_version()
        if not VERSION_PATTERN.fullmatch(version):
            parser.error(f"version {version!r}: digits and dots, optionally +lowercase.parts")
        build = Build(version, args.arch, progress)
        built = args.force or not build.up_to_date()
        deb = build.run() if built else build.deb
        update_signing.sign_package(deb, version, build.arch, build.signing_key)
    except RuntimeSetupError as error:
        print(f"scripts/build-deb: {error}", file=sys.stderr)
        return 1
    seconds = time.monotonic() - started
    size = deb.stat().st_size
    if args.json:
        print(json.dumps({"deb": str(deb), "bytes": size, "seconds": round(seconds, 1),
                          "built": built}))
    else:
        print(f"{deb.relative_to(REPO)}: {size / 1e6:.1f} MB, "
              + (f"built in {seconds:.0f} s" if built else "unchanged since the last build"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
