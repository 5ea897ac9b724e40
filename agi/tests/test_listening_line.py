"""The listening-line entry point end to end: a scripted caller (fake Asterisk) -> FastAGI
server -> database and files."""

from __future__ import annotations

import datetime as dt
import wave
from dataclasses import dataclass
from pathlib import Path

import peewee
import pytest

from paivystys.agi.registry import default_registry
from paivystys.agi.server import FastAgiServer
from paivystys.agi.tests.conftest import ServerFactory
from paivystys.agi.tests.fake_asterisk import (
    HANG_UP,
    SILENCE,
    WAIT,
    Caller,
    Conversation,
    Press,
    agi_env,
    run_agi,
)
from paivystys.appliance.db import settings
from paivystys.appliance.db.models import (
    AuditEntry,
    Call,
    ListeningCall,
    ListeningEvent,
    ListeningNumber,
    Person,
)
from paivystys.appliance.listening.pins import set_pin
from paivystys.appliance.prompts.readings import recording_announcement, recording_count

MAIJA_PHONE = "+358401000001"
MAIJA_PIN = "2468"
TIME_ZONE = "Europe/Helsinki"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
PERSONAL_NUMBER = "654321"
PIN_PROMPT_AFTER_WELCOME = ["pv-listen-welcome", "pv-listen-pin"]


@dataclass
class Line:
    server: FastAgiServer
    instance: Path
    number: ListeningNumber
    maija: Person
    pekka: Person

    def call(self, caller: Caller, from_phone: str = MAIJA_PHONE,
             uniqueid: str = "1700000000.9") -> Conversation:
        variables = {"PV_CALLER": from_phone, "PV_CALLER_E164": from_phone,
                     "PV_DIALLED": "0201110001", "PV_LISTENING_NUMBER_ID": str(self.number.id)}
        return run_agi(self.server.server_address[:2],
                       agi_env("listening-line", agi_uniqueid=uniqueid), variables,
                       respond=caller)

    def recording(self, name: str, person: Person, minutes_ago: int, caller: str = "+358501234567",
                  ended: bool = True) -> Call:
        relative = f"2026/12/{name}.wav"
        path = self.instance / "recordings" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with wave.open(str(path), "wb") as sound:
            sound.setnchannels(1)
            sound.setsampwidth(2)
            sound.setframerate(8000)
            sound.writeframes(b"\x00\x10" * 8000)
        arrived = NOW - dt.timedelta(minutes=minutes_ago)
        return Call.create(call_id=name, dialled="+358201234567", caller=caller,
                           arrived_at=arrived,
                           ended_at=arrived + dt.timedelta(minutes=1) if ended else None,
                           answered_by=person, answered_by_name=person.name, recording=relative)


@pytest.fixture
def line(start_server: ServerFactory, db: peewee.SqliteDatabase, tmp_path: Path) -> Line:
    instance = tmp_path / "instance"
    maija = Person.create(name="Maija", phone=MAIJA_PHONE, personal_number=PERSONAL_NUMBER)
    set_pin(maija, MAIJA_PIN, "admin")
    pekka = Person.create(name="Pekka", phone="+358401000002", personal_number="111222")
    number = ListeningNumber.create(number="+358201110001", name="Kuuntelu")
    return Line(start_server(default_registry, instance_dir=instance), instance, number,
                maija, pekka)


def announced(recorded: Call) -> list[str]:
    arrived = recorded.arrived_at
    arrived = arrived if arrived.tzinfo else arrived.replace(tzinfo=dt.UTC)
    return recording_announcement(arrived, recorded.caller, "fi", TIME_ZONE)


def played(caller: Caller) -> list[str]:
    """The recordings the caller heard (their file names are the call ids)."""
    return [name for name in caller.heard if name.startswith("rec-")]


def listening_call() -> ListeningCall:
    return ListeningCall.get()


def events() -> list[tuple[str, str]]:
    return [(event.action, event.call.call_id) for event in
            ListeningEvent.select().order_by(ListeningEvent.id)]


