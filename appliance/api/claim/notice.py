"""What the box says while nobody has claimed it: the set-up code, the API's address and its
certificate's fingerprint, in one line of the API's log (the journal on the box) and in a
small text file for the box's own screen (``paivystys-api --setup-code-file``: the console
login prompt shows it).

:class:`ClaimWatch` keeps both in step with the database, at the API's start and every few
seconds after: a box claimed by the CLI loses its notice too, a box that gets its address
from DHCP after the API started shows that address, and one left without an admin (a restored
backup that had none) gets a code again.  The console's login prompt prints the file as it
is: it holds no backslash, which the prompt would read as an escape."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from paivystys.appliance.users import claim

log = logging.getLogger(__name__)

CHECK_EVERY_S = 5.0
PAIRS_PER_LINE = 8  # four lines, as the console shows it beside the set-up code field
INDENT = " " * 4
LABEL_WIDTH = 15


def notice_text(code: str, fingerprint: str, url: str) -> str:
    """The notice as the box's screen shows it."""
    pairs = fingerprint.split(":")
    lines = [":".join(pairs[i:i + PAIRS_PER_LINE]) for i in range(0, len(pairs), PAIRS_PER_LINE)]
    rows = [("Set-up code:", code)]
    if url:
        rows.append(("Address:", url))
    rows.append(("Certificate:", "SHA-256 fingerprint"))
    rows += [("", line) for line in lines]
    table = "\n".join(f"{INDENT}{label:<{LABEL_WIDTH}}{value}".rstrip() for label, value in rows)
    return ("Päivystysvaihde is not set up yet. Claim it from the desktop console:\n"
            "choose this switchboard, then type this set-up code and the first admin's\n"
            "name and password.\n\n"
            f"{table}\n\n"
            "The console shows the certificate fingerprint next to the set-up code:\n"
            "claim only if it is the same as this one.\n")


class ClaimWatch:
    """Keeps the set-up code, the log and the notice file in step with whether the box is
    claimed.  :meth:`check` is safe from any thread."""

    def __init__(self, state_dir: Path, notice_path: Path | None, fingerprint: str,
                 api_url: Callable[[], str]) -> None:
        self._state_dir = state_dir
        self._notice_path = notice_path
        self._fingerprint = fingerprint
        self._api_url = api_url
        self._shown: str | None = None  # the notice last announced
        self._lock = threading.Lock()

    def check(self) -> bool:
        """Announce the set-up code (again, if anything in the notice changed), or withdraw it
        once the box is claimed; whether it is."""
        with self._lock:
            if claim.is_claimed():
                withdrawn = claim.withdraw(self._state_dir)
                removed = self._remove_notice()
                if withdrawn or removed or self._shown is not None:
                    log.info("the switchboard is claimed: its set-up code is withdrawn")
                self._shown = None
                return True
            code = claim.setup_code(self._state_dir)
            url = self._api_url()
            text = notice_text(code, self._fingerprint, url)
            if text != self._shown:
                log.info("not set up yet: claim it from the desktop console at %s with the "
                         "set-up code %s; certificate SHA-256 fingerprint %s",
                         url or "this box's address", code, self._fingerprint)
                if self._notice_path is not None:
                    claim.write_private_file(self._notice_path, text)
                self._shown = text
            return False

    def _remove_notice(self) -> bool:
        if self._notice_path is None:
            return False
        try:
            self._notice_path.unlink()
        except FileNotFoundError:
            return False
        return True

    async def keep_in_step(self) -> None:
        """:meth:`check` every :data:`CHECK_EVERY_S` seconds, until cancelled."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(CHECK_EVERY_S)
            try:
                await loop.run_in_executor(None, self.check)
            except Exception:
                log.exception("checking whether the switchboard is claimed failed; trying "
                              "again in %.0f s", CHECK_EVERY_S)
