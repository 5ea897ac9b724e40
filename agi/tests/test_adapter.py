"""Each of pyst2's defects, shown on the real ``asterisk.agi.AGI`` and then fixed by the
adapter, over fake byte streams."""

from __future__ import annotations

import io
import logging
import signal
import socket
import threading
from collections.abc import Iterator

import pytest
from asterisk.agi import AGI, AGIHangup, AGISIGHUPHangup

from paivystys.agi.adapter import (
    MAX_ENV_LINES,
    AgiChannel,
    AgiChannelGone,
    AgiConnectionClosed,
    AgiEnvironmentTooLong,
    AgiPlaybackFailed,
)
from paivystys.agi.tests.fake_asterisk import agi_env, env_bytes

ENV = env_bytes(agi_env("incoming-call"))


@pytest.fixture(autouse=True)
def keep_sighup_handler() -> Iterator[None]:
    """Raw pyst2 installs a SIGHUP handler in the test process; put the old one back."""
    previous = signal.getsignal(signal.SIGHUP)
    yield
    signal.signal(signal.SIGHUP, previous)


def in_thread(function) -> BaseException | object:
    """Runs function in another thread; returns what it returned or raised."""
    outcome: list[BaseException | object] = []

    def run() -> None:
        try:
            outcome.append(function())
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(5)
    return outcome[0]


def channel(replies: bytes = b"") -> tuple[AgiChannel, io.BytesIO]:
    sent = io.BytesIO()
    return AgiChannel(io.BytesIO(ENV + replies), sent), sent


# (a) signal.signal off the main thread


def test_raw_pyst2_cannot_start_off_the_main_thread() -> None:
    outcome = in_thread(lambda: AGI(io.StringIO(ENV.decode()), io.StringIO(), io.StringIO()))
    assert isinstance(outcome, ValueError)
    assert "main thread" in str(outcome)


def test_adapter_starts_off_the_main_thread_and_leaves_signals_alone() -> None:
    before = signal.getsignal(signal.SIGHUP)
    outcome = in_thread(lambda: channel()[0])
    assert isinstance(outcome, AgiChannel)
    assert outcome.env["agi_network_script"] == "incoming-call"
    assert signal.getsignal(signal.SIGHUP) is before


# (b) str written to binary socket files


def test_raw_pyst2_writes_str_to_a_binary_stream() -> None:
    agi = AGI(io.BytesIO(ENV + b"200 result=1\n"), io.BytesIO(), io.StringIO())
    with pytest.raises(TypeError, match="bytes-like"):
        agi.set_variable("PV_DECISION", "ring")


def test_adapter_writes_and_reads_bytes() -> None:
    agi, sent = channel(b"200 result=1\n200 result=1 (+358 40 123 \xc3\xa4)\n")
    agi.set_variable("PV_DECISION", "ring")
    assert agi.get_variable("PV_DIALLED") == "+358 40 123 ä"
    assert sent.getvalue() == b'SET VARIABLE "PV_DECISION" "ring"\nGET VARIABLE "PV_DIALLED"\n'


def test_adapter_survives_bytes_that_are_not_utf8() -> None:
    # A caller name in Latin-1 ("Mäkelä"): pyst2 would raise UnicodeDecodeError.
    agi = AgiChannel(io.BytesIO(b"agi_calleridname: M\xe4kel\xe4\n\n"), io.BytesIO())
    assert agi.env["agi_calleridname"] == "M\ufffdkel\ufffd"


# (c) debug lines to stderr for every command


def test_raw_pyst2_writes_debug_lines_to_stderr_for_every_command() -> None:
    stderr = io.StringIO()
    agi = AGI(io.StringIO(ENV.decode() + "200 result=1\n"), io.StringIO(), stderr)
    agi.set_variable("PV_DECISION", "ring")
    assert "COMMAND: SET VARIABLE" in stderr.getvalue()
    assert "RESULT_LINE: 200 result=1" in stderr.getvalue()


def test_adapter_logs_commands_at_debug_and_prints_nothing(
        capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="paivystys.agi.adapter")
    agi, _ = channel(b"200 result=1\n")
    agi.set_variable("PV_DECISION", "ring")
    assert capfd.readouterr() == ("", "")
    messages = [record.getMessage() for record in caplog.records]
    assert 'pyst2: COMMAND: SET VARIABLE "PV_DECISION" "ring"' in messages
    assert "pyst2: RESULT_LINE: 200 result=1" in messages
    assert all(record.levelno == logging.DEBUG for record in caplog.records)


def test_adapter_logs_nothing_above_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    agi, _ = channel(b"200 result=1\n")
    agi.set_variable("PV_DECISION", "ring")
    assert caplog.records == []


# (d) the unprompted HANGUP line


HANGUP_MID_CONVERSATION = b"HANGUP\n200 result=1\n200 result=1 (42)\n"


