"""The Recordings page against the real API, playing through sounddevice on ALSA's null
device: a person sees and plays only their own recordings, streamed as they play.

ALSA's null device takes audio as fast as it is given (measured: ~14 million frames a
second), unlike a sound card that takes 8000 a second.  So no test waits for sound to play
in real time: a gate on the console's Range requests decides how much audio exists, and the
position can only move as far as the audio let through.  That holds at either pace.
"""

from __future__ import annotations

import datetime as dt
import math
import struct
import sys
import threading
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from paivystys.appliance.db.models import Call, Person
from paivystys.appliance.directory import Directory
from paivystys.appliance.users.service import ROLE_PERSON, create_user
from paivystys.gui.net.client import ApiFailure, ApplianceClient, ByteRange, FailureKind
from paivystys.gui.recordings import player as player_module
from paivystys.gui.recordings.audio import (
    LinearResampler,
    UnsupportedRecording,
    parse_wav,
    scaled,
)
from paivystys.gui.recordings.player import CHUNK_S, PlayerState
from paivystys.gui.recordings.view import HEAD_BYTES, RecordingsView
from paivystys.gui.tests.conftest import ADMIN_PASSWORD, PERSON_PASSWORD, Appliance, screenshot

RATE = 8000
PEKKA_PASSWORD = "pekka-salasana-123"
NULL_DEVICE = "pcm.!default { type null }\nctl.!default { type null }\n"
MISSING_CARD = "pcm.!default { type hw card 7 }\nctl.!default { type hw card 7 }\n"


def write_tone(path: Path, seconds: float) -> int:
    """A 440 Hz tone as Asterisk's MixMonitor writes it (16-bit, 8 kHz, mono); its size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    second = b"".join(struct.pack("<h", int(6000 * math.sin(2 * math.pi * 440 * i / RATE)))
                      for i in range(RATE))
    with wave.open(str(path), "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(RATE)
        sound.writeframes(second * int(seconds))
    return path.stat().st_size


@dataclass
class Recorded:
    call_id: int
    url: str
    caller: str
    size: int
    seconds: float


@pytest.fixture(scope="module")
def recordings(appliance: Appliance) -> dict[str, Recorded]:
    """Maija answered two recorded calls (a two-minute one, a five-minute one), Pekka one."""
    directory = Directory()
    number = directory.add_number("020 555 0199", "Tallennettu")
    pekka = directory.add_person("Pekka Kuuntelija", "040 555 0333")
    create_user("pekka", PEKKA_PASSWORD, ROLE_PERSON, pekka.id)
    maija = Person.get(Person.name == "Maija Konsoli")
    made = {}
    now = dt.datetime.now(dt.UTC)
    for index, (name, person, seconds, caller) in enumerate((
            ("maija_short", maija, 120, "+358401110001"),
            ("maija_long", maija, 300, "+358401110002"),
            ("pekka", pekka, 5, "+358409990003"))):
        relative = f"2026/11/rec-{name}.wav"
        size = write_tone(appliance.recordings_dir / relative, seconds)
        call = Call.create(call_id=f"rec-{name}", number=number.id, dialled="+358205550199",
                           caller=caller, arrived_at=now - dt.timedelta(minutes=index),
                           ended_at=now - dt.timedelta(minutes=index), outcome="answered",
                           answered_by=person.id, answered_by_name=person.name,
                           talk_s=float(seconds),
                           recording=relative)
        made[name] = Recorded(call.id, f"/api/recordings/{call.id}", caller, size, seconds)
    return made


def _use_alsa_config(text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point ALSA (read by PortAudio when it initialises) at a configuration of our own."""
    config = tmp_path / "asound.conf"
    config.write_text(text)
    monkeypatch.setenv("ALSA_CONFIG_PATH", str(config))
    _reinitialise_portaudio()


def _reinitialise_portaudio() -> None:
    # sounddevice initialises PortAudio once, at import; a test after another must make it
    # read the (new) ALSA configuration again.
    if "sounddevice" in sys.modules:
        sounddevice = sys.modules["sounddevice"]
        sounddevice._terminate()
        sounddevice._initialize()


@pytest.fixture
def null_audio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    _use_alsa_config(NULL_DEVICE, tmp_path, monkeypatch)
    yield
    monkeypatch.undo()
    _reinitialise_portaudio()


