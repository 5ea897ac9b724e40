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
of pyst2's endless loop on an unfinished 520 reply, and a command refused on a dead channel
(``511``) into a hang-up.

For conversations with the caller (the listening line) it adds playback that a key interrupts
(``stream``, ``control_stream``) and reading keys (``read_digits``), with their arguments quoted
and checked (pyst2 leaves an empty argument out, so that the next one takes its place), and a
per-command reply time: Asterisk answers a playback only when it has ended.
"""

from __future__ import annotations

import logging
import re
import select
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from asterisk.agi import AGI, AGIAppError, AGIHangup, AGIUnknownError

log = logging.getLogger(__name__)

MAX_LINE_BYTES = 8192  # Asterisk's own AGI line buffer is 2048; anything longer is not Asterisk
MAX_ENV_LINES = 200  # Asterisk sends about 25 agi_* lines plus one per argument
ENCODING = "utf-8"


class AgiConnectionClosed(AGIHangup):
    """Asterisk closed the connection: the channel is gone or the AGI was cut off."""


class AgiEnvironmentTooLong(Exception):
    """The peer sent more than an AGI environment can be: not Asterisk."""


class AgiChannelGone(AGIHangup):
    """Asterisk refused a command on a dead channel (511): the caller has hung up."""


class AgiPlaybackFailed(AGIAppError):
    """A playback or key reading ended with result -1: the sound could not be played (a
    missing file), or the caller hung up meanwhile (the next command tells which)."""


# Asterisk's code for a command on a channel that has hung up.
DEAD_CHANNEL = 511
# How long a failed playback waits for Asterisk's HANGUP line (sent just after its reply).
HANGUP_GRACE_S = 0.2
KEYS = frozenset("0123456789*#")
# Sound names are ours (paths without extension); anything that would be argument syntax is
# refused rather than quoted.
_SOUND = re.compile(r"[A-Za-z0-9/_.+-]+")


class _ReplyReader:
    """The text stream pyst2's ``get_result`` reads replies from."""

    def __init__(self, rfile: BinaryIO, channel: AgiChannel) -> None:
        self._rfile = rfile
        self._channel = channel

    def hangup_waiting(self) -> bool:
        """Whether Asterisk's HANGUP line is there to read already (on a connection made
        non-blocking); if so it is read and the hang-up recorded."""
        try:
            waiting = self._rfile.peek()  # type: ignore[attr-defined]  (a BufferedReader)
        except BlockingIOError:
            return False
        if not waiting.startswith(b"HANGUP"):
            return False
        self._rfile.readline(MAX_LINE_BYTES)
        self._channel.record_hangup()
        return True

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

    def __init__(self, rfile: BinaryIO, wfile: BinaryIO,
                 connection: socket.socket | None = None) -> None:
        # AGI.__init__ is not called: it would install a signal handler (a) and log sys.argv.
        self._connection = connection  # whose timeout bounds the wait for each reply
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


    def execute(self, command: str, *args: object) -> dict[str, tuple[str, str]]:
        try:
            return super().execute(command, *args)
        except AGIUnknownError as error:
            if error.args and error.args[0] == DEAD_CHANNEL:
                self._got_sighup = True
                raise AgiChannelGone(f"{command}: the channel has hung up") from error
            raise

    @contextmanager
    def replies_within(self, seconds: float) -> Iterator[None]:
        """Allow ``seconds`` for each reply inside the block (a playback is answered when it
        ends); without a connection (tests over plain streams) there is nothing to bound."""
        if self._connection is None:
            yield
            return
        previous = self._connection.gettimeout()
        self._connection.settimeout(seconds)
        try:
            yield
        finally:
            self._connection.settimeout(previous)

    def _hangup_follows(self) -> bool:
        """After a result of -1: whether Asterisk's HANGUP line follows it.  Asterisk answers
        the command first and reports the hang-up just after; without waiting a moment for it,
        a hang-up would look like a file that could not be played."""
        if not self.hung_up and self._connection is not None:
            # It may be on its way, or read into the buffer with the reply already.
            select.select([self._connection], [], [], HANGUP_GRACE_S)
            previous = self._connection.gettimeout()
            self._connection.settimeout(0.0)  # what is there, without waiting
            try:
                self.stdin.hangup_waiting()
            finally:
                self._connection.settimeout(previous)
        return self.hung_up

    def _failed(self, command: str, sound: str) -> AGIAppError:
        if self._hangup_follows():
            return AgiChannelGone(f"{command}: the channel has hung up")
        return AgiPlaybackFailed(f"{command} {sound} failed (missing file or hang-up)")

    def _playback(self, command: str, *args: str) -> str:
        """Runs a playback command; returns the key that stopped it ("" = played to its end)."""
        try:
            reply = self.execute(command, *args)
        except AGIAppError as error:  # result=-1
            raise self._failed(command, args[0]) from error
        code = int(reply["result"][0] or 0)
        return chr(code) if code > 0 else ""

    def stream(self, sound: str, keys: str = "") -> str:
        """STREAM FILE: play ``sound`` (a path without extension); one of ``keys`` stops it.
        Returns the key, or "" when it played to its end."""
        return self._playback("STREAM FILE", _quoted_sound(sound), _quoted_keys(keys), "0")

    def control_stream(self, sound: str, keys: str, skip_ms: int, forward: str,
                       rewind: str) -> str:
        """CONTROL STREAM FILE: play ``sound``; ``forward`` and ``rewind`` skip ``skip_ms``
        within it (Asterisk does the seeking), one of ``keys`` stops it.  Asterisk's own
        defaults for an empty forward or rewind key are # and *: both are always given."""
        if len(forward) != 1 or len(rewind) != 1:
            raise ValueError("one forward and one rewind key are needed")
        if set(keys) & {forward, rewind}:
            raise ValueError("a key cannot both stop the playback and skip in it")
        return self._playback("CONTROL STREAM FILE", _quoted_sound(sound), _quoted_keys(keys),
                              str(int(skip_ms)), _quoted_keys(forward), _quoted_keys(rewind))

    def wait_for_key(self, timeout_s: float) -> str:
        """WAIT FOR DIGIT: the next key within ``timeout_s``, or ""."""
        return self._playback("WAIT FOR DIGIT", str(int(timeout_s * 1000)))

    def read_digits(self, prompt: str, timeout_s: float, max_digits: int) -> str:
        """GET DATA: play ``prompt`` ("" = none; a key stops it) and read up to ``max_digits``
        keys, each within ``timeout_s``; # ends the input early.  Returns the keys ("" = none).
        """
        if max_digits < 1:
            raise ValueError(f"max_digits must be at least 1, got {max_digits}")
        sound = _quoted_sound(prompt) if prompt else '""'
        try:
            reply = self.execute("GET DATA", sound, str(int(timeout_s * 1000)), str(max_digits))
        except AGIAppError as error:
            raise self._failed("GET DATA", sound) from error
        digits = reply["result"][0]
        # Asterisk reports whatever was keyed; only keys are keys.
        return "".join(key for key in digits if key in KEYS)


def is_sound_name(text: str) -> bool:
    """Whether ``text`` can be sent as a sound's name (nothing in it is argument syntax)."""
    return _SOUND.fullmatch(text) is not None


def _quoted_sound(sound: str) -> str:
    if not is_sound_name(sound):
        raise ValueError(f"not a sound name: {sound!r}")
    return f'"{sound}"'


def _quoted_keys(keys: str) -> str:
    if not set(keys) <= KEYS:
        raise ValueError(f"not keys: {keys!r}")
    return f'"{keys}"'