def test_a_persons_recordings_newest_first_with_their_announcements(line: Line) -> None:
    old = line.recording("rec-old", line.maija, 300, caller="+358501112222")
    middle = line.recording("rec-middle", line.maija, 200, caller="")
    new = line.recording("rec-new", line.maija, 100, caller="+46701234567")
    line.recording("rec-pekka", line.pekka, 50)
    line.recording("rec-running", line.maija, 1, ended=False)  # still being recorded
    caller = Caller([Press("pv-listen-pin", MAIJA_PIN)])

    line.call(caller)

    assert caller.heard == [
        *PIN_PROMPT_AFTER_WELCOME,
        *recording_count(3, "fi"),
        *announced(new), "rec-new",
        *announced(middle), "rec-middle",
        *announced(old), "rec-old",
        "pv-listen-last", WAIT, "pv-listen-goodbye",
    ]
    assert "pv-listen-withheld" in announced(middle)
    row = listening_call()
    assert (row.call_id, row.caller, row.dialled, row.number_id) == (
        "1700000000.9", MAIJA_PHONE, "0201110001", line.number.id)
    assert (row.person_id, row.person_name, row.outcome) == (line.maija.id, "Maija", "listened")
    assert row.ended_at is not None
    assert events() == [("played", "rec-new"), ("played", "rec-middle"), ("played", "rec-old")]
    assert Call.select().count() == 5  # the line logs no call of its own among the calls


def test_the_recording_plays_with_its_keys_and_seeks_10_s(line: Line) -> None:
    line.recording("rec-one", line.maija, 10)
    caller = Caller([Press("pv-listen-pin", MAIJA_PIN)])
    conversation = line.call(caller)
    playback = next(command for command in conversation.commands
                    if command.startswith("CONTROL STREAM FILE"))
    assert playback == ('CONTROL STREAM FILE "/srv/instance/recordings/2026/12/rec-one" '
                        '"1230#" 10000 "6" "4"')  # 7 only when deleting is allowed


def test_next_previous_replay_and_the_ends_of_the_list(line: Line) -> None:
    line.recording("rec-c", line.maija, 300)
    line.recording("rec-b", line.maija, 200)
    line.recording("rec-a", line.maija, 100)
    caller = Caller([
        Press("pv-listen-pin", MAIJA_PIN),
        Press("rec-a", "3"),  # previous at the newest: said so, then it again
        Press("pv-listen-first", "2"),  # next
        Press("rec-b", "1"),  # replay
        Press("rec-b", "2"),  # next
        Press("rec-c", "3"),  # previous
        Press("rec-b", "2"),
        Press("rec-c", "2"),  # next at the last: said so
        Press(WAIT, "1"),  # replay the last
        Press("rec-c", "#"),  # the end
    ])
    line.call(caller)
    assert caller.script == []
    assert played(caller) == ["rec-a", "rec-b", "rec-b", "rec-c", "rec-b", "rec-c", "rec-c"]
    assert caller.heard[-1] == "pv-listen-goodbye"
    assert [action for action, _ in events()] == ["played"] * 7


def test_a_key_stops_the_count_and_the_announcement(line: Line) -> None:
    first = line.recording("rec-a", line.maija, 100)
    line.recording("rec-b", line.maija, 200)
    count = recording_count(2, "fi")
    caller = Caller([Press("pv-listen-pin", MAIJA_PIN), Press(count[0], "2"),
                     Press(announced(first)[0], "#")])
    line.call(caller)
    # 2 during the count: the second recording; # during its announcement: goodbye
    assert played(caller) == []
    assert caller.heard.count(count[0]) == 1 and count[1] not in caller.heard[3:]
    assert caller.heard[-1] == "pv-listen-goodbye"


def test_six_during_the_announcement_starts_the_recording(line: Line) -> None:
    recorded = line.recording("rec-a", line.maija, 100)
    caller = Caller([Press("pv-listen-pin", MAIJA_PIN), Press(announced(recorded)[0], "6")])
    line.call(caller)
    assert caller.heard[caller.heard.index(announced(recorded)[0]) + 1] == "rec-a"


def test_help_then_the_recording_again(line: Line) -> None:
    line.recording("rec-a", line.maija, 100)
    caller = Caller([Press("pv-listen-pin", MAIJA_PIN), Press("rec-a", "0")])
    line.call(caller)
    assert played(caller) == ["rec-a", "rec-a"]
    assert "pv-listen-help" in caller.heard and "pv-listen-help-delete" not in caller.heard


