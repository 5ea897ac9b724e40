"""The files through which the services (as the user ``paivystys``) ask root to change the
box's network, and root says how it went.

They live in ``network/`` in the state directory (on the box ``/var/lib/paivystys/network``,
made by paivystys-network.service as root's, group ``paivystys``, mode 0770):

- ``request.json``, written by the API or the CLI: the setting wanted, with an id;
  paivystys-network.path starts the root applier whenever it exists, and the applier takes it
  (renames it away before reading it, so that a newer request is never lost);
- ``decision.json``, written by the API or the CLI: keep the setting on trial, or go back;
- ``status.json``, written by the root applier only: the state of the last request, the
  setting the box keeps (its ``in_use``) and, while a setting is on trial, where the box
  answers with it and until when.  No status file: no applier on this machine (lab mode).

Each file is replaced whole (written beside, then renamed), so a reader sees the old or the
new document, never half of one; the applier opens them without following symbolic links and
reads at most :data:`MAX_FILE_BYTES`: the services' user must not be able to make root read or
write anything but these files.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from paivystys.appliance.errors import Invalid
from paivystys.appliance.network.setting import NetworkSetting, setting_from_json

EXCHANGE_DIR = "network"
REQUEST_FILE = "request.json"
DECISION_FILE = "decision.json"
STATUS_FILE = "status.json"
MAX_FILE_BYTES = 16 * 1024

# The root applier's states.
APPLIED = "applied"  # the request's setting is the box's (or it already was)
PENDING = "pending"  # on trial: back to the setting before unless confirmed in time
REVERTED = "reverted"  # the trial ended, the box is back on the setting it kept
FAILED = "failed"  # not applied; the reason says why
STATES = (APPLIED, PENDING, REVERTED, FAILED)


class ExchangeError(Exception):
    """A file of the exchange is not what it should be (not a plain file, too large, not the
    JSON document it should be); the message says which and why."""


def exchange_dir(state_dir: Path) -> Path:
    return state_dir / EXCHANGE_DIR


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def timestamp(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def parse_timestamp(text: object) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def new_request_id() -> str:
    return secrets.token_hex(8)


def read_json(path: Path) -> dict[str, Any] | None:
    """The JSON object in ``path``, or None when there is no such file."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as error:  # ELOOP: a symbolic link, which nobody of ours writes
        raise ExchangeError(f"{path}: cannot be opened ({error.strerror})") from error
    with os.fdopen(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise ExchangeError(f"{path}: is not a plain file")
        data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ExchangeError(f"{path}: larger than {MAX_FILE_BYTES} bytes")
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, ValueError) as error:
        raise ExchangeError(f"{path}: not JSON ({error})") from error
    if not isinstance(document, dict):
        raise ExchangeError(f"{path}: not a JSON object")
    return document


