"""The listening line through the simulated carrier with real Asterisk: who calls proves who
they are with a PIN, then hears their own recordings, newest first, each announced, and moves
among them with keys.

Two records of each call are read back: the AGI conversation as Asterisk logs it (with
``agi set debug on``), which is also how the caller knows when to press, and the audio the
caller heard, recorded on the carrier's side.  Each test recording is a tone of its own, so
which recording played, in which order and for how long shows in the audio."""

from __future__ import annotations

import array
import datetime as dt
import math
import re
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from paivystys.appliance.db.database import open_database
from paivystys.appliance.db.models import (
    AuditEntry,
    Call,
    ListeningCall,
    ListeningEvent,
    Person,
)
from paivystys.appliance.directory import Directory
from paivystys.appliance.lab.caller import LiveCall
from paivystys.appliance.lab.carrier import HEARD_DIR
from paivystys.appliance.listening.pins import set_pin
from paivystys.appliance.prompts.readings import recording_announcement, recording_count
from paivystys.appliance.recordings.retention import delete_expired
from paivystys.appliance.runtime.instance import INSTANCE_ROOT

from conftest import changing_configuration, new_mobile, new_on_call_number

RATE = 8000
FRAME_S = 0.05
TIME_ZONE = "Europe/Helsinki"  # the setting's default
# Each test recording is a tone of its own, none of them a key's (DTMF) or a handset's voice.
TONES = {"A": 500.0, "Z": 2600.0, "B": 1100.0, "C": 1900.0, "P": 3100.0}
TEST_FOLDER = "listening-line-test"
# Tone lengths as heard may differ from the file's by a frame or two at either end.
SLACK_S = 0.25


@dataclass
class Line:
    lab: object
    number: str
    directory: Directory

    def person(self, name: str, pin: str) -> Person:
        person = self.directory.add_person(name, new_mobile())
        person = Person.get_by_id(person.id)
        set_pin(person, pin, "test")
        return person

    def record(self, person: Person, hours_ago: float, tones: list[tuple[str, float]],
               caller: str = "") -> Call:
        """A finished call ``person`` answered, recorded: ``tones`` one after another."""
        arrived = dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours_ago)
        name = "".join(tone for tone, _ in tones)
        # A folder of their own: Asterisk's month folders are its own to make (with the
        # services' group), and other tests check them.
        relative = f"{TEST_FOLDER}/listen-{name}-{time.monotonic_ns()}.wav"
        path = self.recordings_dir / relative
        path.parent.mkdir(exist_ok=True)
        path.parent.chmod(0o755)
        write_tones(path, tones)
        path.chmod(0o644)  # Asterisk plays it
        return Call.create(call_id=path.stem, dialled="+358205550100", caller=caller,
                           arrived_at=arrived, ended_at=arrived + dt.timedelta(minutes=1),
                           outcome="answered", answered_by=person,
                           answered_by_name=person.name, recording=relative)

    @property
    def recordings_dir(self) -> Path:
        return self.lab.appliance().instance_dir / "recordings"