def test_deleting_ones_own_recording_when_allowed(line: Line) -> None:
    settings.set_setting("own_recordings_deletable", "yes")
    line.recording("rec-b", line.maija, 200)
    doomed = line.recording("rec-a", line.maija, 100)
    path = line.instance / "recordings" / doomed.recording
    caller = Caller([
        Press("pv-listen-pin", MAIJA_PIN),
        Press("rec-a", "0"),  # help with deleting
        Press("rec-a", "7"),
        Press("pv-listen-confirm-delete", "2"),  # any other key keeps it
        Press("rec-a", "7"),
        Press("pv-listen-confirm-delete", "1"),
    ])
    conversation = line.call(caller)
    assert "pv-listen-help-delete" in caller.heard
    assert caller.heard.count("pv-listen-kept") == 1
    assert caller.heard.count("pv-listen-deleted") == 1
    assert played(caller) == ["rec-a", "rec-a", "rec-a", "rec-b"]  # the next one after it
    assert not path.exists()
    assert Call.get_by_id(doomed.id).recording is None
    assert events()[-2:] == [("deleted", "rec-a"), ("played", "rec-b")]
    assert AuditEntry.get(AuditEntry.action == "recording.deleted").actor == "listening-line"
    assert '"1230#7"' in next(command for command in conversation.commands
                              if command.startswith("CONTROL STREAM FILE"))


def test_deleting_the_only_recording_leaves_none(line: Line) -> None:
    settings.set_setting("own_recordings_deletable", "yes")
    line.recording("rec-a", line.maija, 100)
    caller = Caller([Press("pv-listen-pin", MAIJA_PIN), Press("rec-a", "7"),
                     Press("pv-listen-confirm-delete", "1")])
    line.call(caller)
    assert caller.heard[-3:] == ["pv-listen-deleted", "pv-listen-no-recordings",
                                 "pv-listen-goodbye"]


def test_seven_deletes_nothing_unless_allowed(line: Line) -> None:
    recorded = line.recording("rec-a", line.maija, 100)
    caller = Caller([Press("pv-listen-pin", MAIJA_PIN), Press("rec-a", "7"),
                     Press("pv-listen-confirm-delete", "1")])
    line.call(caller)
    assert "pv-listen-confirm-delete" not in caller.heard
    assert (line.instance / "recordings" / recorded.recording).exists()
    assert Call.get_by_id(recorded.id).recording == recorded.recording


def test_another_persons_recordings_are_never_played_whatever_is_keyed(line: Line) -> None:
    settings.set_setting("own_recordings_deletable", "yes")
    line.recording("rec-m2", line.maija, 200)
    line.recording("rec-m1", line.maija, 100)
    pekkas = [line.recording(f"rec-pekka-{n}", line.pekka, n) for n in (50, 150, 250)]
    caller = Caller([
        Press("pv-listen-pin", MAIJA_PIN),
        Press("rec-m1", "5"),  # means nothing: it plays on, then the next
        Press("rec-m2", "8"),
        Press("pv-listen-last", "9"),  # means nothing: the last one again
        Press("rec-m2", "*"),
        Press("pv-listen-last", "7"),
        Press("pv-listen-confirm-delete", "0"),  # kept
        Press("rec-m2", "3"),
        Press("rec-m1", "3"),
        Press("pv-listen-first", "0"),
        Press("pv-listen-help-delete", "2"),
        Press("rec-m2", "2"),
        Press(WAIT, "#"),
    ])
    line.call(caller)
    assert caller.script == []
    assert played(caller) == ["rec-m1", "rec-m2", "rec-m2", "rec-m2", "rec-m1", "rec-m2"]
    assert all(Call.get_by_id(call.id).recording for call in pekkas)
    assert {call_id for _, call_id in events()} == {"rec-m1", "rec-m2"}


def test_an_unknown_phone_keys_the_personal_number_and_the_pin(line: Line) -> None:
    line.recording("rec-a", line.maija, 100)
    caller = Caller([Press("pv-listen-personal-number", PERSONAL_NUMBER),
                     Press("pv-listen-pin", MAIJA_PIN)])
    line.call(caller, from_phone="+358409999999")
    assert caller.heard[:3] == ["pv-listen-welcome", "pv-listen-personal-number",
                                "pv-listen-pin"]
    assert played(caller) == ["rec-a"]
    row = listening_call()
    assert (row.caller, row.person_id, row.outcome) == ("+358409999999", line.maija.id,
                                                        "listened")


