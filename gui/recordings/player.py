"""Playing one recording through sounddevice while it streams from the appliance.

Three threads touch a player, and none of them holds a Qt object:

- the UI thread calls `play`, `pause`, `seek`, `set_volume`, `close`, and `poll` from a
  timer to show the position: it alone opens, starts, stops and closes the audio stream;
- the fetcher thread asks the appliance for the next part of the file (an HTTP Range
  request of CHUNK_S seconds) whenever less than AHEAD_S seconds are buffered, resamples it
  if the device needs another rate, and appends it to the buffer;
- PortAudio's thread runs `_callback`, which takes the next frames from the buffer, counts
  them as played and applies the volume.

They share a few plain values under one condition variable.  A seek empties the buffer and
moves the fetcher to the byte of the new frame (the header was parsed once); a part that was
already on its way for the old place is recognised by its generation number and dropped.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from enum import Enum, StrEnum
from types import ModuleType
from typing import Any

from paivystys.gui.net.client import ApiFailure, ApplianceClient, FailureKind
from paivystys.gui.recordings.audio import LinearResampler, WavFormat, scaled

log = logging.getLogger(__name__)

CHUNK_S = 2.0  # audio per Range request: one request every two seconds while playing
AHEAD_S = 6.0  # fetch more while less than this is buffered: rides out a slow LAN moment
JOIN_TIMEOUT_S = 0.5  # at close; a request still in flight ends on its own, harmlessly
SAMPLE_TYPE = "int16"


class NoAudioReason(Enum):
    NO_LIBRARY = "no_library"  # libportaudio is not installed
    NO_DEVICE = "no_device"  # PortAudio finds no output device
    UNSUPPORTED = "unsupported"  # the device takes neither the recording's rate nor its own
    FAILED = "failed"  # the device would not open or start (busy, unplugged)


class NoAudio(Exception):
    """Why this computer cannot play: the view words `reason`; `detail` is PortAudio's."""

    def __init__(self, reason: NoAudioReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def sounddevice_module() -> ModuleType:
    """sounddevice, imported on first use: its import loads libportaudio (OSError when that
    is missing), and the console must still start and list recordings without it."""
    try:
        import sounddevice
    except OSError as error:
        raise NoAudio(NoAudioReason.NO_LIBRARY, str(error)) from error
    return sounddevice


def check_output() -> str:
    """The default output device's name, or NoAudio(NO_DEVICE / NO_LIBRARY)."""
    sd = sounddevice_module()
    try:
        return str(sd.query_devices(kind="output")["name"])
    except (sd.PortAudioError, ValueError) as error:
        raise NoAudio(NoAudioReason.NO_DEVICE, str(error)) from error


def output_rate(wav: WavFormat) -> int:
    """The rate to open the device at: the recording's if the device takes it (then no
    resampling), else the device's own default rate."""
    sd = sounddevice_module()
    try:
        sd.check_output_settings(channels=wav.channels, dtype=SAMPLE_TYPE,
                                 samplerate=wav.rate)
        return wav.rate
    except (sd.PortAudioError, ValueError) as first:
        try:
            rate = int(sd.query_devices(kind="output")["default_samplerate"])
            sd.check_output_settings(channels=wav.channels, dtype=SAMPLE_TYPE, samplerate=rate)
        except (sd.PortAudioError, ValueError) as error:
            raise NoAudio(NoAudioReason.UNSUPPORTED, f"{first}; {error}") from error
        log.info("the device refuses %d Hz (%s): resampling to %d Hz", wav.rate, first, rate)
        return rate


class PlayerState(StrEnum):
    PAUSED = "paused"
    PLAYING = "playing"
    FINISHED = "finished"


@dataclass(frozen=True)
class Progress:
    """What the UI shows, read at one moment."""

    state: PlayerState
    position_s: float
    duration_s: float
    buffering: bool  # playing, but the next audio has not arrived yet
    failure: ApiFailure | None  # the last fetch failed; play or seek tries again


def _without_frames(failure: ApiFailure) -> ApiFailure:
    # The traceback's frames would keep the fetcher's locals alive in whichever thread
    # reads the failure later.
    failure.__traceback__ = None
    failure.__cause__ = failure.__context__ = None
    return failure


class Player:
    """One recording of `wav` format at `path`, of which `head` (the answer that carried the
    header) already holds the first bytes.  Raises NoAudio if the device cannot play it."""

    def __init__(self, client: ApplianceClient, path: str, wav: WavFormat,
                 head: bytes, volume: float = 1.0) -> None:
        self._sd = sounddevice_module()
        self.wav = wav
        self._client = client
        self.path = path
        self._rate = output_rate(wav)
        self._chunk = max(1, int(CHUNK_S * wav.rate)) * wav.frame_bytes
        self._stream: Any = None  # sounddevice.RawOutputStream, opened at the first play
        self._cond = threading.Condition()
        # Shared with the other threads: only under self._cond.
        self._state = PlayerState.PAUSED
        self._volume = volume
        self._buffer = bytearray()  # frames at the device's rate, not played yet
        self._base_s = 0.0  # the recording's time at which the buffer started (the seek)
        self._played = 0  # frames played since then, at the device's rate
        self._generation = 0  # bumped by every seek
        first = head[wav.data_start:wav.data_end]
        self._head = first[:len(first) - len(first) % wav.frame_bytes]
        self._offset = wav.data_start + len(self._head)  # the next byte to fetch
        self._eof = self._offset >= wav.data_end
        self._failure: ApiFailure | None = None
        self._closed = False
        self._fetcher = threading.Thread(target=self._fetch, name="recording-fetcher",
                                         daemon=True)
        self._fetcher.start()

    # --- the UI thread -----------------------------------------------------------------

    def play(self) -> None:
        """Start or resume; after the end, from the beginning.  Raises NoAudio(FAILED)."""
        with self._cond:
            state = self._state
        if state is PlayerState.PLAYING:
            return
        if state is PlayerState.FINISHED:
            self.seek(0.0)
        sd = self._sd
        try:
            if self._stream is None:
                self._stream = sd.RawOutputStream(
                    samplerate=self._rate, channels=self.wav.channels, dtype=SAMPLE_TYPE,
                    callback=self._callback, latency="high")
            elif not self._stream.stopped:
                self._stream.stop()  # it ended by itself: PortAudio wants a stop first
            with self._cond:
                self._state = PlayerState.PLAYING
                self._failure = None
                self._cond.notify_all()
            self._stream.start()
        except sd.PortAudioError as error:
            with self._cond:
                self._state = PlayerState.PAUSED
            raise NoAudio(NoAudioReason.FAILED, str(error)) from error

    def pause(self) -> None:
        with self._cond:
            if self._state is not PlayerState.PLAYING:
                return
            self._state = PlayerState.PAUSED  # the callback plays silence from now on
        # Outside the lock: stopping waits for a running callback, which takes the lock.
        self._stream.stop()

    def seek(self, seconds: float) -> None:
        """Go to `seconds`; playing goes on from there once its audio has arrived."""
        frame = max(0, min(round(seconds * self.wav.rate), self.wav.frames))
        with self._cond:
            self._generation += 1
            self._buffer.clear()
            self._head = b""
            self._base_s = frame / self.wav.rate
            self._played = 0
            self._offset = self.wav.offset_of(frame)
            self._eof = self._offset >= self.wav.data_end
            self._failure = None
            if self._state is PlayerState.FINISHED:
                self._state = PlayerState.PAUSED
            self._cond.notify_all()

    def set_volume(self, volume: float) -> None:
        with self._cond:
            self._volume = max(0.0, min(volume, 1.0))

    def poll(self) -> Progress:
        """For the UI's timer.  A fetch that failed while playing pauses, so that the
        failure is shown instead of silence going on."""
        with self._cond:
            state = self._state
            failure = self._failure
            buffered = bool(self._buffer) or bool(self._head)
            # At the end the position is the end, whatever resampling rounded off.
            position = (self.wav.duration_s if state is PlayerState.FINISHED
                        else min(self._base_s + self._played / self._rate,
                                 self.wav.duration_s))
            starving = state is PlayerState.PLAYING and not buffered and not self._eof
        if starving and failure is not None:
            self.pause()
            state = PlayerState.PAUSED
        return Progress(state, position, self.wav.duration_s,
                        starving and failure is None, failure)

    def close(self) -> None:
        """Stop the sound at once and end the fetcher; the player cannot be used after."""
        with self._cond:
            self._closed = True
            self._state = PlayerState.PAUSED
            self._cond.notify_all()
        if self._stream is not None:
            self._stream.abort()  # not stop(): nothing more is to be heard
            self._stream.close()
            self._stream = None
        self._fetcher.join(JOIN_TIMEOUT_S)

    # --- the fetcher thread ------------------------------------------------------------

    def _wants_data(self) -> bool:
        buffered_s = len(self._buffer) / (self._rate * self.wav.frame_bytes)
        return bool(self._head) or (self._failure is None and not self._eof
                                    and buffered_s < AHEAD_S)

    def _fetch(self) -> None:
        resampler: LinearResampler | None = None
        resampler_generation = -1
        while True:
            with self._cond:
                while not self._closed and not self._wants_data():
                    self._cond.wait()
                if self._closed:
                    return
                generation, offset, data = self._generation, self._offset, self._head
                self._head = b""
            if generation != resampler_generation and self._rate != self.wav.rate:
                # A seek breaks the sound's continuity: start interpolating afresh.
                resampler = LinearResampler(self.wav.rate, self._rate, self.wav.channels)
                resampler_generation = generation
            if not data:
                try:
                    data = self._fetch_part(offset)
                except ApiFailure as failure:
                    with self._cond:
                        if generation == self._generation:
                            self._failure = _without_frames(failure)
                    continue
                offset += len(data)
            sound = resampler.convert(data) if resampler is not None else data
            with self._cond:
                if generation != self._generation:
                    continue  # fetched for the place before a seek
                self._buffer += sound
                self._offset = offset
                # A file that ends early (cut on the box meanwhile) ends the playing too.
                self._eof = offset >= self.wav.data_end or not data

    def _fetch_part(self, offset: int) -> bytes:
        length = min(self._chunk, self.wav.data_end - offset)
        try:
            data = self._client.get_range(self.path, offset, length).data
        except ApiFailure:
            raise
        except Exception as error:
            with self._cond:
                closed = self._closed
            if not closed:  # else the client was closed with the player, at logout
                # A defect: logged, and shown like a server fault rather than ending the
                # thread silently.
                log.exception("fetching the recording failed unexpectedly")
            raise ApiFailure(FailureKind.SERVER_ERROR, f"{type(error).__name__}: {error}") \
                from error
        return data[:len(data) - len(data) % self.wav.frame_bytes]

    # --- PortAudio's thread ------------------------------------------------------------

    def _callback(self, outdata: Any, frames: int, _time: Any, _status: Any) -> None:
        wanted = frames * self.wav.frame_bytes
        with self._cond:
            if self._state is not PlayerState.PLAYING:
                chunk = b""
            else:
                chunk = bytes(self._buffer[:wanted])
                del self._buffer[:wanted]
                self._played += len(chunk) // self.wav.frame_bytes
                self._cond.notify_all()  # the fetcher tops the buffer up
            ended = (self._state is PlayerState.PLAYING and self._eof and not self._buffer
                     and not self._head)
            if ended:
                self._state = PlayerState.FINISHED
            volume = self._volume
        if chunk and volume < 1.0:
            chunk = scaled(chunk, volume)
        outdata[:len(chunk)] = chunk
        outdata[len(chunk):] = bytes(wanted - len(chunk))
        if ended:
            raise self._sd.CallbackStop