def write_tones(path: Path, tones: list[tuple[str, float]]) -> None:
    samples = array.array("h")
    for tone, seconds in tones:
        samples.extend(int(12000 * math.sin(2 * math.pi * TONES[tone] * n / RATE))
                       for n in range(int(seconds * RATE)))
    with wave.open(str(path), "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(RATE)
        sound.writeframes(samples.tobytes())


def tone_runs(path: Path) -> list[tuple[str, float]]:
    """The test tones in what the caller heard, in order: (tone, seconds); a run is 0.2 s or
    more of one tone holding most of the sound's energy (speech never does)."""
    with wave.open(str(path)) as sound:
        rate = sound.getframerate()
        samples = array.array("h", sound.readframes(sound.getnframes()))
    size = int(rate * FRAME_S)
    labels = []
    for start in range(0, len(samples) - size, size):
        frame = samples[start:start + size]
        energy = sum(sample * sample for sample in frame) * size / 2 or 1
        labels.append(next((tone for tone, frequency in TONES.items()
                            if _goertzel(frame, frequency, rate) / energy > 0.6), ""))
    runs: list[tuple[str, float]] = []
    start = 0
    for index in range(1, len(labels) + 1):
        if index == len(labels) or labels[index] != labels[start]:
            if labels[start] and (index - start) * FRAME_S >= 0.2:
                runs.append((labels[start], (index - start) * FRAME_S))
            start = index
    return runs


def _goertzel(frame: array.array, frequency: float, rate: int) -> float:
    coefficient = 2 * math.cos(2 * math.pi * frequency / rate)
    previous = before = 0.0
    for sample in frame:
        previous, before = sample + coefficient * previous - before, previous
    return previous * previous + before * before - coefficient * previous * before


_AGI_LINE = re.compile(r"<(?P<channel>[^>]+)>AGI (?P<way>Rx <<|Tx >>) (?P<text>.*)$")
_SOUND = re.compile(r'^(?:STREAM FILE|CONTROL STREAM FILE|GET DATA) "([^"]*)"')


class AgiTrace:
    """The listening line's AGI conversation of one call, as Asterisk logs it, read as it
    happens: the caller waits for a command to press at the right moment."""

    def __init__(self, log: Path) -> None:
        self._log = log
        self._offset = log.stat().st_size
        self._pending = ""
        self.channel = ""
        self.commands: list[str] = []
        self._seen = 0

    def _read(self) -> None:
        with self._log.open() as text:
            text.seek(self._offset)
            chunk = text.read()
            self._offset = text.tell()
        *lines, self._pending = (self._pending + chunk).split("\n")
        for line in lines:
            match = _AGI_LINE.search(line)
            if match is None:
                continue
            if not self.channel and match["text"].endswith("/listening-line"):
                self.channel = match["channel"]  # agi_request: agi://.../listening-line
            if match["channel"] == self.channel and match["way"] == "Rx <<":
                self.commands.append(match["text"])

    def wait(self, pattern: str, timeout: float = 20.0) -> str:
        """The next command (after those already waited for) that matches ``pattern``."""
        deadline = time.monotonic() + timeout
        while True:
            self._read()
            for index in range(self._seen, len(self.commands)):
                if re.search(pattern, self.commands[index]):
                    self._seen = index + 1
                    return self.commands[index]
            if time.monotonic() > deadline:
                raise AssertionError(f"no AGI command matching {pattern!r} within {timeout} s;"
                                     f" the conversation: {self.commands}")
            time.sleep(0.02)

    def sounds(self) -> list[str]:
        """Every sound played or asked with, by file name ("" = keys read without one)."""
        self._read()
        return [Path(match[1]).name for command in self.commands
                if (match := _SOUND.match(command))]


@pytest.fixture(scope="module")
def line(lab) -> Iterator[Line]:
    open_database(lab.db_path)
    directory = Directory()
    number = new_on_call_number()  # a number no other test uses
    directory.add_listening_number(number, "Kuuntelu")
    lab.appliance().rx("agi set debug on")
    yield Line(lab, number, directory)
    lab.appliance().rx("agi set debug off")


def call_line(lab, carrier_ami, line: Line, caller: str, name: str) -> tuple[LiveCall, AgiTrace,
                                                                              Path]:
    """A call to the listening line from ``caller``; what it hears is recorded under name."""
    local = lab.carrier().instance_dir / HEARD_DIR / f"{name}.wav"
    trace = AgiTrace(lab.appliance().instance_dir / "log" / "messages")
    call = LiveCall(carrier_ami, caller, line.number, max_duration=90,
                    heard=f"{INSTANCE_ROOT}/{HEARD_DIR}/{name}.wav")
    call.wait_answered()
    trace.wait(r"pv-listen-welcome")
    return call, trace, local


def heard(path: Path) -> list[tuple[str, float]]:
    """The tone runs of a finished call's recording (MixMonitor closes it just after)."""
    size = -1
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        current = path.stat().st_size if path.exists() else -1
        if current == size and current > 0:
            break
        size = current
        time.sleep(0.2)
    return tone_runs(path)


def assert_runs(actual: list[tuple[str, float]], expected: list[tuple[str, float]]) -> None:
    assert [tone for tone, _ in actual] == [tone for tone, _ in expected], actual
    for (tone, seconds), (_, wanted) in zip(actual, expected, strict=True):
        assert abs(seconds - wanted) <= SLACK_S, (tone, seconds, wanted, actual)


def announced(call: Call) -> list[str]:
    return recording_announcement(call.arrived_at, call.caller or None, "fi", TIME_ZONE)


def listening_row() -> ListeningCall:
    """The last listening call, once the line has closed it (just after the call ended)."""
    deadline = time.monotonic() + 5
    while True:
        row = ListeningCall.select().order_by(ListeningCall.id.desc()).get()
        if row.ended_at is not None or time.monotonic() > deadline:
            return row
        time.sleep(0.05)


def actions(row: ListeningCall) -> list[tuple[str, str]]:
    return [(event.action, event.call.call_id) for event in
            ListeningEvent.select().where(ListeningEvent.listening_call == row)
            .order_by(ListeningEvent.id)]


def test_three_recordings_newest_first_then_back_replay_next_and_skip(
        lab, carrier_ami, line: Line) -> None:
    """From her own phone: the PIN, the count, all three newest first with their
    announcements; the oldest skipped 10 s forward; then previous, replay, next, 10 s forward
    and back; never anybody else's, and never one retention deleted."""
    maija = line.person("Maija Kuuntelija", "2580")
    pekka = line.person("Pekka Muu", "1397")
    expired = line.record(maija, 100 * 24, [("P", 1.0)])  # retention takes it before the call
    oldest = line.record(maija, 3, [("A", 10.6), ("Z", 1.5)])
    middle = line.record(maija, 2, [("B", 1.5)])
    newest = line.record(maija, 1, [("C", 1.5)], caller="+3584013")
    pekkas = line.record(pekka, 0.5, [("P", 1.5)])
    assert expired.call_id in delete_expired(line.recordings_dir)
    calls_before = Call.select().count()

    call, trace, audio = call_line(lab, carrier_ami, line, maija.phone, "maija")
    call.press("2580#")
    trace.wait(recording_count(3, "fi")[0])
    call.press("9")  # a key that means nothing here stops the count: the first one plays
    trace.wait(f"CONTROL STREAM FILE .*{newest.call_id}")
    call.press("8*5")  # keys that mean nothing while it plays change nothing
    trace.wait(f"CONTROL STREAM FILE .*{oldest.call_id}")
    time.sleep(0.5)
    call.press("6")  # 10 s forward: the end of its first tone
    trace.wait("pv-listen-last")
    call.press("3")  # back to the middle one; 6 during its announcement starts it
    trace.wait(announced(middle)[0])
    call.press("6")
    trace.wait(f"CONTROL STREAM FILE .*{middle.call_id}")
    time.sleep(0.6)
    call.press("1")  # again from its start
    trace.wait(announced(middle)[0])
    call.press("6")
    trace.wait(f"CONTROL STREAM FILE .*{middle.call_id}")
    time.sleep(0.6)
    call.press("2")  # the next one: the oldest
    trace.wait(announced(oldest)[0])
    call.press("6")
    trace.wait(f"CONTROL STREAM FILE .*{oldest.call_id}")
    time.sleep(0.4)
    call.press("6")  # forward to its second tone ...
    time.sleep(0.8)
    call.press("4")  # ... and back 10 s, into its first
    time.sleep(0.8)
    call.press("#")
    report = call.report()

    assert report.answered
    sounds = trace.sounds()
    # The PIN keyed into the welcome (a key stops it), the rest read without a prompt.
    assert sounds[:3] == ["pv-listen-welcome", "", recording_count(3, "fi")[0]]
    first_pass = [*announced(newest), newest.call_id, *announced(middle), middle.call_id,
                  *announced(oldest), oldest.call_id, "pv-listen-last"]
    begins = sounds.index(announced(newest)[0])
    assert sounds[begins:begins + len(first_pass)] == first_pass
    assert "pv-listen-withheld" in announced(middle)
    assert {"digit-0", "digit-4", "digit-1", "digit-3"} <= set(announced(newest))
    assert sounds[-1] == "pv-listen-goodbye"
    # What the caller heard: all three, newest first, whole; the oldest's first tone for half
    # a second only (6 skipped 10 s of it); then the middle one cut short twice (1 replayed
    # it, 2 went on) and the oldest again: forward into its second tone, back into its first.
    runs = heard(audio)
    assert [tone for tone, _ in runs] == ["C", "B", "A", "Z", "B", "B", "A", "Z", "A"], runs
    assert_runs(runs[:2], [("C", 1.5), ("B", 1.5)])
    assert runs[2][1] < 1.5 and abs(runs[3][1] - 1.5) <= 0.5, runs
    for tone, seconds in runs[4:]:
        assert 0.2 <= seconds < 1.5, (tone, runs)
    row = listening_row()
    assert (row.person_id, row.outcome, row.caller, row.dialled) == (
        maija.id, "listened", maija.phone, line.number)
    assert row.ended_at is not None
    played = [call_id for _, call_id in actions(row)]
    assert played == [newest.call_id, middle.call_id, oldest.call_id, middle.call_id,
                      middle.call_id, oldest.call_id]
    # Nobody else's recording, nor the expired one, was offered; the line logged no call.
    assert pekkas.call_id not in str(trace.commands) and expired.call_id not in str(
        trace.commands)
    assert Call.select().count() == calls_before


def test_another_phone_keys_the_personal_number_and_deletes(
        lab, carrier_ami, line: Line) -> None:
    """From a phone that is nobody's: the personal number, the PIN; 7 and 1 delete the newest
    recording when the admin allows it, and the next one plays."""
    line.directory.set_setting("own_recordings_deletable", "yes")
    liisa = line.person("Liisa Toinen", "7531")
    older = line.record(liisa, 2, [("B", 1.0)])
    doomed = line.record(liisa, 1, [("C", 1.0)])
    stranger = new_mobile()
    try:
        call, trace, audio = call_line(lab, carrier_ami, line, stranger, "liisa")
        call.press(f"{liisa.personal_number}#")
        trace.wait("pv-listen-pin")
        call.press("7531#")
        trace.wait(announced(doomed)[0])
        call.press("7")  # during the announcement: delete asks first
        trace.wait("pv-listen-confirm-delete")
        call.press("1")
        trace.wait(announced(older)[0])
        call.press("6")
        trace.wait(f"CONTROL STREAM FILE .*{older.call_id}")
        time.sleep(0.5)
        call.press("#")
        call.report()
    finally:
        line.directory.set_setting("own_recordings_deletable", "no")

    # The personal number keyed into the welcome, then the PIN asked for.
    assert trace.sounds()[:3] == ["pv-listen-welcome", "", "pv-listen-pin"]
    assert "pv-listen-deleted" in trace.sounds()
    assert [tone for tone, _ in heard(audio)] == ["B"]  # the deleted one never played
    assert not (line.recordings_dir / doomed.recording).exists()
    assert Call.get_by_id(doomed.id).recording is None
    row = listening_row()
    assert (row.caller, row.person_id, row.outcome) == (stranger, liisa.id, "listened")
    assert actions(row) == [("deleted", doomed.call_id), ("played", older.call_id)]
    assert AuditEntry.select().where((AuditEntry.action == "recording.deleted")
                                     & (AuditEntry.target == doomed.call_id)).exists()


def test_three_wrong_pins_lock_and_the_right_one_is_then_refused(
        lab, carrier_ami, line: Line) -> None:
    pekka = line.person("Pekka Lukittu", "1397")
    line.record(pekka, 1, [("P", 1.0)])
    call, trace, _ = call_line(lab, carrier_ami, line, pekka.phone, "pekka-wrong")
    for wrong in ("1111", "2222", "3333"):
        call.press(f"{wrong}#")
        trace.wait("pv-listen-wrong-pin")
        if wrong != "3333":
            trace.wait("pv-listen-pin")
    trace.wait("pv-listen-goodbye")
    call.report()
    assert listening_row().outcome == "refused"
    assert Person.get_by_id(pekka.id).pin_locked_until is not None

    call, trace, _ = call_line(lab, carrier_ami, line, pekka.phone, "pekka-locked")
    call.press("1397#")
    trace.wait("pv-listen-wrong-pin")  # the same words as for a wrong PIN
    trace.wait("pv-listen-pin")
    call.hang_up()
    call.report()
    assert "CONTROL STREAM FILE" not in str(trace.commands)
    row = listening_row()
    assert (row.person_id, row.outcome) == (pekka.id, "hung-up")
    assert row.ended_at is not None
    verdicts = [entry.details for entry in AuditEntry.select().where(
        (AuditEntry.action == "listening.pin") & (AuditEntry.target == str(pekka.id)))
        .order_by(AuditEntry.id)]
    assert ['"locked"' in details for details in verdicts] == [False, False, True, True]


def test_reloads_all_through_the_call_disturb_nothing(lab, carrier_ami, line: Line) -> None:
    """A second listening number is added and removed every 0.3 s from before the call to its
    end, each time reloading the dialplan and the listening line's own context: the caller
    keys the personal number and the PIN, hears the recording whole, and the call is logged
    as listened."""
    liisa = line.person("Liisa Kolmas", "8642")
    recorded = line.record(liisa, 1, [("A", 3.0)])
    calls_before = Call.select().count()
    stranger = new_mobile()
    other = new_on_call_number()

    def add_or_remove(directory: Directory, there: bool) -> object:
        if there:
            return directory.remove_listening_number(other)
        return directory.add_listening_number(other, "Toinen kuuntelu")

    with changing_configuration(lab, toggle=add_or_remove) as reloads:
        call, trace, audio = call_line(lab, carrier_ami, line, stranger, "reloads")
        call.press(f"{liisa.personal_number}#")
        trace.wait("pv-listen-pin")
        call.press("8642#")
        trace.wait(f"CONTROL STREAM FILE .*{recorded.call_id}")
        trace.wait("pv-listen-last")
        call.press("#")
        call.report()
    assert len(reloads) >= 10
    assert_runs(heard(audio), [("A", 3.0)])
    row = listening_row()
    assert (row.caller, row.person_id, row.outcome) == (stranger, liisa.id, "listened")
    assert actions(row) == [("played", recorded.call_id)]
    assert Call.select().count() == calls_before  # no on-call call logged