def test_a_withheld_caller_keys_the_personal_number_too(line: Line) -> None:
    caller = Caller([Press("pv-listen-personal-number", PERSONAL_NUMBER),
                     Press("pv-listen-pin", MAIJA_PIN)])
    line.call(caller, from_phone="")
    assert caller.heard[-2:] == ["pv-listen-no-recordings", "pv-listen-goodbye"]
    assert (listening_call().caller, listening_call().outcome) == ("", "listened")


def test_a_key_during_the_welcome_is_the_first_digit(line: Line) -> None:
    caller = Caller([Press("pv-listen-welcome", "6"), Press(SILENCE, PERSONAL_NUMBER[1:]),
                     Press("pv-listen-pin", MAIJA_PIN)])
    conversation = line.call(caller, from_phone="+358409999999")
    assert listening_call().outcome == "listened"
    assert 'GET DATA "" 5000 6' in conversation.commands  # one digit is already there


def test_three_wrong_pins_lock_and_then_even_the_right_one_is_refused(line: Line) -> None:
    line.recording("rec-a", line.maija, 100)
    wrong = Caller([Press("pv-listen-pin", "1111"), Press("pv-listen-pin", "2222"),
                    Press("pv-listen-pin", "3333")])
    line.call(wrong)
    assert wrong.heard == [*PIN_PROMPT_AFTER_WELCOME, "pv-listen-wrong-pin",
                           "pv-listen-pin", "pv-listen-wrong-pin",
                           "pv-listen-pin", "pv-listen-wrong-pin", "pv-listen-goodbye"]
    assert Person.get_by_id(line.maija.id).pin_locked_until is not None
    assert listening_call().outcome == "refused"

    right = Caller([Press("pv-listen-pin", MAIJA_PIN), Press("pv-listen-pin", MAIJA_PIN),
                    Press("pv-listen-pin", MAIJA_PIN)])
    line.call(right, uniqueid="1700000000.10")
    assert right.heard == wrong.heard  # the same words as for a wrong PIN
    assert played(right) == []
    outcomes = [row.outcome for row in ListeningCall.select().order_by(ListeningCall.id)]
    assert outcomes == ["refused", "refused"]
    verdicts = [entry.details for entry in AuditEntry.select().where(
        AuditEntry.action == "listening.pin").order_by(AuditEntry.id)]
    assert ['"locked"' in details for details in verdicts] == [False, False, True, True, True,
                                                               True]
    assert all(MAIJA_PIN not in details for details in verdicts)


def test_an_unknown_personal_number_is_refused_like_a_wrong_pin(line: Line) -> None:
    script = []
    for keyed in ("999999", "12*#", "6543210"):
        script += [Press("pv-listen-personal-number", keyed), Press("pv-listen-pin", MAIJA_PIN)]
    caller = Caller(script)
    line.call(caller, from_phone="+358409999999")
    assert caller.heard.count("pv-listen-personal-number") == 3
    assert caller.heard.count("pv-listen-wrong-pin") == 3
    assert played(caller) == []
    row = listening_call()
    assert (row.person_id, row.outcome) == (None, "refused")
    assert Person.get_by_id(line.maija.id).pin_failures == 0


def test_keying_nothing_is_no_attempt(line: Line) -> None:
    caller = Caller([])
    line.call(caller)
    assert caller.heard.count("pv-listen-wrong-pin") == 3
    assert listening_call().outcome == "refused"
    assert Person.get_by_id(line.maija.id).pin_failures == 0
    assert not AuditEntry.select().where(AuditEntry.action == "listening.pin").exists()


def test_a_person_without_a_pin_is_told_so(line: Line) -> None:
    Person.update(pin_hash=None).where(Person.id == line.maija.id).execute()
    caller = Caller([Press("pv-listen-pin", "2468")])
    line.call(caller)
    assert caller.heard[-2:] == ["pv-listen-no-pin", "pv-listen-goodbye"]
    assert listening_call().outcome == "no-pin"


def test_hanging_up_before_the_pin_and_while_listening(line: Line) -> None:
    line.recording("rec-a", line.maija, 100)
    early = Caller([Press("pv-listen-welcome", HANG_UP)])
    line.call(early)
    row = listening_call()
    assert (row.outcome, row.ended_at is not None) == ("hung-up", True)

    late = Caller([Press("pv-listen-pin", MAIJA_PIN), Press("rec-a", HANG_UP)])
    line.call(late, uniqueid="1700000000.11")
    row = ListeningCall.get(ListeningCall.call_id == "1700000000.11")
    assert (row.outcome, row.ended_at is not None) == ("listened", True)
    assert late.heard[-1] == "rec-a"