@pytest.fixture
def no_audio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The default device is a sound card that is not there, as on a PC without one."""
    _use_alsa_config(MISSING_CARD, tmp_path, monkeypatch)
    yield
    monkeypatch.undo()
    _reinitialise_portaudio()


class Gate:
    """Stands in the client's `get_range`: lets requests through as the test allows and
    counts what they fetched.  Runs in the pool and fetcher threads; holds no Qt object."""

    def __init__(self, client: ApplianceClient, allowed: int) -> None:
        self._real = client.get_range
        self._permits = threading.Semaphore(allowed)
        self._lock = threading.Lock()
        self.requests: list[tuple[int, int]] = []  # (start, bytes answered)
        client.get_range = self  # type: ignore[method-assign]

    def __call__(self, path: str, start: int, length: int) -> ByteRange:
        self._permits.acquire()
        answer = self._real(path, start, length)
        with self._lock:
            self.requests.append((start, len(answer.data)))
        return answer

    @property
    def fetched(self) -> int:
        with self._lock:
            return sum(size for _start, size in self.requests)

    def allow(self, requests: int) -> None:
        self._permits.release(requests)

    def open(self) -> None:
        self._permits.release(1_000_000)


@pytest.fixture
def make_view(qtbot: QtBot, show: Callable[[RecordingsView], RecordingsView],
              log_in: Callable[[str, str], ApplianceClient],
              recordings: dict[str, Recorded]) -> Iterator[Callable[..., RecordingsView]]:
    """A shown Recordings page for a login, its list loaded; with a gate if asked."""
    made: list[tuple[RecordingsView, Gate | None]] = []

    def make(username: str, password: str, gate_allows: int | None = None) -> RecordingsView:
        client = log_in(username, password)
        gate = Gate(client, gate_allows) if gate_allows is not None else None
        view = show(RecordingsView(client))
        view.resize(820, 460)
        made.append((view, gate))
        qtbot.waitUntil(lambda: view.calls.pending == 0)
        return view

    yield make
    for view, gate in made:
        if gate is not None:
            gate.open()  # a fetcher waiting at the gate must be free to see it is closed
        view.shutdown()


def _row_of(view: RecordingsView, call_id: int) -> int:
    ids = [recording["call_id"] for recording in view.model.rows]
    return ids.index(call_id)


def _choose(qtbot: QtBot, view: RecordingsView, recording: Recorded) -> None:
    view.table.selectRow(_row_of(view, recording.call_id))
    qtbot.waitUntil(lambda: view.player is not None and view.play_button.isEnabled())


def _position(view: RecordingsView) -> float:
    assert view.player is not None
    return view.player.poll().position_s


def _table_text(view: RecordingsView) -> str:
    model = view.model
    return " ".join(str(model.index(row, column).data()) for row in range(model.rowCount())
                    for column in range(model.columnCount()))


# --- privacy ------------------------------------------------------------------------------

def test_a_person_cannot_see_anothers_recording(
        qtbot: QtBot, null_audio: None, make_view: Callable[..., RecordingsView],
        log_in: Callable[[str, str], ApplianceClient],
        recordings: dict[str, Recorded]) -> None:
    maijas = make_view("maija", PERSON_PASSWORD)
    pekkas = make_view("pekka", PEKKA_PASSWORD)
    assert {r["call_id"] for r in maijas.model.rows} == {
        recordings["maija_short"].call_id, recordings["maija_long"].call_id}
    assert [r["call_id"] for r in pekkas.model.rows] == [recordings["pekka"].call_id]
    assert "040 999 0003" not in _table_text(maijas)  # Pekka's caller, as Finnish shows it
    assert "040 999 0003" in _table_text(pekkas) or "+358 40 999 0003" in _table_text(pekkas)

    for view, other in ((maijas, recordings["pekka"]), (pekkas, recordings["maija_long"])):
        with pytest.raises(ApiFailure) as refused:
            view.client.get_range(other.url, 0, HEAD_BYTES)
        assert refused.value.kind is FailureKind.NOT_FOUND

    # An admin's list is empty: the page says why rather than looking broken.
    admins = make_view("admin", ADMIN_PASSWORD)
    assert admins.model.rowCount() == 0
    assert admins.status.text() == "You have no recordings."
    assert "an admin included" in admins.note.text()
    with pytest.raises(ApiFailure) as refused:
        admins.client.get_range(recordings["maija_long"].url, 0, HEAD_BYTES)
    assert refused.value.kind is FailureKind.NOT_FOUND


# --- playing ------------------------------------------------------------------------------

def test_playback_on_a_null_device_advances_pauses_and_seeks(
        qtbot: QtBot, null_audio: None, make_view: Callable[..., RecordingsView],
        recordings: dict[str, Recorded], tmp_path: Path) -> None:
    short = recordings["maija_short"]
    # The header request, then one chunk; more only when the test says.
    view = make_view("maija", PERSON_PASSWORD, gate_allows=2)
    gate: Gate = view.client.get_range  # type: ignore[assignment]
    _choose(qtbot, view, short)
    assert view.position_label.text() == "0:00 / 2:00"

    qtbot.mouseClick(view.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _position(view) > 0)
    first = _position(view)
    assert view.play_button.text() == "Pause"
    gate.allow(2)
    qtbot.waitUntil(lambda: _position(view) > first)

    qtbot.mouseClick(view.play_button, Qt.MouseButton.LeftButton)  # pause
    assert view.player is not None and view.player.poll().state is PlayerState.PAUSED
    paused_at = _position(view)
    gate.allow(3)  # audio keeps arriving, but nothing is played while paused
    qtbot.wait(300)
    assert _position(view) == paused_at
    assert view.play_button.text() == "Play"

    # Dragging the handle to 1:00 seeks there when it is let go.
    slider = view.position_slider
    slider.setSliderDown(True)
    slider.setSliderPosition(60_000)
    slider.setSliderDown(False)
    assert _position(view) == 60.0
    qtbot.waitUntil(lambda: view.position_label.text() == "1:00 / 2:00")
    screenshot(view, "recordings", tmp_path)
    qtbot.keyClick(slider, Qt.Key.Key_PageUp)  # a page step: five seconds on
    assert _position(view) == 65.0
    first_after_seek = len(gate.requests)

    gate.open()
    qtbot.mouseClick(view.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.player is not None
                    and view.player.poll().state is PlayerState.FINISHED, timeout=30_000)
    # The audio after the seek was asked for from 1:05's byte on, not from the beginning
    # (a request already on its way for 1:00 may come back first, and is dropped).
    header_bytes = 44
    starts = [start for start, _size in gate.requests[first_after_seek:]]
    assert header_bytes + 65 * RATE * 2 in starts
    assert min(starts) >= header_bytes + 60 * RATE * 2
    qtbot.waitUntil(lambda: view.position_label.text() == "2:00 / 2:00"
                    and view.play_button.text() == "Play")

    # Play after the end starts again from the beginning.
    first_of_replay = len(gate.requests)
    qtbot.mouseClick(view.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(gate.requests) > first_of_replay)
    assert gate.requests[first_of_replay][0] == header_bytes
    qtbot.waitUntil(lambda: view.player is not None
                    and view.player.poll().state is PlayerState.FINISHED, timeout=30_000)


def test_playback_starts_before_the_whole_file_is_fetched(
        qtbot: QtBot, null_audio: None, make_view: Callable[..., RecordingsView],
        recordings: dict[str, Recorded]) -> None:
    long = recordings["maija_long"]
    view = make_view("maija", PERSON_PASSWORD, gate_allows=2)
    gate: Gate = view.client.get_range  # type: ignore[assignment]
    _choose(qtbot, view, long)
    qtbot.mouseClick(view.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _position(view) > 0)
    # Playing, with at most two requests' worth let through (the header's 64 KiB and one
    # chunk) of 4.8 MB.
    chunk = int(CHUNK_S * RATE) * 2
    assert gate.fetched <= HEAD_BYTES + chunk < long.size / 10
    assert _position(view) <= (gate.fetched - 44) / (2 * RATE)

    gate.open()
    qtbot.waitUntil(lambda: view.player is not None
                    and view.player.poll().state is PlayerState.FINISHED, timeout=60_000)
    assert all(size <= max(chunk, HEAD_BYTES) for _start, size in gate.requests)
    starts = [start for start, _size in gate.requests]
    assert starts == sorted(starts)  # one pass through the file, a chunk at a time
    assert gate.fetched == long.size
    assert _position(view) == long.seconds


def test_volume_and_a_device_that_refuses_8_khz(
        qtbot: QtBot, null_audio: None, make_view: Callable[..., RecordingsView],
        recordings: dict[str, Recorded], monkeypatch: pytest.MonkeyPatch) -> None:
    # The null device takes 8 kHz; a device that does not gets 48 kHz, resampled.
    monkeypatch.setattr(player_module, "output_rate", lambda wav: 48_000)
    view = make_view("maija", PERSON_PASSWORD)
    view.volume_slider.setValue(30)
    _choose(qtbot, view, recordings["maija_short"])
    view.seek(110.0)  # ten seconds to go: resampling in Python takes its time
    qtbot.mouseClick(view.play_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _position(view) > 110.0)
    qtbot.waitUntil(lambda: view.player is not None
                    and view.player.poll().state is PlayerState.FINISHED, timeout=60_000)
    # The position counts the recording's time, not the device's frames.
    assert _position(view) == 120.0
    assert view.player._volume == 0.3


# --- no sound ------------------------------------------------------------------------------

def test_no_audio_device_says_so_and_still_lists(
        qtbot: QtBot, no_audio: None, make_view: Callable[..., RecordingsView],
        recordings: dict[str, Recorded], tmp_path: Path) -> None:
    view = make_view("maija", PERSON_PASSWORD)
    assert view.audio_message.isVisible()
    assert view.audio_message.text().startswith("This computer has no sound output device")
    assert view.model.rowCount() == 2
    view.table.selectRow(_row_of(view, recordings["maija_short"].call_id))
    qtbot.wait(200)
    assert view.player is None and not view.play_button.isEnabled()
    assert view.title.text().startswith("Call from")
    screenshot(view, "recordings-no-audio", tmp_path)


# --- the parts ----------------------------------------------------------------------------

def test_the_client_reads_a_range_and_the_whole_size(
        log_in: Callable[[str, str], ApplianceClient],
        recordings: dict[str, Recorded], appliance: Appliance) -> None:
    pekka = recordings["pekka"]
    client = log_in("pekka", PEKKA_PASSWORD)
    whole = (appliance.recordings_dir / "2026/11/rec-pekka.wav").read_bytes()
    part = client.get_range(pekka.url, 100, 50)
    assert (part.data, part.start, part.total) == (whole[100:150], 100, pekka.size)
    tail = client.get_range(pekka.url, pekka.size - 10, 4096)
    assert tail.data == whole[-10:]


def _wav_header(data_size: int, tag: int = 1, bits: int = 16) -> bytes:
    fmt = struct.pack("<HHIIHH", tag, 1, RATE, RATE * 2, 2, bits)
    return (b"RIFF" + struct.pack("<I", 36 + data_size) + b"WAVE" + b"fmt "
            + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", data_size))


def test_the_wav_header_gives_format_and_length() -> None:
    wav = parse_wav(_wav_header(16000), 44 + 16000)
    assert (wav.rate, wav.channels, wav.data_start, wav.frames, wav.duration_s) == (
        RATE, 1, 44, 8000, 1.0)
    assert wav.offset_of(4000) == 44 + 8000
    # A recording still being written says 0 bytes of data: the file's length wins.
    assert parse_wav(_wav_header(0), 44 + 16001).frames == 8000
    with pytest.raises(UnsupportedRecording):
        parse_wav(_wav_header(100, tag=0x31), 144)  # GSM in WAV (Asterisk's ".WAV")
    with pytest.raises(UnsupportedRecording):
        parse_wav(b"ID3" + bytes(60), 63)


def test_resampling_is_seamless_across_chunks_and_volume_scales() -> None:
    ramp = struct.pack("<200h", *range(0, 2000, 10))
    whole = LinearResampler(8000, 48000, 1).convert(ramp)
    pieces = LinearResampler(8000, 48000, 1)
    joined = pieces.convert(ramp[:150]) + pieces.convert(ramp[150:])
    assert joined == whole
    samples = struct.unpack(f"<{len(whole) // 2}h", whole)
    assert len(samples) == 199 * 6 + 1
    assert samples[:7] == (0, 1, 3, 5, 6, 8, 10)  # linear between 0 and 10
    assert struct.unpack("<3h", scaled(struct.pack("<3h", 1000, -1000, 32767), 0.5)) == (
        500, -500, 16383)


def test_a_missing_portaudio_library_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    # sounddevice's import looks the library up with ctypes and raises OSError without it.
    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr("ctypes.util.find_library", lambda _name: None)
    with pytest.raises(player_module.NoAudio) as problem:
        player_module.check_output()
    assert problem.value.reason is player_module.NoAudioReason.NO_LIBRARY
