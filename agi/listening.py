"""The listening line's conversation: who is calling, then their own recordings, newest first.

Keys while listening (documented in the help prompts):

- 1 replays the recording (its announcement too), 2 goes to the next one, 3 to the previous one;
- 4 and 6 skip 10 s back and forward within it (Asterisk seeks; during the announcement they
  start the recording at once);
- 7 deletes it, when the admin lets people delete their own recordings (1 confirms);
- 0 plays the help, then the recording again; # ends the call.

Every prompt stops at a key that means something there (barge-in), and that key acts at once.
Recordings are played only from the caller's own list (``own_recordings``) and each is checked
again just before it plays (``recording_file``, the API's rule): whatever is keyed, nothing else
can be reached.  A recording that is gone meanwhile (retention, a deletion elsewhere) is left
out.
"""

from __future__ import annotations

import datetime as dt
import logging
import wave
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from asterisk.agi import AGIHangup

from paivystys.agi.adapter import AgiPlaybackFailed, is_sound_name
from paivystys.agi.registry import AgiHandler
from paivystys.appliance.asterisk.variables import (
    CALLER,
    CALLER_E164,
    DIALLED,
    LISTENING_NUMBER_ID,
)
from paivystys.appliance.db import settings
from paivystys.appliance.db.models import PERSONAL_NUMBER_DIGITS, Call, ListeningCall, Person
from paivystys.appliance.listening import calls
from paivystys.appliance.listening.outcomes import ListeningAction, ListeningOutcome
from paivystys.appliance.listening.pins import (
    AUDIT_ACTOR,
    MAX_WRONG_PINS,
    PIN_LENGTHS,
    PinVerdict,
    person_by_personal_number,
    person_by_phone,
    verify_pin,
)
from paivystys.appliance.prompts import prompt_path
from paivystys.appliance.prompts.readings import (
    MAX_COUNT,
    recording_announcement,
    recording_count,
)
from paivystys.appliance.recordings.access import (
    RecordingGone,
    delete_own_recording,
    own_recordings,
    recording_file,
)

log = logging.getLogger(__name__)

WELCOME = "pv-listen-welcome"
ASK_PERSONAL_NUMBER = "pv-listen-personal-number"
ASK_PIN = "pv-listen-pin"
WRONG_PIN = "pv-listen-wrong-pin"
NO_PIN = "pv-listen-no-pin"
GOODBYE = "pv-listen-goodbye"
HELP = "pv-listen-help"
HELP_WITH_DELETE = "pv-listen-help-delete"
CONFIRM_DELETE = "pv-listen-confirm-delete"
DELETED = "pv-listen-deleted"
KEPT = "pv-listen-kept"
LAST = "pv-listen-last"
FIRST = "pv-listen-first"

# The keys while listening (see the module's description).
REPLAY = "1"
NEXT = "2"
PREVIOUS = "3"
BACK = "4"
FORWARD = "6"
DELETE = "7"
HELP_KEY = "0"
END = "#"
CONFIRM = "1"  # after "press 1 to delete"
DIGITS = "0123456789"
SKIP_MS = 10_000
# Seconds a caller has for the first key and between keys when keying a number.
KEY_TIMEOUT_S = 5.0
# After the last recording (or "no more recordings"): this long for another key, then goodbye.
WAIT_AT_END_S = 6.0
# What Asterisk may take beyond a sound's own length to answer (a loaded machine).
REPLY_SLACK_S = 10.0
# A sound whose length cannot be read from a WAV header: at least 1,000 bytes a second (every
# format Asterisk plays takes more), so its size in thousands of bytes bounds its seconds.
BYTES_PER_SECOND_AT_LEAST = 1000


def sound_seconds(path_without_extension: Path) -> float:
    """How long the sound plays at most: Asterisk picks whichever file of that name it has."""
    longest = 0.0
    for path in path_without_extension.parent.glob(f"{path_without_extension.name}.*"):
        try:
            with wave.open(str(path)) as sound:
                seconds = sound.getnframes() / sound.getframerate()
        except (wave.Error, EOFError):
            seconds = path.stat().st_size / BYTES_PER_SECOND_AT_LEAST
        longest = max(longest, seconds)
    return longest