def test_a_recording_gone_meanwhile_is_left_out(line: Line) -> None:
    line.recording("rec-b", line.maija, 200)
    gone = line.recording("rec-a", line.maija, 100)
    # Retention clears the row while the caller listens to the count.
    count = recording_count(2, "fi")

    def retention(command: str, conversation: Conversation) -> str | None:
        if count[0] in command:
            Call.update(recording=None).where(Call.id == gone.id).execute()
        return caller(command, conversation)

    caller = Caller([Press("pv-listen-pin", MAIJA_PIN)])
    run_agi(line.server.server_address[:2], agi_env("listening-line"),
            {"PV_CALLER_E164": MAIJA_PHONE}, respond=retention)
    assert played(caller) == ["rec-b"]


@pytest.mark.parametrize("hostile", ['1"; DROP', "(HANGUP) 511", "9" * 40, "-1", ""])
def test_hostile_channel_variables_are_data(line: Line, hostile: str) -> None:
    caller = Caller([])
    run_agi(line.server.server_address[:2], agi_env("listening-line"),
            {"PV_CALLER": hostile, "PV_CALLER_E164": hostile, "PV_DIALLED": hostile,
             "PV_LISTENING_NUMBER_ID": hostile}, respond=caller)
    row = listening_call()
    assert row.number_id is None
    assert len(row.caller) <= 32 and len(row.dialled) <= 32
    assert "pv-listen-personal-number" in caller.heard  # no person's phone
    assert row.outcome == "refused"


def test_the_prompt_language_and_the_admins_own_recordings(line: Line) -> None:
    settings.set_setting("prompt_language", "sv")
    recorded = line.recording("rec-a", line.maija, 100, caller="+358501112222")
    custom = line.instance / "sounds" / "custom" / "sv" / "pv-listen-welcome.wav"
    custom.parent.mkdir(parents=True)
    custom.write_bytes(b"RIFF")
    caller = Caller([Press("pv-listen-pin", MAIJA_PIN)])
    conversation = line.call(caller)
    arrived = recorded.arrived_at.replace(tzinfo=dt.UTC)
    assert caller.heard[2:] == [*recording_count(1, "sv"),
                                *recording_announcement(arrived, recorded.caller, "sv",
                                                        TIME_ZONE),
                                "rec-a", "pv-listen-last", WAIT, "pv-listen-goodbye"]
    sounds = [command for command in conversation.commands if command.startswith("STREAM")]
    assert sounds[0].startswith('STREAM FILE "/srv/instance/sounds/custom/sv/pv-listen-welcome"')
    assert all("/generated/sv/" in command for command in sounds[1:])


def test_a_recording_whose_name_would_be_syntax_is_never_sent(line: Line) -> None:
    line.recording("rec-b", line.maija, 200)
    odd = line.recording("rec-a", line.maija, 100)
    (line.instance / "recordings" / odd.recording).rename(
        line.instance / "recordings" / '2026/12/x" "1.wav')
    Call.update(recording='2026/12/x" "1.wav').where(Call.id == odd.id).execute()
    caller = Caller([Press("pv-listen-pin", MAIJA_PIN)])
    conversation = line.call(caller)
    assert played(caller) == ["rec-b"]
    assert not any('x"' in command for command in conversation.commands)
    assert events() == [("played", "rec-b")]
    assert caller.heard.count("pv-listen-from") == 1  # nor was it announced


def test_a_stranger_keying_the_personal_number_of_someone_without_a_pin_hears_wrong_pin(
        line: Line) -> None:
    Person.update(pin_hash=None).where(Person.id == line.maija.id).execute()
    script = []
    for _ in range(3):
        script += [Press("pv-listen-personal-number", PERSONAL_NUMBER),
                   Press("pv-listen-pin", "2468")]
    caller = Caller(script)
    line.call(caller, from_phone="+358409999999")
    assert "pv-listen-no-pin" not in caller.heard
    assert caller.heard.count("pv-listen-wrong-pin") == 3
    assert listening_call().outcome == "refused"
