"""pyst2's ``AGI`` class made fit for a threaded FastAGI server.

The customer chose pyst2, so handlers keep its command methods (``get_variable``,
``set_variable``, ...).  On Python 3 and over a socket, ``asterisk.agi.AGI`` has four defects
this adapter fixes:

(a) ``__init__`` installs a SIGHUP handler; ``signal.signal`` raises off the main thread, i.e. in
    every FastAGI request thread.  The adapter never calls it: over FastAGI Asterisk reports a
    hangup with a ``HANGUP`` line, not a signal (see d).
(b) it writes ``str`` to the stream; socket files are binary.  The adapter gives it a stream that
    encodes, and one that decodes (leniently: a caller name in Latin-1 must not kill the call).
(c) it writes debug lines for every command to stderr.  The adapter routes them to ``logging``
    at DEBUG, where they cost nothing unless asked for.
(d) Asterisk's unprompted ``HANGUP`` line is read as the reply to the next command, so every
    later reply belongs to the command before it.  The adapter skips the line and records it
    the way pyst2 records a SIGHUP: the next command raises ``AGISIGHUPHangup``.

It also reads the AGI environment with bounds (a peer that sends garbage forever is cut off),
tells a complete environment from a half-sent one, turns end-of-stream into an exception instead
of pyst2's endless loop on an unfinished 520 reply.
"""

from __future__ import annotations

import logging
from typing import BinaryIO

from asterisk.agi import AGI, AGIHangup

log = logging.getLogger(__name__)

MAX_LINE_BYTES = 8192  # Asterisk's own AGI line buffer is 2048; anything longer is not Asterisk
MAX_ENV_LINES = 200  # Asterisk sends about 25 agi_* lines plus one per argument
ENCODING = "utf-8"


class AgiConnectionClosed(AGIHangup):
    """Asterisk closed the connection: the channel is gone or the AGI was cut off."""


class AgiEnvironmentTooLong(Exception):
    """The peer sent more than an AGI environment can be: not Asterisk."""


class _ReplyReader:
    """The text stream pyst2's ``get_result`` reads replies from."""

    def __init__(self, rfile: BinaryIO, channel: AgiChannel) -> None:
        self._rfile = rfile
        self._channel = channel

    def readline(self) -> str:
        while True:
            raw = self._rfile.readline(MAX_LINE_BYTES)
            if not raw:
                # pyst2 would parse "" as a reply (ValueError) or, inside a 520 usage reply,
                # loop forever on it.
                raise AgiConnectionClosed("Asterisk closed the AGI connection")
            line = raw.decode(ENCODING, errors="replace")
            if line.strip() != "HANGUP":
                return line
            self._channel.record_hangup()


class _CommandWriter:
    """The text stream pyst2's ``send_command`` writes to."""

    def __init__(self, wfile: BinaryIO) -> None:
        self._wfile = wfile

    def write(self, text: str) -> None:
        self._wfile.write(text.encode(ENCODING))

    def flush(self) -> None:
        self._wfile.flush()


class _DebugLog:
    """Stands in for pyst2's stderr: whole lines go to the log at DEBUG."""

    def __init__(self) -> None:
        self._pending = ""

    def write(self, text: str) -> None:
        if not log.isEnabledFor(logging.DEBUG):
            return
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            log.debug("pyst2: %s", line.strip())

    def flush(self) -> None:
        """pyst2 never flushes stderr, but a stream must offer it."""


class AgiChannel(AGI):
    """One FastAGI conversation with Asterisk over a connected socket's files.

    Reads the AGI environment on construction; ``env_complete`` tells whether it ended with the
    blank line (a bare connect or a half-sent environment leaves it False).
    """

    def __init__(self, rfile: BinaryIO, wfile: BinaryIO) -> None:
        # AGI.__init__ is not called: it would install a signal handler (a) and log sys.argv.
        self.stdin = _ReplyReader(rfile, self)
        self.stdout = _CommandWriter(wfile)
        self.stderr = _DebugLog()
        self._got_sighup = False
        self.env: dict[str, str] = {}
        self.env_complete = False
        self._read_environment(rfile)

    def _read_environment(self, rfile: BinaryIO) -> None:
        for _ in range(MAX_ENV_LINES):
            raw = rfile.readline(MAX_LINE_BYTES)
            if not raw:
                return  # end of stream before the blank line: env_complete stays False
            line = raw.decode(ENCODING, errors="replace").strip()
            if not line:
                self.env_complete = True
                log.debug("AGI environment: %s", self.env)
                return
            key, _, value = line.partition(":")
            if key.strip():
                self.env[key.strip()] = value.strip()
        raise AgiEnvironmentTooLong(f"no end of the AGI environment after {MAX_ENV_LINES} lines")

    def record_hangup(self) -> None:
        """Asterisk sent ``HANGUP``: the caller is gone; the next command raises, as after a
        SIGHUP in pyst2's own design."""
        log.info("Asterisk reports the channel hung up (%s)", self.env.get("agi_channel", "?"))
        self._got_sighup = True

    @property
    def hung_up(self) -> bool:
        return self._got_sighup