@dataclass
class Playlist:
    """The person's recordings, newest first, and the one at hand."""

    recordings: list[Call]
    position: int = 0

    @property
    def current(self) -> Call:
        return self.recordings[self.position]

    @property
    def at_first(self) -> bool:
        return self.position == 0

    @property
    def at_last(self) -> bool:
        return self.position == len(self.recordings) - 1

    def drop_current(self) -> bool:
        """The recording at hand is gone: the next one takes its place.  True when it was the
        last one (the one before it is then at hand)."""
        was_last = self.at_last
        del self.recordings[self.position]
        self.position = min(self.position, max(len(self.recordings) - 1, 0))
        return was_last


class ListeningLineHandler(AgiHandler):
    person: Person  # once identified

    def execute(self) -> None:
        self.start()
        try:
            self.answer()
            person = self.identify()
            if person is not None:
                self.listen(person)
            self.say_goodbye()
        except AGIHangup:
            self.outcome = self.outcome or ListeningOutcome.HUNG_UP
            raise
        finally:
            self.finish()

    # --- the steps ------------------------------------------------------------------------
    def start(self) -> None:
        self.language = settings.get_setting("prompt_language")
        self.time_zone = settings.get_setting("time_zone")
        self.deletable = settings.get_setting("own_recordings_deletable") == "yes"
        self.outcome: ListeningOutcome | None = None
        self.caller = self.agi.get_variable(CALLER).strip()
        self.caller_e164 = self.agi.get_variable(CALLER_E164).strip()
        self.call: ListeningCall = calls.open_call(
            call_id=self.agi.env.get("agi_uniqueid", ""),
            number_id=self.agi.get_variable(LISTENING_NUMBER_ID).strip(),
            dialled=self.agi.get_variable(DIALLED).strip(), caller=self.caller, now=_now())
        log.info("listening call %s from %s", self.call.call_id, self.caller or "a withheld number")

    def answer(self) -> None:
        self.agi.answer()

    def identify(self) -> Person | None:
        """The person the caller proves to be with a PIN; None when they do not.  A phone that
        is a person's asks only the PIN; any other asks the personal number each time too, so
        that what is asked never tells whether a keyed personal number exists."""
        known = person_by_phone(self.caller_e164)
        greeting = [WELCOME]
        for _ in range(MAX_WRONG_PINS):
            person, keyed = known, None
            if person is None:
                keyed = self.ask([*greeting, ASK_PERSONAL_NUMBER], PERSONAL_NUMBER_DIGITS + 1)
                person = person_by_personal_number(keyed)
                greeting = []
            if person is not None:
                calls.claimed_by(self.call, person)
            pin = self.ask([*greeting, ASK_PIN], PIN_LENGTHS.stop)
            greeting = []
            if not pin:
                # Nothing keyed is no PIN attempt: it neither counts towards the lock nor
                # gets audited, but it uses up one of the call's tries.
                self.say([WRONG_PIN])
                continue
            verdict = verify_pin(person, pin, self.caller_e164 or self.caller, _now(),
                                 personal_number=keyed)
            if verdict == PinVerdict.ACCEPTED:
                self.outcome = ListeningOutcome.LISTENED
                return person
            if verdict == PinVerdict.NO_PIN and known is not None:
                # Said only to the person's own phone: after a keyed personal number it would
                # tell a stranger that the number is someone's, and that it has no PIN.
                self.outcome = ListeningOutcome.NO_PIN
                self.say([NO_PIN])
                return None
            # Wrong or locked: the same words, so a locked person's right PIN tells nothing.
            self.say([WRONG_PIN])
        self.outcome = ListeningOutcome.REFUSED
        return None

    def listen(self, person: Person) -> None:
        self.person = person
        # As many as the count can say (the console lists fewer at a time).
        playlist = Playlist(own_recordings(person.id, limit=MAX_COUNT))
        key = self.say(recording_count(len(playlist.recordings), self.language), keys=DIGITS + END)
        if playlist.recordings and key != END:
            self.play_recordings(playlist, key)

    def say_goodbye(self) -> None:
        self.say([GOODBYE])

    def finish(self) -> None:
        calls.close_call(self.call, self.outcome, _now())
        log.info("listening call %s ended: %s", self.call.call_id, self.outcome or "failed")

    # --- listening ------------------------------------------------------------------------
    def play_recordings(self, playlist: Playlist, key: str) -> None:
        """Plays the recordings one after another until # (or silence after the last one);
        ``key`` is one pressed during the count, which acts on the first recording."""
        while playlist.recordings:
            if key == END:
                return
            if key:
                key = self.act(key, playlist)
                continue
            path = self.recording_path(playlist.current)
            if path is None:
                key = self.after_removal(playlist, playlist.drop_current())
                continue
            key = self.play(playlist.current, path)
            if not key:
                if playlist.at_last:
                    key = self.wait_at_end()
                else:
                    playlist.position += 1
        self.say(recording_count(0, self.language))

    def act(self, key: str, playlist: Playlist) -> str:
        """Does what ``key`` asks; returns the key pressed meanwhile ("" = play the recording
        then at hand from its start)."""
        if key == NEXT:
            if playlist.at_last:
                return self.wait_at_end()
            playlist.position += 1
        elif key == PREVIOUS:
            if playlist.at_first:
                return self.say([FIRST], keys=DIGITS + END)
            playlist.position -= 1
        elif key == HELP_KEY:
            return self.say([HELP_WITH_DELETE if self.deletable else HELP], keys=DIGITS + END)
        elif key == DELETE and self.deletable:
            return self.delete(playlist)
        # REPLAY, and a key that means nothing here: the recording at hand from its start.
        return ""

    def after_removal(self, playlist: Playlist, was_last: bool) -> str:
        """After a recording left the list: the next one plays; after the last, the end."""
        if was_last and playlist.recordings:
            return self.wait_at_end()
        return ""

    def wait_at_end(self) -> str:
        """"No more recordings", then a while for a key (1 replays the last one, 3 goes back);
        none: the end (#)."""
        return self.ask_key([LAST], WAIT_AT_END_S) or END

    def play(self, recorded: Call, path: Path) -> str:
        """The recording, announced: returns the key that stopped it, "" at its end."""
        seen_as = self.context.recordings_dir / path.relative_to(self.recordings_dir)
        if not is_sound_name(str(seen_as.with_suffix(""))):
            log.error("listening call %s: the recording of call %s has a file name that is "
                      "not sent to Asterisk: %r", self.call.call_id, recorded.call_id,
                      recorded.recording)
            return ""
        arrived = recorded.arrived_at
        arrived = arrived if arrived.tzinfo is not None else arrived.replace(tzinfo=dt.UTC)
        announcement = recording_announcement(arrived, recorded.caller, self.language,
                                              self.time_zone)
        key = self.say(announcement, keys=self.playback_keys + BACK + FORWARD)
        if key and key not in (BACK, FORWARD):
            return key
        calls.recording_event(self.call, ListeningAction.PLAYED, recorded, _now())
        with self.agi.replies_within(sound_seconds(path.with_suffix("")) + REPLY_SLACK_S):
            try:
                return self.agi.control_stream(str(seen_as.with_suffix("")), self.playback_keys,
                                               SKIP_MS, FORWARD, BACK)
            except AgiPlaybackFailed:
                log.warning("listening call %s: the recording of call %s did not play (the "
                            "caller hung up, or Asterisk cannot read it)", self.call.call_id,
                            recorded.call_id)
                return ""

    @property
    def playback_keys(self) -> str:
        return REPLAY + NEXT + PREVIOUS + HELP_KEY + END + (DELETE if self.deletable else "")

    @property
    def recordings_dir(self) -> Path:
        return self.context.local_instance_dir / "recordings"

    def recording_path(self, recorded: Call) -> Path | None:
        """The file, if the recording is still this person's and there."""
        try:
            path = recording_file(recorded.id, self.person.id, self.recordings_dir)
        except RecordingGone:
            log.error("listening call %s: the recording of call %s is missing on disk",
                      self.call.call_id, recorded.call_id)
            return None
        if path is None:
            log.info("listening call %s: the recording of call %s is gone meanwhile",
                     self.call.call_id, recorded.call_id)
        return path

    def delete(self, playlist: Playlist) -> str:
        """Asks to confirm with 1; any other key (or none) keeps the recording."""
        recorded = playlist.current
        if self.ask_key([CONFIRM_DELETE], KEY_TIMEOUT_S) != CONFIRM:
            return self.say([KEPT], keys=DIGITS + END)
        try:
            deleted = delete_own_recording(recorded.id, self.person.id, self.recordings_dir,
                                           AUDIT_ACTOR)
        except OSError as error:
            log.error("listening call %s: cannot delete the recording of call %s: %s",
                      self.call.call_id, recorded.call_id, error)
            return self.say([KEPT], keys=DIGITS + END)
        if not deleted:  # gone meanwhile: it is not there to keep either
            return self.after_removal(playlist, playlist.drop_current())
        calls.recording_event(self.call, ListeningAction.DELETED, recorded, _now())
        was_last = playlist.drop_current()
        return self.say([DELETED], keys=DIGITS + END) or self.after_removal(playlist, was_last)

    # --- speaking and keys ----------------------------------------------------------------
    def sound(self, name: str) -> tuple[str, Path]:
        """The prompt as Asterisk plays it (the admin's recording of it, else ours), and where
        this server finds it."""
        seen_as = prompt_path(self.context.local_instance_dir, self.language, name,
                              str(self.context.instance_seen_as))
        relative = PurePosixPath(seen_as).relative_to(self.context.instance_seen_as)
        return seen_as, self.context.local_instance_dir / relative

    def say(self, names: list[str], keys: str = "") -> str:
        """Plays the prompts one after another; a key of ``keys`` stops them and is returned."""
        for name in names:
            seen_as, local = self.sound(name)
            with self.agi.replies_within(sound_seconds(local) + REPLY_SLACK_S):
                try:
                    key = self.agi.stream(seen_as, keys)
                except AgiPlaybackFailed:
                    log.warning("listening call %s: the prompt %s (%s) did not play (the caller "
                                "hung up, or its file is missing)", self.call.call_id, name,
                                self.language)
                    continue
            if key:
                return key
        return ""

    def ask(self, prompts: list[str], max_digits: int) -> str:
        """Plays the prompts and reads digits until #, ``max_digits`` or a pause; a digit that
        stops a prompt is the first one."""
        first = self.say(prompts[:-1], keys=DIGITS + END)
        if first == END:
            return ""
        prompt = "" if first else prompts[-1]
        return "".join(c for c in first + self.read_digits(prompt, max_digits - len(first))
                       if c in DIGITS)

    def ask_key(self, prompts: list[str], wait_s: float) -> str:
        """Plays the prompts, then waits ``wait_s`` for one key; "" when none comes."""
        key = self.say(prompts, keys=DIGITS + END + "*")
        if key:
            return key
        return self.read_key(wait_s)

    def read_digits(self, prompt: str, max_digits: int) -> str:
        seen_as, local = self.sound(prompt) if prompt else ("", None)
        seconds = (sound_seconds(local) if local else 0.0) + (max_digits + 1) * KEY_TIMEOUT_S
        with self.agi.replies_within(seconds + REPLY_SLACK_S):
            try:
                return self.agi.read_digits(seen_as, KEY_TIMEOUT_S, max_digits)
            except AgiPlaybackFailed:
                log.warning("listening call %s: reading keys after %s failed (the caller hung "
                            "up, or the prompt is missing)", self.call.call_id,
                            prompt or "no prompt")
                return ""

    def read_key(self, wait_s: float) -> str:
        with self.agi.replies_within(wait_s + REPLY_SLACK_S):
            return self.agi.wait_for_key(wait_s)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
