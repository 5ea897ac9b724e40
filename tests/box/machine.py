"""A Debian sid machine booted under qemu with systemd as PID 1, for the box test.

Its root filesystem: a cached base (systemd, udev, dbus, a kernel, networkd with DHCP, and
for the test alone a root shell on the second serial port), copied per run, the package
installed into it with apt (which resolves its Depends), then written into an ext4 image
with ``mkfs.ext4 -d`` (no loop devices) and booted with the kernel and initrd from it.
The first serial port is the box's screen (its login prompt, logged to a file); the API's
port is forwarded to 127.0.0.1 only, and the guest reaches nothing else (``restrict=on``).

systemd-nspawn --boot is not used: on this host it exits at once ("Failed to open system
bus": the host runs no systemd to give it a scope), and the host's cgroups are v1 (hybrid),
without which sid's systemd does not run as PID 1.
"""

from __future__ import annotations

import re
import shlex
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "packaging"))

from sid_root import CACHE_PARENT, Recipe, ensure_root, run_in  # noqa: E402

from paivystys.appliance.api.tls import fingerprint  # noqa: E402

API_PORT = 8443
SHELL_UNIT = "box-test-shell.service"


def shell_service(tty: str) -> str:
    """The [Service] of the root shell a test drives on ``tty``: non-interactive bash reading
    commands line by line, without echo.  Given by the test, never in the package."""
    return f"""[Service]
ExecStart=/bin/sh -c 'stty -echo -onlcr && exec /bin/bash --noprofile --norc -s'
Environment=SYSTEMD_COLORS=0 SYSTEMD_PAGER= TERM=dumb
StandardInput=tty
StandardOutput=tty
TTYPath=/dev/{tty}
TTYReset=yes
Restart=always
RestartSec=1
"""


# The box test's shell, on ttyS1: in the test's root filesystem only.
SHELL_UNIT_TEXT = ("[Unit]\nDescription=Root shell on ttyS1 for the box test (the test's root "
                   "filesystem only)\nAfter=systemd-user-sessions.service\n\n"
                   + shell_service("ttyS1")
                   + "\n[Install]\nWantedBy=multi-user.target\n")
NETWORK_TEXT = "[Match]\nName=en* eth*\n\n[Network]\nDHCP=yes\n"


def _write_hook(path: str, text: str) -> str:
    """An mmdebstrap customize hook that writes ``text`` to ``path`` inside the root."""
    return f"printf %s {shlex.quote(text)} > \"$1{path}\""


BASE_RECIPE = Recipe(
    "box-base",
    ("systemd-sysv", "udev", "dbus", "mount", "login", "linux-image-amd64",
     "initramfs-tools", "procps", "iproute2", "kmod", "passwd"),
    customize=(
        _write_hook("/etc/hostname", "paivystys-box\n"),
        _write_hook("/etc/fstab", "/dev/vda / ext4 rw,errors=remount-ro 0 1\n"),
        _write_hook("/etc/systemd/network/80-dhcp.network", NETWORK_TEXT),
        _write_hook(f"/etc/systemd/system/{SHELL_UNIT}", SHELL_UNIT_TEXT),
        f'chroot "$1" systemctl enable systemd-networkd.service {SHELL_UNIT}',
        # root logs in on the box's screen without a password: a test machine.
        'chroot "$1" passwd -d root',
    ),
)
APT_ARCHIVES = CACHE_PARENT / "box-apt-archives"
MARKER = "__box__"
KERNEL, INITRD = "vmlinuz", "initrd.img"


def prepare_root(work: Path, deb: Path, extra_files: dict[str, Path]) -> Path:
    """A fresh root filesystem with ``deb`` installed by apt; ``extra_files`` copied in
    (path inside -> file outside)."""
    base = ensure_root(BASE_RECIPE)
    root = work / "root"
    subprocess.run(["cp", "-a", "--reflink=auto", str(base), str(root)], check=True)
    (root / "root/debs").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(deb, root / "root/debs" / deb.name)
    for inside, outside in extra_files.items():
        target = root / inside.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(outside, target)
    APT_ARCHIVES.mkdir(parents=True, exist_ok=True)
    binds = {APT_ARCHIVES: "/var/cache/apt/archives"}
    environment = {"DEBIAN_FRONTEND": "noninteractive"}
    run_in(root, ["apt-get", "update", "-qq"], binds=binds, network=True, env=environment,
           capture=True)
    run_in(root, ["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                  f"/root/debs/{deb.name}"], binds=binds, network=True, env=environment,
           capture=True)
    return root


def make_image(root: Path, image: Path) -> None:
    """An ext4 image of ``root`` and, beside it, the kernel and initrd to boot it with."""
    shutil.copyfile(sorted((root / "boot").glob("vmlinuz-*"))[-1], image.parent / KERNEL)
    shutil.copyfile(sorted((root / "boot").glob("initrd.img-*"))[-1], image.parent / INITRD)
    used = int(subprocess.run(["du", "-sm", str(root)], capture_output=True, text=True,
                              check=True).stdout.split()[0])
    with open(image, "wb") as file:
        file.truncate((used + 1536) * 1024 * 1024)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "boxroot", "-d", str(root), str(image)],
                   check=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Result:
    status: int
    output: str


class ShellError(AssertionError):
    pass


