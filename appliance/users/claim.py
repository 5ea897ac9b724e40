"""Claiming the box: its first admin, made from the desktop console with the one-time set-up
code that the box shows on its own screen and in its log.

A box is claimed once it has an admin, whoever made it: a claim, or ``paivystys user add NAME
--admin`` on the box itself.  Until then the API answers nothing but the claim and the health
(``paivystys.appliance.api.claim``), so that nobody reaches the switchboard without having
read the box's screen or log, and a stranger on the LAN cannot make themselves its admin first.

The code is 16 characters of Crockford's base 32 (80 bits from :mod:`secrets`) in four groups:
no I, L, O or U to misread or mishear, and what a person types for them (O for 0, I or L for
1, lower case, spaces, dashes) is read as meant.  A wrong code is a failed login from its
address (the same throttle and lock-outs), so it cannot be guessed in the lifetime of a box.

The code is kept in plain, in a file of the state directory that only the API's user may read
(0600), until the box is claimed.  Kept, because the box's screen shows it from a file that
the console login prompt reads when it draws itself, and the installer may have noted it: an
API restarted before the claim (a crash, an upgrade, a power cut) must go on accepting the
code already shown, which a hash could check but not show again.  In plain, because the API
must show it again.  Not in the database: every service and the CLI's group read that, and
backups copy it.  Whoever can read the file can also read the API's TLS key beside it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import os
import secrets
import stat
import tempfile
from pathlib import Path

from paivystys.appliance.changes import Changes
from paivystys.appliance.db.models import utcnow
from paivystys.appliance.errors import Conflict, Invalid
from paivystys.appliance.users import service

log = logging.getLogger(__name__)

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32
GROUPS = 4
GROUP_LENGTH = 4  # 4 x 4 characters of 5 bits: 80 bits
# What a person may type for a character the alphabet leaves out (Crockford's decoding).
READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
CODE_FILE = "setup-code"
CODE_MODE = 0o600
# Failed claims are counted and locked out under this name: no username can be it.
GUESSED_NAME = "(set-up code)"
CLAIM_ACTION = "box.claim"


class AlreadyClaimed(Conflict):
    """The box has its admin: a set-up code claims nothing any more."""

    def __init__(self) -> None:
        super().__init__("code", "code: this switchboard is already set up: log in as its "
                                 "admin, who can add more users")


def new_code() -> str:
    """A fresh code as it is shown: ``7KQ2-M9XD-3FRT-HB8W``."""
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH))
                    for _ in range(GROUPS))


def normalized(text: str) -> str:
    """The code as typed, in the form compared: the alphabet's characters only (spaces and
    dashes gone, letters in upper case, O read as 0, I and L as 1)."""
    return "".join(text.split()).replace("-", "").upper().translate(READ_AS)


def _well_formed(code: str) -> bool:
    plain = code.replace("-", "")
    return (len(plain) == GROUPS * GROUP_LENGTH and all(c in ALPHABET for c in plain)
            and code == "-".join(plain[i:i + GROUP_LENGTH]
                                 for i in range(0, len(plain), GROUP_LENGTH)))


def is_claimed() -> bool:
    return service.admin_exists()


def setup_code(state_dir: Path) -> str:
    """This unclaimed box's set-up code: the one kept in ``state_dir``, or a new one, kept
    from now on.  A kept file that others could read, or that holds no code, is replaced."""
    path = state_dir / CODE_FILE
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        kept = path.read_text().strip()
    except FileNotFoundError:
        pass
    else:
        if mode == CODE_MODE and _well_formed(kept):
            return kept
        log.warning("%s was mode %04o or held no set-up code; it is replaced by a new code",
                    path, mode)
    code = new_code()
    write_private_file(path, f"{code}\n")
    return code


def kept_code(state_dir: Path) -> str | None:
    """The set-up code kept in ``state_dir``, if one is."""
    try:
        return (state_dir / CODE_FILE).read_text().strip() or None
    except FileNotFoundError:
        return None


def withdraw(state_dir: Path) -> bool:
    """Forget the set-up code (the box is claimed); whether there was one."""
    try:
        (state_dir / CODE_FILE).unlink()
    except FileNotFoundError:
        return False
    return True


def write_private_file(path: Path, text: str) -> None:
    """``text`` in ``path``, readable by this user alone from the first byte, whole or not at
    all (a power cut leaves the old file or the new one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as file:
            os.fchmod(file.fileno(), CODE_MODE)
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _same_code(typed: str, kept: str) -> bool:
    """Compared in constant time: digests of equal length, whatever was typed."""
    return hmac.compare_digest(hashlib.sha256(normalized(typed).encode()).digest(),
                               hashlib.sha256(normalized(kept).encode()).digest())


def claim(code: str, username: str, password: str, client: str, throttle: service.Throttle,
          state_dir: Path, now: dt.datetime | None = None) -> service.Login:
    """Make the box's first admin, if ``code`` is its set-up code; logged in at once.

    The code is checked first, as a password is: a wrong one is a failed login from
    ``client``, and a throttled or locked-out address gets no answer about it.  The username
    and password then follow the rules of every account.  The admin, the audit row
    ``box.claim`` and the session are one transaction, which refuses if an admin appeared
    meanwhile (another claim, or the CLI); the code is forgotten after it."""
    now = now or utcnow()
    if is_claimed():
        raise AlreadyClaimed()
    service.refuse_if_guessing(GUESSED_NAME, client, throttle, now)
    kept = kept_code(state_dir)
    if kept is None or not _same_code(code, kept):
        service.record_failure(GUESSED_NAME, client, throttle, now)
        raise Invalid("code", "code: that is not this switchboard's set-up code: type the one "
                              "its screen shows")
    service.forget_failures(GUESSED_NAME, client)
    values = service.check_new_user(username, password, service.ROLE_ADMIN)
    password_hash = service.hash_password(password)
    name = str(values["username"])
    with Changes(name).change(CLAIM_ACTION, name, {"client": client},
                              reaches_asterisk=False):
        if is_claimed():
            raise AlreadyClaimed()
        session = service.start_session(service.insert_user(values, password_hash), now)
    withdraw(state_dir)
    log.info("the switchboard was claimed by %s from %s", name, client)
    return session
