"""Builds the appliance's disk images: ``build/image/paivystys-<version>-<target>-<arch>.img.zst``
with its ``.sha256``, the ``.manifest`` of every package in it, a ``.json`` report and, for
the Raspberry Pi, the ``.os-list.json`` entry for Raspberry Pi Imager's custom repository.

Run by ``image-build/build`` (as root).  For each target (``targets.py``):

1. the cached base root filesystem (mmdebstrap; arm64 under qemu-user), copied;
2. the appliance's Debian package (``scripts/build-deb --arch``) installed into it with apt,
   which also brings any dependency the base lacks;
3. the image's own files (``overlay/``: hostname, DHCP, growing the root at boot), the file
   systems table, the time zone, the boot loader (the PC's systemd-boot; the Pi's firmware
   partition is raspi-firmware's, filled when the kernel was installed);
4. everything that must differ between two boxes removed: the machine id (systemd makes one
   at the first boot, which is then a "first boot"), random seeds, SSH host keys, apt's
   downloaded lists, logs.  The appliance's own secrets are made at the first start, and
   the build fails if any is found in the tree;
5. the partitioned image made with genimage (no loop devices, no mounts), every file time
   clamped to the last commit's and every identifier derived from the version, so a second
   build of the same inputs gives the same bytes; then compressed with zstd.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "packaging"))

from build_deb import source_date_epoch
from sid_root import CACHE_PARENT, COMPLETE_MARKER, ensure_root, run_in
from targets import (
    BOOT_LABEL,
    RASPI_FIRMWARE_CUSTOM,
    RASPI_FIRMWARE_SETTINGS,
    ROOT_LABEL,
    TARGETS,
    TIME_ZONE,
    Target,
)

from paivystys.appliance.runtime.host import RuntimeSetupError, ensure_command, require_root

REPO = Path(__file__).resolve().parent.parent
OVERLAY = Path(__file__).resolve().parent / "overlay"
OUTPUT_DIR = REPO / "build/image"
WORK_PARENT = CACHE_PARENT / "image-work"
APT_ARCHIVES = CACHE_PARENT / "image-apt-archives"
STATE_DIR = "/var/lib/paivystys"
# Room left in the root filesystem of the image beyond what it holds (the first boot grows
# it to the card; this is what a box has until then, and what a copy to a too-small card
# leaves).
ROOT_HEADROOM_MIB = 512
ALIGN = "4M"  # partitions start on SD cards' erase-block boundaries
ESP_TYPE = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b"
ROOT_TYPES = {"amd64": "4f68bce3-e8cd-4db1-96e7-fbcaf984b709",  # the discoverable-partitions
              "arm64": "b921b045-1df0-41c3-af44-4c6f280d3fae"}  # specification's root types
ENABLED_UNITS = ("systemd-networkd.service", "systemd-resolved.service",
                 "systemd-timesyncd.service", "paivystys-grow-root.service")
# Files that would make two boxes of one image alike (the appliance's own secrets are
# checked separately: see find_secrets).
PER_BOX_FILES = ("etc/machine-id", "var/lib/dbus/machine-id", "var/lib/systemd/random-seed",
                 "var/lib/systemd/credential.secret", "boot/efi/loader/random-seed")
SCRUBBED_DIRECTORIES = ("var/lib/apt/lists", "var/cache/apt", "var/cache/debconf",
                        "var/log", "tmp", "var/tmp", "root/debs")
IMAGER_DEVICES = ("pi4-64bit", "pi5-64bit")
# Raspberry Pi Imager shows the entry with this text and icon.
IMAGER_DESCRIPTION = ("Päivystysvaihde on-call switchboard: finish set-up from the desktop "
                      "console with the code shown on the box's screen.")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def build_deb(architecture: str, progress: Callable[[str], None]) -> Path:
    """The appliance's package for ``architecture``, built unless it is up to date."""
    progress(f"The appliance's package for {architecture} ...")
    result = subprocess.run([str(REPO / "scripts/build-deb"), "--arch", architecture, "--json"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeSetupError(f"scripts/build-deb --arch {architecture} failed:\n"
                                f"{result.stderr[-3000:]}")
    return Path(json.loads(result.stdout)["deb"])


class ImageBuild:
    def __init__(self, target: Target, deb: Path, epoch: int,
                 progress: Callable[[str], None]) -> None:
        self.target = target
        self.deb = deb
        self.epoch = epoch
        self.progress = progress
        self.version = deb.name.split("_")[1]
        self.name = target.image_name(self.version)
        self.work = WORK_PARENT / target.name
        self.root = self.work / "root"
        self.report: dict[str, object] = {"target": target.name, "title": target.title,
                                          "architecture": target.architecture,
                                          "version": self.version}

    def run(self) -> dict[str, object]:
        started = time.monotonic()
        base = ensure_root(self.target.recipe, self.progress)
        self._step("base", started)
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        subprocess.run(["cp", "-a", "--reflink=auto", str(base), str(self.root)], check=True)
        (self.root / COMPLETE_MARKER).unlink()
        self._install_package()
        self._configure()
        if self.target.name == "pc":
            self._install_boot_loader()
        else:
            self._fill_firmware_partition()
        self._scrub()
        self._check_nothing_per_box()
        manifest = self._write_manifest()
        self._clamp_times()
        self._step("root filesystem", started)
        raw = self._genimage()
        self._step("disk image", started)
        self._publish(raw, manifest)
        self._step("compressed", started)
        shutil.rmtree(self.work)
        self.report["seconds"] = round(time.monotonic() - started, 1)
        (OUTPUT_DIR / f"{self.name}.json").write_text(json.dumps(self.report, indent=2) + "\n")
        return self.report

    def _step(self, what: str, started: float) -> None:
        elapsed = round(time.monotonic() - started, 1)
        self.report.setdefault("steps_seconds", {})[what] = elapsed  # type: ignore[index]
        self.progress(f"[{self.target.name}] {what}: {elapsed} s")

    def _in_root(self, *command: str, network: bool = False,
                 env: dict[str, str] | None = None) -> str:
        return run_in(self.root, list(command), network=network, capture=True,
                      binds={APT_ARCHIVES: "/var/cache/apt/archives"} if network else None,
                      env={"DEBIAN_FRONTEND": "noninteractive", **(env or {})}).stdout

    def _install_package(self) -> None:
        """apt installs the package from its file; what it depends on comes from the base
        or, when the base lacks it, from Debian's archive."""
        self.progress(f"[{self.target.name}] installing {self.deb.name} ...")
        debs = self.root / "root/debs"
        debs.mkdir(parents=True)
        shutil.copyfile(self.deb, debs / self.deb.name)
        APT_ARCHIVES.mkdir(parents=True, exist_ok=True)
        self._in_root("apt-get", "update", "-qq", network=True)
        self._in_root("apt-get", "install", "-y", "-qq", "--no-install-recommends",
                      f"/root/debs/{self.deb.name}", network=True)

    def _configure(self) -> None:
        shutil.copytree(OVERLAY, self.root, symlinks=True, dirs_exist_ok=True)
        boot = self.target.boot_mount
        options = "umask=0077" if self.target.name == "pc" else "defaults"
        (self.root / "etc/fstab").write_text(
            "# The image's two partitions, by label: it boots from any card or disk.\n"
            f"LABEL={ROOT_LABEL}\t/\text4\trw,errors=remount-ro\t0\t1\n"
            f"LABEL={BOOT_LABEL}\t{boot}\tvfat\t{options}\t0\t2\n")
        (self.root / boot.lstrip("/")).mkdir(parents=True, exist_ok=True)
        localtime = self.root / "etc/localtime"
        localtime.unlink(missing_ok=True)
        localtime.symlink_to(f"/usr/share/zoneinfo/{TIME_ZONE}")
        (self.root / "etc/timezone").write_text(f"{TIME_ZONE}\n")
        (self.root / "etc/locale.conf").write_text("LANG=C.UTF-8\n")
        # systemd-firstboot would ask on the screen for a locale, a time zone and a root
        # password at the first boot, and wait there: the appliance has them.
        firstboot = self.root / "etc/systemd/system/systemd-firstboot.service"
        firstboot.unlink(missing_ok=True)
        firstboot.symlink_to("/dev/null")
        # No password logs in anywhere: the box is run from the console over the LAN.
        self._in_root("usermod", "--password", "*", "root")
        self._in_root("systemctl", "enable", *ENABLED_UNITS)

    def _install_boot_loader(self) -> None:
        """systemd-boot on the EFI system partition, with a boot entry for each kernel
        (kernel-install: the same that adds the kernels apt installs later)."""
        (self.root / "etc/kernel").mkdir(parents=True, exist_ok=True)
        (self.root / "etc/kernel/cmdline").write_text(self.target.kernel_command_line + "\n")
        # Entries named after the appliance, not after a machine id (there is none yet).
        (self.root / "etc/kernel/entry-token").write_text("paivystys\n")
        esp = self.target.boot_mount
        # Here the partition is a directory, not the FAT mount it is on the box.  Entries name
        # their files relative to the partition's mount point, which kernel-install cannot
        # find in a chroot (BOOT_MNT).
        relaxed = {"SYSTEMD_RELAX_ESP_CHECKS": "1", "BOOT_MNT": esp}
        self._in_root("bootctl", "install", f"--esp-path={esp}", "--no-variables",
                      "--entry-token=literal:paivystys", env=relaxed)
        (self.root / esp.lstrip("/") / "loader/loader.conf").write_text(
            # No menu, and its command-line editor off: a kernel command line typed at the
            # box would bypass every password.
            "timeout 0\neditor no\n")
        for kernel in sorted((self.root / "boot").glob("vmlinuz-*")):
            version = kernel.name.removeprefix("vmlinuz-")
            self._in_root("kernel-install", "add", f"--esp-path={esp}",
                          "--entry-token=literal:paivystys", version, f"/boot/{kernel.name}",
                          f"/boot/initrd.img-{version}", env=relaxed)
        entries = "\n".join(path.read_text() for path in
                             (self.root / esp.lstrip("/") / "loader/entries").glob("*.conf"))
        kernels = [line.split()[1] for line in entries.splitlines()
                   if line.startswith("linux ")]
        if not kernels or any(kernel.startswith(f"{esp}/") for kernel in kernels):
            raise RuntimeSetupError(f"kernel-install wrote no usable boot entry:\n{entries}")

    def _fill_firmware_partition(self) -> None:
        """The Pi's boot partition as raspi-firmware's kernel hook writes it on the box at
        every kernel update: firmware, kernel, initramfs, device trees, and cmdline.txt and
        config.txt from the image's settings.  The settings file is the package's conffile, so
        it is written after the package was installed (before, dpkg would stop at its "keep
        your version?" question) and the hook run again.  The hook refuses to run where
        /boot/firmware is not a mount point: here it is one, of itself."""
        (self.root / "etc/default/raspi-firmware").write_text(RASPI_FIRMWARE_SETTINGS)
        (self.root / "etc/default/raspi-firmware-custom").write_text(RASPI_FIRMWARE_CUSTOM)
        firmware = self.root / self.target.boot_mount.lstrip("/")
        run_in(self.root, ["/etc/kernel/postinst.d/z50-raspi-firmware"],
               binds={firmware: self.target.boot_mount}, capture=True,
               env={"DEB_MAINT_PARAMS": "configure"})
        self.report["firmware_cmdline"] = (firmware / "cmdline.txt").read_text().strip()

    def _scrub(self) -> None:
        for relative in PER_BOX_FILES:
            (self.root / relative).unlink(missing_ok=True)
        # Empty, not absent: systemd then makes one at the first boot and calls it that.
        (self.root / "etc/machine-id").write_text("")
        for relative in SCRUBBED_DIRECTORIES:
            directory = self.root / relative
            if directory.is_dir():
                for child in directory.iterdir():
                    if child.is_dir() and not child.is_symlink():
                        shutil.rmtree(child)
                    else:
                        child.unlink()
        (self.root / "var/lib/apt/lists/partial").mkdir(parents=True, exist_ok=True)
        (self.root / "var/cache/apt/archives/partial").mkdir(parents=True, exist_ok=True)
        for key in (self.root / "etc/ssh").glob("ssh_host_*"):
            key.unlink()
        for pycache in (self.root / "root").rglob("__pycache__"):
            shutil.rmtree(pycache)

    def _check_nothing_per_box(self) -> None:
        found = find_secrets(self.root)
        if found:
            raise RuntimeSetupError("the image would carry what each box must make itself: "
                                    + ", ".join(found))

    def _write_manifest(self) -> Path:
        """Every Debian package installed (name, version, architecture) and every Python
        distribution of the appliance's environment."""
        lines = [f"# {self.name}: Debian packages (dpkg) and the appliance's Python "
                 "distributions (/opt/paivystys)"]
        lines += [f"deb\t{name}\t{version}\t{architecture}"
                  for name, version, architecture in installed_packages(self.root)]
        lines += [f"python\t{name}\t{version}" for name, version
                  in python_distributions(self.root / "opt/paivystys")]
        manifest = OUTPUT_DIR / f"{self.name}.manifest"
        OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
        manifest.write_text("\n".join(lines) + "\n")
        self.report["packages"] = len(lines) - 1
        return manifest

    def _clamp_times(self) -> None:
        subprocess.run(["find", str(self.root), "-newermt", f"@{self.epoch}", "-exec",
                        "touch", "--no-dereference", "--date", f"@{self.epoch}", "{}", "+"],
                       check=True)

    def _genimage(self) -> Path:
        ensure_command("genimage", "genimage")
        ensure_command("mkfs.vfat", "dosfstools")
        ensure_command("mcopy", "mtools")
        used_mib = int(subprocess.run(["du", "-s", "--block-size=1M", str(self.root)],
                                      capture_output=True, text=True, check=True
                                      ).stdout.split()[0])
        root_mib = used_mib + ROOT_HEADROOM_MIB
        self.report["root_used_mib"] = used_mib
        config = self.work / "genimage.cfg"
        config.write_text(genimage_config(self.target, self.version, root_mib, self.epoch))
        output = self.work / "images"
        environment = {**os.environ, "E2FSPROGS_FAKE_TIME": str(self.epoch),
                       "SOURCE_DATE_EPOCH": str(self.epoch)}
        result = subprocess.run(
            ["genimage", "--config", str(config), "--rootpath", str(self.root),
             "--tmppath", str(self.work / "genimage-tmp"), "--inputpath", str(output),
             "--outputpath", str(output)], capture_output=True, text=True, env=environment)
        if result.returncode != 0:
            raise RuntimeSetupError(f"genimage failed (exit {result.returncode}):\n"
                                    f"{(result.stderr + result.stdout)[-3000:]}")
        return output / "disk.img"

    def _publish(self, raw: Path, manifest: Path) -> None:
        image = OUTPUT_DIR / f"{self.name}.img"
        compressed = image.with_suffix(".img.zst")
        self.report["image_bytes"] = raw.stat().st_size
        self.report["image_sha256"] = sha256_file(raw)
        self.progress(f"[{self.target.name}] compressing ...")
        # zstd: Raspberry Pi Imager and Debian's zstd read it; several times faster to make
        # than xz at nearly its size.  Its multi-threaded output does not depend on the
        # number of threads: the same bytes whatever machine compresses it.
        ensure_command("zstd", "zstd")
        subprocess.run(["zstd", "--quiet", "--force", "-12", "--threads=2", str(raw), "-o",
                        str(compressed)], check=True)
        self.report["compressed_bytes"] = compressed.stat().st_size
        self.report["compressed_sha256"] = sha256_file(compressed)
        (OUTPUT_DIR / f"{compressed.name}.sha256").write_text(
            f"{self.report['compressed_sha256']}  {compressed.name}\n")
        self.report["files"] = [compressed.name, f"{compressed.name}.sha256", manifest.name]
        if self.target.name == "pi":
            entry = imager_entry(self.target, self.report, compressed.name, self.epoch)
            os_list = OUTPUT_DIR / f"{self.name}.os-list.json"
            os_list.write_text(json.dumps({"os_list": [entry]}, indent=2,
                                          ensure_ascii=False) + "\n")
            self.report["files"].append(os_list.name)  # type: ignore[union-attr]
        raw.unlink()


def find_secrets(root: Path) -> list[str]:
    """What in the tree ``root`` one box must not share with another: a machine id, seeds,
    SSH host keys, or anything the appliance makes at its first start (its state directory
    holds only what the package put there)."""
    found = [relative for relative in PER_BOX_FILES
             if (root / relative).is_file() and (root / relative).stat().st_size > 0]
    found += [str(key.relative_to(root)) for key in (root / "etc/ssh").glob("ssh_host_*")]
    state = root / STATE_DIR.lstrip("/")
    if state.is_dir():
        found += [str(path.relative_to(root)) for path in state.rglob("*") if path.is_file()]
    return found


def installed_packages(root: Path) -> list[tuple[str, str, str]]:
    """(package, version, architecture) of every package dpkg has installed in ``root``."""
    packages = []
    for paragraph in (root / "var/lib/dpkg/status").read_text().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in paragraph.splitlines()
                      if ": " in line and not line.startswith(" "))
        if fields.get("Status", "").endswith(" installed"):
            packages.append((fields["Package"], fields["Version"], fields["Architecture"]))
    return sorted(packages)


def python_distributions(venv: Path) -> list[tuple[str, str]]:
    found = []
    for dist_info in venv.glob("lib/python3*/site-packages/*.dist-info"):
        name, _, version = dist_info.name.removesuffix(".dist-info").partition("-")
        found.append((name, version))
    return sorted(found)


def genimage_config(target: Target, version: str, root_mib: int, epoch: int) -> str:
    """genimage's description of the disk: the FAT boot partition then the ext4 root, with
    every identifier derived from the version (reproducible builds)."""
    volume_id = target.identifier(version, "boot-volume").hex[:8]
    root_uuid = target.identifier(version, "root-filesystem")
    if target.partition_table == "gpt":
        table = (f'        partition-table-type = "gpt"\n'
                 f'        disk-uuid = "{target.identifier(version, "disk")}"\n')
        boot_type = (f'        partition-type-uuid = "{ESP_TYPE}"\n'
                     f'        partition-uuid = "{target.identifier(version, "boot")}"\n')
        root_type = (f'        partition-type-uuid = "{ROOT_TYPES[target.architecture]}"\n'
                     f'        partition-uuid = "{target.identifier(version, "root")}"\n')
    else:
        signature = int(target.identifier(version, "disk").hex[:8], 16)
        table = f'        partition-table-type = "mbr"\n        disk-signature = {signature}\n'
        boot_type = "        partition-type = 0x0C\n        bootable = true\n"
        root_type = "        partition-type = 0x83\n"
    return f"""image boot.vfat {{
    vfat {{
        label = "{BOOT_LABEL}"
        extraargs = "-F 32 -i {volume_id} --invariant"
    }}
    mountpoint = "{target.boot_mount}"
    size = {target.boot_size_mib}M
}}

image root.ext4 {{
    ext4 {{
        label = "{ROOT_LABEL}"
        use-mke2fs = true
        extraargs = "-U {root_uuid} -E hash_seed={root_uuid}"
        fs-timestamp = "@{epoch}"
    }}
    size = {root_mib}M
}}

image disk.img {{
    hdimage {{
{table}        align = {ALIGN}
    }}
    partition boot {{
        image = "boot.vfat"
{boot_type}    }}
    partition root {{
        image = "root.ext4"
{root_type}    }}
}}
"""


def imager_entry(target: Target, report: dict[str, object], file_name: str,
                 epoch: int) -> dict[str, object]:
    """The image as Raspberry Pi Imager's custom repository lists it.  ``url`` is the file's
    name; set IMAGE_BASE_URL to where the images are published for a full address."""
    base = os.environ.get("IMAGE_BASE_URL", "")
    return {
        "name": f"Päivystysvaihde {report['version']}",
        "description": IMAGER_DESCRIPTION,
        "url": f"{base.rstrip('/')}/{file_name}" if base else file_name,
        "extract_size": report["image_bytes"],
        "extract_sha256": report["image_sha256"],
        "image_download_size": report["compressed_bytes"],
        "image_download_sha256": report["compressed_sha256"],
        "release_date": dt.datetime.fromtimestamp(epoch, dt.UTC).date().isoformat(),
        "devices": list(IMAGER_DEVICES),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="image-build/build", description=__doc__.split("\n")[0])
    parser.add_argument("targets", nargs="*", metavar="TARGET",
                        help=f"which images: {', '.join(TARGETS)} (default: all)")
    parser.add_argument("--deb", type=Path, action="append", default=[],
                        help="install this package instead of building it (once per "
                             "architecture)")
    parser.add_argument("--json", action="store_true", help="print the reports as JSON")
    arguments = parser.parse_args(argv)
    require_root("image-build/build")

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    unknown = [name for name in arguments.targets if name not in TARGETS]
    if unknown:
        parser.error(f"no such target: {', '.join(unknown)} (there are: {', '.join(TARGETS)})")
    epoch = source_date_epoch()
    reports = []
    for name in dict.fromkeys(arguments.targets or TARGETS):
        target = TARGETS[name]
        given = [deb for deb in arguments.deb if deb.name.endswith(f"_{target.architecture}.deb")]
        deb = given[0].resolve() if given else build_deb(target.architecture, progress)
        reports.append(ImageBuild(target, deb, epoch, progress).run())
    print(json.dumps(reports, indent=2) if arguments.json else
          "\n".join(f"{OUTPUT_DIR / report['files'][0]}: {report['compressed_bytes']} bytes, "  # type: ignore[index]
                    f"{report['seconds']} s" for report in reports))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeSetupError as error:
        print(f"image-build: {error}", file=sys.stderr)
        sys.exit(1)