class Machine:
    """A booted machine: its API port on 127.0.0.1, its screen's log, its root shell."""

    def __init__(self, work: Path, boot_arguments: list[str], *,
                 qemu: str = "qemu-system-x86_64", shell_on_virtio: bool = False) -> None:
        """``boot_arguments``: qemu's machine, firmware or kernel, and disks.  The first
        serial port is the screen; the root shell is on the second serial port, or on the
        second virtio console (hvc1; systemd starts a login prompt on hvc0) for machines
        with one serial port only."""
        self.work = work
        self.api_port = free_port()
        self.console_log = work / "console.log"
        self.shell_socket = work / "shell.sock"
        shell = ["-chardev", f"socket,id=shell,path={self.shell_socket},server=on,wait=off"]
        shell += (["-device", "virtio-serial", "-chardev", "null,id=hvc0",
                   "-device", "virtconsole,chardev=hvc0", "-device", "virtconsole,chardev=shell"]
                  if shell_on_virtio else ["-serial", "chardev:shell"])
        self.command = [
            qemu, *boot_arguments, "-display", "none", "-monitor", "none", "-no-reboot",
            "-netdev", f"user,id=net0,restrict=on,"
                       f"hostfwd=tcp:127.0.0.1:{self.api_port}-:{API_PORT}",
            "-device", "virtio-net-pci,netdev=net0",
            "-chardev", f"file,id=screen,path={self.console_log}", "-serial", "chardev:screen",
            *shell,
        ]
        self.process: subprocess.Popen[bytes] | None = None
        self.started = 0.0
        self._shell: socket.socket | None = None
        self._buffer = b""

    @classmethod
    def box(cls, work: Path, image: Path) -> Machine:
        """The box test's machine: ``image`` booted with the kernel and initrd that
        :func:`make_image` put beside it."""
        return cls(work, [
            # One virtual CPU: with two, sid's kernel now and then died at boot under this
            # qemu's multi-threaded emulation ("Oops: int3" while patching its own code).
            "-machine", "q35", "-accel", "tcg", "-cpu", "max", "-smp", "1", "-m", "2048",
            "-kernel", str(work / KERNEL), "-initrd", str(work / INITRD),
            "-append", "root=/dev/vda rw console=ttyS0,115200 panic=-1 net.ifnames=0",
            "-drive", f"file={image},format=raw,if=virtio,cache=unsafe",
        ])

    def boot(self) -> None:
        self.started = time.monotonic()
        with open(self.work / "qemu.log", "wb") as qemu_log:
            self.process = subprocess.Popen(self.command, stdout=qemu_log,
                                            stderr=subprocess.STDOUT)

    def stop(self) -> None:
        if self._shell is not None:
            self._shell.close()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def screen(self) -> str:
        return self.console_log.read_text(errors="replace")

    def _alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise ShellError(f"qemu exited ({self.process.returncode}); its screen:\n"
                             + self.screen()[-3000:])

    def wait_for_shell(self, timeout: float) -> float:
        """Wait until the root shell answers; the seconds since boot."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._alive()
            if self._shell is None and self.shell_socket.exists():
                self._shell = socket.socket(socket.AF_UNIX)
                self._shell.connect(str(self.shell_socket))
            if self._shell is not None:
                try:
                    if self.run("true", timeout=5).status == 0:
                        return time.monotonic() - self.started
                except TimeoutError:
                    pass
            else:
                time.sleep(1)
        raise ShellError(f"no root shell within {timeout:.0f} s; the screen:\n"
                         + self.screen()[-3000:])

    def run(self, command: str, timeout: float = 120) -> Result:
        """Run ``command`` in the box's root shell; its status and output (stderr too)."""
        assert self._shell is not None
        tag = uuid.uuid4().hex[:12]
        line = (f"echo {MARKER}B{tag}; {{ {command}\n}} </dev/null 2>&1; "
                f"echo {MARKER}E{tag}:$?\n")
        self._shell.sendall(line.encode())
        end = re.compile(rf"{MARKER}E{tag}:(\d+)\r?\n".encode())
        begin = f"{MARKER}B{tag}\n".encode()
        deadline = time.monotonic() + timeout
        self._shell.settimeout(1)
        while True:
            found = end.search(self._buffer)
            if found:
                text = self._buffer[:found.start()]
                self._buffer = self._buffer[found.end():]
                start = text.find(begin)
                output = text[start + len(begin):] if start >= 0 else text
                return Result(int(found.group(1)), output.decode(errors="replace"))
            if time.monotonic() > deadline:
                raise TimeoutError(f"no answer within {timeout:.0f} s to: {command}")
            self._alive()
            try:
                chunk = self._shell.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                raise ShellError("the box's shell socket closed")
            self._buffer += chunk

    def check(self, command: str, timeout: float = 120) -> str:
        """Run ``command``; its output, or an AssertionError saying how it failed."""
        result = self.run(command, timeout)
        if result.status != 0:
            raise ShellError(f"{command!r} exited {result.status}:\n{result.output}")
        return result.output


@dataclass
class Deb:
    path: Path
    version: str
    bytes: int
    seconds: float
    built: bool


@dataclass
class Box:
    machine: Machine
    first: Deb
    upgrade: Deb
    report: dict[str, object] = field(default_factory=dict)
    # Set by the claim test, used by the tests after it: the first admin's session.
    token: str | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.machine.api_port}"

    def served_fingerprint(self) -> str:
        return fingerprint(ssl.get_server_certificate(("127.0.0.1", self.machine.api_port),
                                                      timeout=10))


def api_answers(box_url: str) -> bool:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(f"{box_url}/api/claim", context=context, timeout=5):
            return True
    except OSError:
        return False
