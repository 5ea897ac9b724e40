"""The Recordings page: the logged-in person's own recordings and a player for them.

The list is whatever the appliance gives this login: the recordings of the calls the person
answered, never anyone else's (an admin's list is empty unless the admin also answers calls).
Choosing a recording asks for its first bytes in the background; the header in them gives
the format and length, and a `Player` then streams the rest while it plays.  A timer reads
the player's position on the UI thread: no signal is ever sent from the audio or fetcher
threads, so they touch no Qt object.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractSlider,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from paivystys.gui.calllog.model import api_time
from paivystys.gui.formatting import format_caller, format_datetime
from paivystys.gui.net.client import ApiFailure, ApplianceClient, ByteRange, FailureKind
from paivystys.gui.net.worker import BackgroundCalls
from paivystys.gui.recordings.audio import UnsupportedRecording, parse_wav
from paivystys.gui.recordings.model import RecordingsModel
from paivystys.gui.recordings.player import (
    NoAudio,
    NoAudioReason,
    Player,
    PlayerState,
    Progress,
    check_output,
)
from paivystys.gui.widgets.failures import describe, error_label
from paivystys.gui.widgets.table import ITEM_ROLE, table_view

HEAD_BYTES = 64 * 1024  # the first request: the header and the first seconds of sound
POLL_MS = 100  # how often the position is read while a recording is open
SLIDER_STEP_MS = 5000  # a click beside the handle, or Page Up/Down


def clock(seconds: float) -> str:
    """A player's position: "1:05", "1:02:05" (a stopwatch, not a time of day)."""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class _Current:
    """The open player, in a plain object: the view's `destroyed` handler can close it
    without referring to the view that is being destroyed."""

    def __init__(self) -> None:
        self.player: Player | None = None

    def close(self) -> None:
        if self.player is not None:
            self.player.close()
            self.player = None


