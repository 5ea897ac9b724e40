"""The two images the project ships and what each is made of.

Both are Debian sid (the suite the tests run on) with Debian's own kernel, the appliance's
package and its dependencies, systemd-networkd (DHCP), systemd-resolved and
systemd-timesyncd.  Their disks are two partitions: a FAT boot partition (the Raspberry Pi's
firmware partition, or the PC's EFI system partition) and an ext4 root, found by their labels
so that the image boots from an SD card, a USB stick or any disk.

- ``pi``: arm64, for the Raspberry Pi 4, 400 and Compute Module 4 (and the 5, whose device
  tree Debian's kernel ships).  An MBR partition table: the Pi's boot ROM and older EEPROM
  bootloaders read nothing else.  Debian's ``raspi-firmware`` puts the firmware, the kernel,
  the initramfs and the device trees on the FAT partition and writes cmdline.txt and
  config.txt at every kernel update, so apt keeps the box bootable.
- ``pc``: amd64, UEFI (a small PC or a virtual machine).  A GPT partition table with an EFI
  system partition and systemd-boot; kernel-install puts every kernel apt installs there.
"""

from __future__ import annotations

import shlex
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "packaging"))

from build_deb import DEPENDS
from sid_root import Recipe

ROOT_LABEL = "paivystys-root"
BOOT_LABEL = "PV-BOOT"  # FAT labels: at most 11 characters
# Every Debian package of the image but the kernel, the boot loader and our own package
# (which apt installs with whatever else it depends on).  Its dependencies are here too so
# that the cached base already holds them and an image build installs offline.
BASE_PACKAGES = (
    "systemd-sysv", "udev", "dbus", "mount", "login", "passwd", "kmod", "procps",
    "iproute2", "systemd-resolved", "systemd-timesyncd", "initramfs-tools", "ca-certificates",
    "tzdata", "e2fsprogs", "dosfstools", "fdisk", "cloud-guest-utils", "python3",
    *DEPENDS,
)
TIME_ZONE = "Europe/Helsinki"
# raspi-firmware's kernel hook writes the Pi's cmdline.txt and config.txt from these at every
# kernel and initramfs update.  The root by label (it boots from any card); the kernel's
# console on the serial pins (ttyS1, the 4's mini UART, which config.txt enables) and last on
# the screen, where the set-up code is shown; no cma= (the hook adds cma=64M unless it runs on
# a Pi 4 itself, and that value renders a Pi 4 unbootable: the device tree's own is kept).
RASPI_FIRMWARE_SETTINGS = (f"ROOTPART=LABEL={ROOT_LABEL}\n"
                           'CONSOLES="ttyS1,115200 tty0"\n'
                           "CMA=0\n")
# Appended to config.txt.  The firmware looks for bcm2711-rpi-cm4.dtb on a Compute Module 4,
# and Debian's kernel ships the device tree of its IO board under another name.
RASPI_FIRMWARE_CUSTOM = "[cm4]\ndevice_tree=bcm2711-rpi-cm4-io.dtb\n[all]\n"
# Namespace of the image's fixed identifiers (disk and partition UUIDs, FAT volume ids):
# derived from the target and version, so that two builds of one version are identical.
IDENTIFIER_NAMESPACE = uuid.UUID("7d1c5a62-8f0e-4c55-9d3e-2f6b8a9c4e10")


def _write(path: str, text: str) -> str:
    """An mmdebstrap hook that writes ``text`` to ``path`` inside the root ($1)."""
    return (f'mkdir -p "$1"{shlex.quote(str(Path(path).parent))} && '
            f'printf %s {shlex.quote(text)} > "$1"{shlex.quote(path)}')


@dataclass(frozen=True)
class Target:
    name: str
    title: str
    architecture: str
    recipe: Recipe
    # Where the FAT partition is mounted on the box.
    boot_mount: str
    partition_table: str  # genimage's name: "mbr" or "gpt"
    boot_size_mib: int
    kernel_command_line: str
    # qemu's name of the machine the boot test emulates.
    qemu_system: str

    def identifier(self, version: str, what: str) -> uuid.UUID:
        return uuid.uuid5(IDENTIFIER_NAMESPACE, f"{self.name}/{version}/{what}")

    def image_name(self, version: str) -> str:
        return f"paivystys-{version}-{self.name}-{self.architecture}"


PI = Target(
    name="pi",
    title="Raspberry Pi 4, 400, CM4 and 5 (64-bit)",
    architecture="arm64",
    recipe=Recipe(
        "image-pi",
        (*BASE_PACKAGES, "linux-image-arm64", "raspi-firmware"),
        components=("main", "non-free-firmware"),
        # raspi-firmware's scripts refuse to run where /boot/firmware is not a mount point,
        # unless they recognise a chroot (they do not under qemu-user): there it is one, of
        # itself.
        essential=('mkdir -p "$1/boot/firmware" && '
                   'mount --bind "$1/boot/firmware" "$1/boot/firmware"',),
        # Its settings are written by the image build (RASPI_FIRMWARE_SETTINGS).
        customize=('umount "$1/boot/firmware"',),
        architecture="arm64",
    ),
    boot_mount="/boot/firmware",
    partition_table="mbr",
    boot_size_mib=512,
    kernel_command_line="",  # cmdline.txt is raspi-firmware's
    qemu_system="qemu-system-aarch64",
)

PC = Target(
    name="pc",
    title="PC or virtual machine (64-bit x86, UEFI)",
    architecture="amd64",
    recipe=Recipe(
        "image-pc",
        (*BASE_PACKAGES, "linux-image-amd64", "systemd-boot"),
        architecture="amd64",
    ),
    boot_mount="/boot/efi",
    partition_table="gpt",
    # Each kernel kernel-install adds to it takes about 80 MB (kernel and initramfs); apt
    # keeps two.
    boot_size_mib=512,
    # The kernel's console is the last one named: the serial port, where a PC without a
    # screen (and the boot test) reads it; the screen shows the login prompt all the same.
    kernel_command_line=f"root=LABEL={ROOT_LABEL} rw console=tty0 console=ttyS0,115200",
    qemu_system="qemu-system-x86_64",
)

TARGETS = {target.name: target for target in (PI, PC)}
