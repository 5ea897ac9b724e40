"""The sound itself, without Qt or PortAudio: the WAV header, resampling and volume.

Asterisk's MixMonitor writes a ".wav" recording as 16-bit signed PCM, 8 kHz, mono; any other
rate or a second channel is accepted too, other encodings are not.  Samples are handled with
the standard `array` module: at telephone rates that is fast enough, so the console does not
need numpy.
"""

from __future__ import annotations

import struct
import sys
from array import array
from dataclasses import dataclass

PCM = 1
SAMPLE_BYTES = 2  # 16-bit


class UnsupportedRecording(ValueError):
    """The file is not a WAV the console can play (not RIFF/WAVE, not 16-bit PCM)."""


@dataclass(frozen=True)
class WavFormat:
    rate: int
    channels: int
    data_start: int  # the file offset of the first frame
    data_end: int  # the file offset after the last whole frame

    @property
    def frame_bytes(self) -> int:
        return self.channels * SAMPLE_BYTES

    @property
    def frames(self) -> int:
        return (self.data_end - self.data_start) // self.frame_bytes

    @property
    def duration_s(self) -> float:
        return self.frames / self.rate

    def offset_of(self, frame: int) -> int:
        """The file offset of `frame` (0 is the first), clamped to the recording."""
        return self.data_start + max(0, min(frame, self.frames)) * self.frame_bytes


def parse_wav(head: bytes, file_size: int) -> WavFormat:
    """The format of a WAV file from its first bytes (`head`) and its whole size."""
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise UnsupportedRecording("not a RIFF/WAVE file")
    position, found = 12, None
    while position + 8 <= len(head):
        ident = head[position:position + 4]
        size = int.from_bytes(head[position + 4:position + 8], "little")
        body = position + 8
        if ident == b"fmt " and body + 16 <= len(head):
            tag, channels, rate, _byte_rate, _align, bits = struct.unpack_from(
                "<HHIIHH", head, body)
            if tag != PCM or bits != 8 * SAMPLE_BYTES or channels not in (1, 2) or rate <= 0:
                raise UnsupportedRecording(
                    f"format {tag}, {bits} bits, {channels} channels, {rate} Hz")
            found = (rate, channels)
        elif ident == b"data":
            if found is None:
                raise UnsupportedRecording("the samples come before their format")
            rate, channels = found
            # Asterisk writes the data size when the recording ends: a file still being
            # written, or cut short, says 0 or more than there is, and its length wins.
            end = body + size if 0 < size <= file_size - body else file_size
            end -= (end - body) % (channels * SAMPLE_BYTES)
            return WavFormat(rate, channels, body, end)
        position = body + size + (size & 1)  # chunks start on even offsets
    raise UnsupportedRecording("no samples in the first bytes of the file")


def _samples(data: bytes) -> array:
    samples = array("h")
    samples.frombytes(data)
    if sys.byteorder == "big":  # WAV is little-endian; array uses the machine's order
        samples.byteswap()
    return samples


def _bytes(samples: array) -> bytes:
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes()


def scaled(data: bytes, volume: float) -> bytes:
    """16-bit samples at `volume` (0.0 to 1.0: never louder, so never clipping)."""
    return _bytes(array("h", [int(sample * volume) for sample in _samples(data)]))


class LinearResampler:
    """16-bit interleaved frames from one rate to another, chunk by chunk without seams.

    Linear interpolation: plenty for telephone speech, which has nothing above 4 kHz to alias,
    going to a device that will not open at the recording's rate.  The last frame of each
    chunk is kept to interpolate towards the first frame of the next.
    """

    def __init__(self, source_rate: int, target_rate: int, channels: int) -> None:
        # Positions are counted in 1/target_rate frames, in integers: chunked or whole, the
        # same frames come out, with no rounding drift over an hour's recording.
        self._source_rate = source_rate
        self._target_rate = target_rate
        self._channels = channels
        self._carry = array("h")  # the previous chunk's last frame
        self._phase = 0  # where the next output frame falls, in carry + chunk

    def convert(self, data: bytes) -> bytes:
        channels, step, unit = self._channels, self._source_rate, self._target_rate
        frames = self._carry + _samples(data)
        count = len(frames) // channels
        if count == 0:
            return b""
        out = array("h")
        phase, last = self._phase, (count - 1) * unit
        while phase <= last:
            index, fraction = divmod(phase, unit)
            base = index * channels
            if fraction == 0:
                out.extend(frames[base:base + channels])
            else:
                for channel in range(channels):
                    here = frames[base + channel]
                    out.append(here + (frames[base + channels + channel] - here)
                               * fraction // unit)
            phase += step
        self._carry = frames[(count - 1) * channels:]
        self._phase = phase - last
        return _bytes(out)