class RecordingsView(QWidget):
    """Emits `session_ended(ApiFailure)` when the appliance no longer accepts the login."""

    session_ended = Signal(object)

    def __init__(self, client: ApplianceClient, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.calls = BackgroundCalls(self)
        self.model = RecordingsModel()
        self._current = _Current()
        self.destroyed.connect(self._current.close)
        self._generation = 0  # bumped per chosen recording: a late header is dropped
        self._opening: str | None = None  # the recording whose header is on its way
        self._play_when_loaded = False
        self._buffering = False
        self.audio_problem: NoAudio | None = None
        self._volume = 1.0

        self.note = QLabel(self.tr(
            "These are the recordings of the calls you answered. Recordings are personal: "
            "nobody else, an admin included, can listen to them."))
        self.note.setWordWrap(True)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.reload)

        self.table = table_view(self.model)
        self.table.selectionModel().currentRowChanged.connect(self._row_chosen)
        self.table.activated.connect(self._row_activated)  # double-click or Enter: play

        self.title = QLabel(self.tr("Choose a recording to listen to it."))
        self.title.setObjectName("recording_title")
        self.play_button = QPushButton(self.tr("Play"))
        self.play_button.setEnabled(False)
        self.play_button.clicked.connect(self.toggle_play)
        self.position_slider = QSlider(Qt.Orientation.Horizontal)
        self.position_slider.setEnabled(False)
        self.position_slider.setSingleStep(1000)
        self.position_slider.setPageStep(SLIDER_STEP_MS)
        self.position_slider.sliderReleased.connect(self._slider_released)
        self.position_slider.actionTriggered.connect(self._slider_action)
        self.position_label = QLabel(f"{clock(0)} / {clock(0)}")
        self.position_label.setObjectName("position")
        self.volume_slider = QSlider(Qt.Orientation.Horizontal)
        self.volume_slider.setRange(0, 100)
        self.volume_slider.setValue(100)
        self.volume_slider.setFixedWidth(110)
        self.volume_slider.setToolTip(self.tr("Volume"))
        self.volume_slider.valueChanged.connect(self._volume_changed)

        self.audio_message = error_label()
        self.audio_message.setObjectName("audio_message")
        self.error = error_label()
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setVisible(False)

        top = QHBoxLayout()
        top.addWidget(self.note, 1)
        top.addWidget(self.refresh_button)
        controls = QHBoxLayout()
        controls.addWidget(self.play_button)
        controls.addWidget(self.position_slider, 1)
        controls.addWidget(self.position_label)
        controls.addSpacing(16)
        controls.addWidget(QLabel(self.tr("Volume")))
        controls.addWidget(self.volume_slider)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.audio_message)
        layout.addWidget(self.title)
        layout.addLayout(controls)
        layout.addWidget(self.error)
        layout.addWidget(self.status)

        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self._show_progress)
        try:
            check_output()
        except NoAudio as problem:
            self._no_audio(problem)
        self.reload()

    @property
    def player(self) -> Player | None:
        return self._current.player

    # --- the list ----------------------------------------------------------------------

    def reload(self) -> None:
        self.refresh_button.setEnabled(False)
        self._set_status(self.tr("Loading…"))
        self.calls.run(lambda: self.client.get("/api/recordings"), self._listed,
                       self._list_failed)

    def _listed(self, recordings: list[dict[str, Any]]) -> None:
        self.refresh_button.setEnabled(True)
        self.error.setVisible(False)
        self.model.replace_rows(recordings)
        self._set_status("" if recordings else self.tr("You have no recordings."))

    def _list_failed(self, failure: ApiFailure) -> None:
        self.refresh_button.setEnabled(True)
        self._set_status("")
        self._show_failure(failure)

    # --- choosing a recording ----------------------------------------------------------

    def _row_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._play_when_loaded = False
            self.open_recording(current.data(ITEM_ROLE))

    def _row_activated(self, index: QModelIndex) -> None:
        recording = index.data(ITEM_ROLE)
        player = self.player
        if player is not None and player.path == recording["url"]:
            self._play()
            self._show_progress()
            return
        self._play_when_loaded = True
        if self._opening != recording["url"]:  # a double click's first click opened it
            self.open_recording(recording)

    def open_recording(self, recording: dict[str, Any]) -> None:
        """Stop what plays and ask for `recording`'s header; it is ready to play after."""
        self._close_player()
        self.title.setText(self.tr("Call from {caller} at {time}").format(
            caller=format_caller(recording["caller"], self.model.locale),
            time=format_datetime(api_time(recording["arrived_at"]), self.model.locale)))
        if self.audio_problem is not None:
            return
        self._generation += 1
        generation = self._generation
        url = self._opening = recording["url"]
        self._set_status(self.tr("Loading…"))
        self.calls.run(lambda: self.client.get_range(url, 0, HEAD_BYTES),
                       lambda head: self._header_arrived(generation, url, head),
                       lambda failure: self._header_failed(generation, failure))

    def _header_arrived(self, generation: int, url: str, head: ByteRange) -> None:
        if generation != self._generation:
            return
        self._opening = None
        self._set_status("")
        try:
            wav = parse_wav(head.data, head.total)
            player = Player(self.client, url, wav, head.data, self._volume)
        except UnsupportedRecording:
            self._show_error(self.tr("This recording is in a format the console cannot "
                                     "play."))
            return
        except NoAudio as problem:
            self._show_error(self._no_audio_text(problem))
            return
        self.error.setVisible(False)
        self._current.player = player
        duration_ms = round(wav.duration_s * 1000)
        self.position_slider.setRange(0, duration_ms)
        self.position_slider.setValue(0)
        self.position_slider.setEnabled(True)
        self.play_button.setEnabled(True)
        self._timer.start()
        self._show_progress()
        if self._play_when_loaded:
            self._play()

    def _header_failed(self, generation: int, failure: ApiFailure) -> None:
        if generation != self._generation:
            return
        self._opening = None
        self._set_status("")
        self._show_failure(failure)

    # --- the player --------------------------------------------------------------------

    def toggle_play(self) -> None:
        player = self.player
        if player is None:
            return
        if player.poll().state is PlayerState.PLAYING:
            player.pause()
        else:
            self._play()
        self._show_progress()

    def _play(self) -> None:
        player = self.player
        if player is None:
            return
        self.error.setVisible(False)
        try:
            player.play()
        except NoAudio as problem:
            self._show_error(self._no_audio_text(problem))

    def seek(self, seconds: float) -> None:
        if self.player is not None:
            self.player.seek(seconds)
            self._show_progress()

    def _slider_released(self) -> None:
        self.seek(self.position_slider.value() / 1000)

    def _slider_action(self, action: int) -> None:
        # Dragging seeks once, at release; a click beside the handle or a key seeks at once.
        # When this is emitted the slider's position has moved, its value not yet.
        if action not in (QAbstractSlider.SliderAction.SliderMove,
                          QAbstractSlider.SliderAction.SliderNoAction):
            self.seek(self.position_slider.sliderPosition() / 1000)

    def _volume_changed(self, value: int) -> None:
        self._volume = value / 100
        if self.player is not None:
            self.player.set_volume(self._volume)

    def _show_progress(self) -> None:
        player = self.player
        if player is None:
            return
        progress: Progress = player.poll()
        if not self.position_slider.isSliderDown():
            self.position_slider.setValue(round(progress.position_s * 1000))
        self.position_label.setText(
            f"{clock(progress.position_s)} / {clock(progress.duration_s)}")
        self.play_button.setText(self.tr("Pause") if progress.state is PlayerState.PLAYING
                                 else self.tr("Play"))
        if progress.failure is not None:
            self._show_failure(progress.failure)
        if progress.buffering != self._buffering:
            self._buffering = progress.buffering
            self._set_status(self.tr("Loading…") if progress.buffering else "")

    def _close_player(self) -> None:
        self._timer.stop()
        self._current.close()
        self._buffering = False
        self._set_status("")
        self.play_button.setEnabled(False)
        self.play_button.setText(self.tr("Play"))
        self.position_slider.setEnabled(False)
        self.position_slider.setValue(0)
        self.position_label.setText(f"{clock(0)} / {clock(0)}")

    def shutdown(self) -> None:
        """Stop the sound and the streaming now (the main window calls this at logout)."""
        self._generation += 1
        self._opening = None
        self._close_player()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    # --- messages ----------------------------------------------------------------------

    def _no_audio(self, problem: NoAudio) -> None:
        self.audio_problem = problem
        self.audio_message.setText(self._no_audio_text(problem))
        self.audio_message.setVisible(True)

    def _no_audio_text(self, problem: NoAudio) -> str:
        if problem.reason is NoAudioReason.NO_LIBRARY:
            return self.tr("Recordings cannot be played on this computer: its sound library "
                           "(PortAudio) is not installed. The list is still shown.")
        if problem.reason is NoAudioReason.NO_DEVICE:
            return self.tr("This computer has no sound output device, so recordings cannot "
                           "be played. Connect speakers or headphones and restart the "
                           "console.")
        if problem.reason is NoAudioReason.UNSUPPORTED:
            return self.tr("The sound device cannot play this recording's format.")
        return self.tr("The sound device could not be opened: {reason}").format(
            reason=problem.detail)

    def _show_failure(self, failure: ApiFailure) -> None:
        if failure.kind is FailureKind.UNAUTHORIZED:
            self.shutdown()
            self.session_ended.emit(failure)
            return
        self._show_error(describe(failure))

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(True)

    def _set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))