def test_raw_pyst2_reads_hangup_as_a_reply_and_falls_out_of_step() -> None:
    agi = AGI(io.StringIO(ENV.decode() + HANGUP_MID_CONVERSATION.decode()), io.StringIO(),
              io.StringIO())
    with pytest.raises(ValueError):  # int("") of the "HANGUP" line
        agi.set_variable("PV_DECISION", "ring")
    # The next command now reads the previous command's reply: "42" is lost.
    assert agi.get_variable("PV_NUMBER_ID") == ""


def test_adapter_skips_hangup_keeps_replies_in_step_and_stops_the_handler() -> None:
    agi, sent = channel(HANGUP_MID_CONVERSATION)
    agi.set_variable("PV_DECISION", "ring")  # gets its own "200 result=1"
    assert agi.hung_up
    with pytest.raises(AGISIGHUPHangup):  # as pyst2 does after a SIGHUP
        agi.get_variable("PV_NUMBER_ID")
    assert sent.getvalue() == b'SET VARIABLE "PV_DECISION" "ring"\n'


def test_adapter_reads_the_right_reply_after_hangup() -> None:
    agi, _ = channel(b"HANGUP\n200 result=1 (42)\n")
    assert agi.get_variable("PV_NUMBER_ID") == "42"


# The environment and the end of the stream


def test_complete_environment() -> None:
    agi, _ = channel()
    assert agi.env_complete
    assert agi.env["agi_request"] == "agi://127.0.0.1:4573/incoming-call"


def test_bare_connect_has_no_environment() -> None:
    agi = AgiChannel(io.BytesIO(b""), io.BytesIO())
    assert (agi.env, agi.env_complete) == ({}, False)


def test_half_sent_environment_is_not_complete() -> None:
    agi = AgiChannel(io.BytesIO(b"agi_network: yes\nagi_network_scr"), io.BytesIO())
    assert agi.env == {"agi_network": "yes", "agi_network_scr": ""}
    assert not agi.env_complete


def test_endless_garbage_is_cut_off() -> None:
    with pytest.raises(AgiEnvironmentTooLong):
        AgiChannel(io.BytesIO(b"\x00\xff garbage\r\n" * (MAX_ENV_LINES + 1)), io.BytesIO())


def test_end_of_stream_during_a_command_is_a_hangup() -> None:
    agi, _ = channel()
    with pytest.raises(AgiConnectionClosed):
        agi.get_variable("PV_NUMBER_ID")


def test_end_of_stream_inside_a_usage_reply_does_not_loop() -> None:
    # pyst2 reads a 520 usage reply until a line starting "520"; at end of stream it would
    # read "" forever.
    agi, _ = channel(b"520-Invalid command syntax.  Proper usage follows:\nUsage: ...\n")
    with pytest.raises(AgiConnectionClosed):
        agi.get_variable("PV_NUMBER_ID")


# Playback and keys for conversations with the caller


def test_stream_quotes_its_arguments_and_returns_the_key() -> None:
    agi, sent = channel(b"200 result=50 endpos=1200\n200 result=0 endpos=8000\n")
    assert agi.stream("/srv/instance/sounds/generated/fi/pv-listen-pin", "12#") == "2"
    assert agi.stream("/srv/x/digit-0") == ""
    assert sent.getvalue() == (b'STREAM FILE "/srv/instance/sounds/generated/fi/pv-listen-pin" '
                               b'"12#" 0\nSTREAM FILE "/srv/x/digit-0" "" 0\n')


def test_control_stream_always_names_its_skip_keys() -> None:
    agi, sent = channel(b"200 result=35 endpos=3000\n")
    assert agi.control_stream("/srv/r/2026/12/1.2", "123#", 10000, "6", "4") == "#"
    assert sent.getvalue() == (b'CONTROL STREAM FILE "/srv/r/2026/12/1.2" "123#" 10000 "6" '
                               b'"4"\n')
    with pytest.raises(ValueError):
        agi.control_stream("/srv/r/1", "123", 10000, "", "4")  # Asterisk would use # and *
    with pytest.raises(ValueError):
        agi.control_stream("/srv/r/1", "1236", 10000, "6", "4")


def test_read_digits_returns_only_keys() -> None:
    agi, sent = channel(b"200 result=1234 (timeout)\n200 result= (timeout)\n"
                        b"200 result=12a34\n")
    assert agi.read_digits("/srv/p/pv-listen-pin", 5, 9) == "1234"
    assert agi.read_digits("/srv/p/pv-listen-pin", 5, 9) == ""
    assert agi.read_digits("/srv/p/pv-listen-pin", 2.5, 9) == "1234"
    assert sent.getvalue().splitlines()[0] == b'GET DATA "/srv/p/pv-listen-pin" 5000 9'
    assert sent.getvalue().splitlines()[2] == b'GET DATA "/srv/p/pv-listen-pin" 2500 9'