def write_json(path: Path, document: dict[str, Any], mode: int = 0o640) -> None:
    """Replace ``path`` with ``document`` at once (see :func:`write_file`)."""
    write_file(path, (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode(), mode)


def write_file(path: Path, data: bytes, mode: int) -> None:
    """Replace ``path`` with ``data`` at once: a new file beside it (never an existing one,
    never through a link), then renamed over it."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                         | os.O_CLOEXEC, mode)
    try:
        with os.fdopen(descriptor, "wb") as file:
            os.fchmod(file.fileno(), mode)  # whatever the umask took away
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def take(path: Path) -> tuple[dict[str, Any] | None, float | None]:
    """Read and remove ``path`` (the applier's side): renamed away first, so that a document
    written meanwhile is a new ``path`` for the next look.  Its content and its modification
    time; (None, None) when there is none."""
    taken = path.with_name(f".{path.name}.taken")
    try:
        os.rename(path, taken)
    except FileNotFoundError:
        return None, None
    try:
        modified = os.lstat(taken).st_mtime
        return read_json(taken), modified
    finally:
        taken.unlink(missing_ok=True)


@dataclass(frozen=True)
class Request:
    """A setting the services ask root to try."""

    id: str
    setting: NetworkSetting
    by: str
    at: dt.datetime

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "setting": self.setting.to_json(), "by": self.by,
                "at": timestamp(self.at)}

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> Request:
        """Checked as if typed (Invalid naming the field): a request is the word of a less
        trusted user than root, who reads it."""
        request_id = document.get("id")
        if not isinstance(request_id, str) or not request_id.isalnum() or len(request_id) > 32:
            raise Invalid("id", "id: not a request id")
        by = document.get("by")
        if not isinstance(by, str) or len(by) > 200 or not by.isprintable():
            raise Invalid("by", "by: not a user's name")
        at = parse_timestamp(document.get("at"))
        if at is None:
            raise Invalid("at", "at: not a time")
        return cls(request_id, setting_from_json(document.get("setting")), by, at)


@dataclass(frozen=True)
class Decision:
    """An admin's word on the setting on trial: keep it, or go back now."""

    request_id: str
    keep: bool
    by: str

    def to_json(self) -> dict[str, Any]:
        return {"request_id": self.request_id, "keep": self.keep, "by": self.by}

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> Decision:
        request_id, keep, by = (document.get("request_id"), document.get("keep"),
                                document.get("by"))
        if not isinstance(request_id, str) or not request_id.isalnum() or len(request_id) > 32:
            raise Invalid("request_id", "request_id: not a request id")
        if not isinstance(keep, bool):
            raise Invalid("keep", "keep: must be true or false")
        if not isinstance(by, str) or len(by) > 200 or not by.isprintable():
            raise Invalid("by", "by: not a user's name")
        return cls(request_id, keep, by)


@dataclass
class Status:
    """What the root applier says: the state of the last request it took, and the setting the
    box keeps across restarts (``in_use``; None when its file was changed by hand)."""

    state: str
    boot_id: str
    in_use: NetworkSetting | None
    request_id: str | None = None
    setting: NetworkSetting | None = None  # the request's
    by: str | None = None  # who asked
    interface: str | None = None
    reason: str | None = None
    # While on trial: where the box answers with the new setting, the addresses it keeps
    # meanwhile, when the trial began and ends (seconds of CLOCK_BOOTTIME, which only this
    # boot's applier reads) and when it ends on the wall clock, for people.
    new_addresses: list[str] = field(default_factory=list)
    kept_addresses: list[str] = field(default_factory=list)
    started: float | None = None
    deadline: float | None = None
    deadline_at: str | None = None
    updated_at: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"state": self.state, "boot_id": self.boot_id,
                "in_use": None if self.in_use is None else self.in_use.to_json(),
                "request_id": self.request_id,
                "setting": None if self.setting is None else self.setting.to_json(),
                "by": self.by, "interface": self.interface, "reason": self.reason,
                "new_addresses": self.new_addresses, "kept_addresses": self.kept_addresses,
                "started": self.started, "deadline": self.deadline,
                "deadline_at": self.deadline_at, "updated_at": self.updated_at}

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> Status:
        try:
            state = document["state"]
            if state not in STATES:
                raise ExchangeError(f"unknown state {state!r}")
            in_use, setting = document.get("in_use"), document.get("setting")
            return cls(
                state=state, boot_id=str(document.get("boot_id", "")),
                in_use=None if in_use is None else setting_from_json(in_use),
                request_id=document.get("request_id"),
                setting=None if setting is None else setting_from_json(setting),
                by=document.get("by"), interface=document.get("interface"),
                reason=document.get("reason"),
                new_addresses=[str(item) for item in document.get("new_addresses") or []],
                kept_addresses=[str(item) for item in document.get("kept_addresses") or []],
                started=document.get("started"), deadline=document.get("deadline"),
                deadline_at=document.get("deadline_at"),
                updated_at=str(document.get("updated_at", "")))
        except (KeyError, TypeError, Invalid) as error:
            raise ExchangeError(f"the network status is not what the applier writes: "
                                f"{error}") from error


def read_status(directory: Path) -> Status | None:
    document = read_json(directory / STATUS_FILE)
    return None if document is None else Status.from_json(document)


def read_request(directory: Path) -> Request | None:
    """The request waiting for the applier, if any (the services' side: not taken)."""
    document = read_json(directory / REQUEST_FILE)
    if document is None:
        return None
    try:
        return Request.from_json(document)
    except Invalid as error:
        raise ExchangeError(f"the waiting request is not what the services write: "
                            f"{error}") from error