@pytest.mark.parametrize("sound", ['x" "1', "a b", "x\nHANGUP", "", "x;y", "x'y"])
def test_a_sound_name_that_would_be_syntax_is_refused(sound: str) -> None:
    agi, sent = channel()
    with pytest.raises(ValueError):
        agi.stream(sound)
    if sound:  # reading keys may go without a prompt
        with pytest.raises(ValueError):
            agi.read_digits(sound, 1, 1)
    assert sent.getvalue() == b""


@pytest.mark.parametrize("keys", ['1"', "1 2", "A", "\n"])
def test_keys_that_are_no_keys_are_refused(keys: str) -> None:
    agi, sent = channel()
    with pytest.raises(ValueError):
        agi.stream("/srv/x", keys)
    assert sent.getvalue() == b""


def test_a_playback_that_fails_on_a_live_channel_is_no_hangup() -> None:
    agi, _ = channel(b"200 result=-1 endpos=0\n200 result=-1\n")
    with pytest.raises(AgiPlaybackFailed):
        agi.stream("/srv/missing")
    with pytest.raises(AgiPlaybackFailed):
        agi.read_digits("/srv/missing", 1, 1)
    assert not agi.hung_up


def test_a_playback_ended_by_a_hangup_raises_a_hangup() -> None:
    agi, _ = channel(b"HANGUP\n200 result=-1 endpos=4000\n")
    with pytest.raises(AgiChannelGone):
        agi.control_stream("/srv/r/1", "1", 10000, "6", "4")


def test_a_command_on_a_dead_channel_is_a_hangup() -> None:
    # Asterisk's HANGUP line may come after the reply of the command that noticed it.
    agi, _ = channel(b"200 result=-1 endpos=0\nHANGUP\n511 Command Not Permitted on a dead "
                     b"channel or intercept routine\n")
    with pytest.raises(AgiPlaybackFailed):
        agi.stream("/srv/x")
    with pytest.raises(AGIHangup):
        agi.stream("/srv/y")


def test_a_dead_channel_refusal_alone_is_a_hangup() -> None:
    agi, _ = channel(b"511 Command Not Permitted on a dead channel or intercept routine\n")
    with pytest.raises(AgiChannelGone):
        agi.get_variable("PV_CALLER")


def test_replies_within_bounds_the_wait_and_restores_it() -> None:
    left, right = socket.socketpair()
    try:
        left.settimeout(10)
        left.sendall(ENV)
        agi = AgiChannel(right.makefile("rb"), right.makefile("wb"), right)
        right.settimeout(10)
        with agi.replies_within(0.2):
            assert right.gettimeout() == 0.2
            with pytest.raises(TimeoutError):
                agi.stream("/srv/long")
        assert right.gettimeout() == 10
    finally:
        left.close()
        right.close()


def test_wait_for_key_and_reading_without_a_prompt() -> None:
    agi, sent = channel(b"200 result=35\n200 result=0\n200 result=12\n")
    assert agi.wait_for_key(6) == "#"
    assert agi.wait_for_key(0.5) == ""
    assert agi.read_digits("", 5, 6) == "12"
    assert sent.getvalue() == b'WAIT FOR DIGIT 6000\nWAIT FOR DIGIT 500\nGET DATA "" 5000 6\n'


def test_a_dead_channel_refusal_counts_as_hung_up() -> None:
    agi, _ = channel(b"511 Command Not Permitted on a dead channel or intercept routine\n")
    with pytest.raises(AgiChannelGone):
        agi.answer()
    assert agi.hung_up


def _connected(replies: bytes) -> tuple[AgiChannel, socket.socket, socket.socket]:
    asterisk, server = socket.socketpair()
    asterisk.sendall(ENV + replies)
    server.settimeout(10)
    return AgiChannel(server.makefile("rb"), server.makefile("wb"), server), asterisk, server


@pytest.mark.parametrize("replies", [b"200 result=-1 endpos=0\nHANGUP\n",
                                     b"200 result=-1\nHANGUP\n"])
def test_a_failed_playback_with_hangup_just_after_is_a_hangup(replies: bytes) -> None:
    agi, asterisk, server = _connected(replies)
    try:
        with pytest.raises(AgiChannelGone):
            if b"endpos" in replies:
                agi.stream("/srv/x", "1")
            else:
                agi.read_digits("/srv/x", 1, 4)
        assert agi.hung_up
        assert server.gettimeout() == 10
    finally:
        asterisk.close()
        server.close()


def test_a_failed_playback_without_hangup_keeps_the_conversation() -> None:
    agi, asterisk, server = _connected(b"200 result=-1 endpos=0\n")
    try:
        with pytest.raises(AgiPlaybackFailed):
            agi.stream("/srv/missing")
        assert not agi.hung_up
        asterisk.sendall(b"200 result=1 (42)\n")  # the conversation goes on, in step
        assert agi.get_variable("PV_X") == "42"
    finally:
        asterisk.close()
        server.close()
