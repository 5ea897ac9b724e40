from __future__ import annotations

import contextlib
import logging
import random
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from asterisk import manager as pyst_manager

from paivystys.appliance.ami.client import (
    AmiActionError,
    AmiAuthError,
    AmiClient,
    AmiConnectionError,
)
from paivystys.appliance.ami.tests.fake_ami import FakeAmi, wait_for


@pytest.fixture
def fake() -> Iterator[FakeAmi]:
    server = FakeAmi()
    yield server
    server.close()


@pytest.fixture
def client(fake: FakeAmi) -> Iterator[AmiClient]:
    ami = AmiClient("127.0.0.1", fake.port, "monitor", "s3cret")
    ami.connect(timeout=2.0)
    yield ami
    ami.close()



def test_connect_logs_in(client: AmiClient, fake: FakeAmi) -> None:
    assert client.connected
    assert fake.actions[0]["Action"] == "Login"
    assert client.action("Ping")["Ping"] == "Pong"


def test_wrong_secret_is_an_auth_error(fake: FakeAmi) -> None:
    ami = AmiClient("127.0.0.1", fake.port, "monitor", "wrong")
    with pytest.raises(AmiAuthError, match="refused"):
        ami.connect(timeout=2.0)
    assert not ami.connected


def test_refused_connection_is_a_clear_error() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    with pytest.raises(AmiConnectionError, match=f"127.0.0.1:{port}"):
        AmiClient("127.0.0.1", port, "monitor", "s3cret").connect(timeout=1.0)


def test_not_ami_is_rejected() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]

        def answer_http() -> None:
            conn, _ = server.accept()
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")
            conn.close()

        threading.Thread(target=answer_http, daemon=True).start()
        with pytest.raises(AmiConnectionError, match="not AMI"):
            AmiClient("127.0.0.1", port, "monitor", "s3cret").connect(timeout=1.0)


def test_every_thread_gets_its_own_reply(client: AmiClient) -> None:
    """8 threads x 50 actions, replies delayed at random so they leave out of order, with
    events interleaved."""
    mismatches: list[tuple[str, str]] = []
    events: list[dict[str, str]] = []
    client.add_listener(events.append)

    def worker(number: int) -> None:
        rng = random.Random(number)
        for index in range(50):
            value = f"t{number}-{index}"
            reply = client.action("Echo", Value=value, Delay=rng.randint(0, 5), Noise="yes")
            if reply["Value"] != value:
                mismatches.append((value, reply["Value"]))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert mismatches == []
    wait_for(lambda: sum(e["Event"] == "Noise" for e in events) == 400)


def test_action_ids_are_unique(client: AmiClient, fake: FakeAmi) -> None:
    for _ in range(20):
        client.action("Ping")
    ids = [action["ActionID"] for action in fake.actions]
    assert len(set(ids)) == len(ids)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pyst2's isSet/setDaemon
def test_raw_pyst2_gives_a_waiting_thread_someone_elses_reply(fake: FakeAmi) -> None:
    """Why the adapter exists: pyst2 hands replies out first-in-first-out."""
    manager = pyst_manager.Manager()
    manager.connect("127.0.0.1", fake.port)
    manager.login("monitor", "s3cret")
    got: dict[str, str] = {}

    def send(value: str, delay: int) -> None:
        reply = manager.send_action({"Action": "Echo", "Value": value, "Delay": delay})
        got[value] = reply.get_header("Value")

    slow = threading.Thread(target=send, args=("slow", 300))
    slow.start()
    time.sleep(0.1)  # "slow" is waiting for its reply before "fast" is sent
    send("fast", 0)
    slow.join()
    # pyst2's close() sends Logoff, and its reader closes the socket file on Asterisk's
    # goodbye, sometimes before the sender's flush(): another of its races.
    with contextlib.suppress(ValueError):
        manager.close()
    assert got == {"slow": "fast", "fast": "slow"}


def test_raw_pyst2_crashes_on_chan_variable() -> None:
    with pytest.raises(AttributeError, match="has_key"):
        pyst_manager.ManagerMsg(["Event: Newchannel\r\n", "ChanVariable: PV_CALL_ID=1\r\n"])


def test_events_reach_listeners_in_order(client: AmiClient, fake: FakeAmi) -> None:
    seen: list[str] = []
    client.add_listener(lambda event: seen.append(event.get("Seq", "")))
    for number in range(300):
        fake.send_event({"Event": "UserEvent", "UserEvent": "PvTest", "Seq": str(number)})
    wait_for(lambda: len([s for s in seen if s]) == 300)
    assert [s for s in seen if s] == [str(n) for n in range(300)]


def test_chan_variable_headers_are_parsed(client: AmiClient, fake: FakeAmi) -> None:
    seen: list[dict[str, str]] = []
    client.add_listener(seen.append)
    fake.send_event([
        ("Event", "DialBegin"), ("Channel", "Local/1-2@pv-leg-0001;1"),
        ("ChanVariable", "PV_CALL_ID=1764100000.1"), ("ChanVariable", "PV_STAGE=main"),
        ("DestChannel", "PJSIP/trunk-0002"), ("DestChanVariable", "PV_CALL_ID=1764100000.1"),
        ("Timestamp", "1764100000.123456"),
    ])
    fake.send_event({"Event": "Last"})
    wait_for(lambda: any(e["Event"] == "Last" for e in seen))
    dial = next(e for e in seen if e["Event"] == "DialBegin")
    assert dial["ChanVariable(PV_CALL_ID)"] == "1764100000.1"
    assert dial["ChanVariable(PV_STAGE)"] == "main"
    assert dial["DestChanVariable(PV_CALL_ID)"] == "1764100000.1"
    assert dial["Timestamp"] == "1764100000.123456"
    assert client.connected


def test_error_response_raises_unless_unchecked(client: AmiClient) -> None:
    with pytest.raises(AmiActionError, match="Invalid/unknown command") as caught:
        client.action("NoSuchAction")
    assert caught.value.response["Response"] == "Error"
    assert client.action("NoSuchAction", check=False)["Response"] == "Error"


def test_list_action_collects_its_events(client: AmiClient, fake: FakeAmi) -> None:
    fake.channels = ["1764100000.1", "1764100000.7"]
    events = client.action_list("CoreShowChannels")
    assert [e["Uniqueid"] for e in events] == fake.channels
    assert all(e["Event"] == "CoreShowChannel" for e in events)


def test_a_failing_listener_does_not_stop_the_others(client: AmiClient, fake: FakeAmi) -> None:
    seen: list[str] = []

    def broken(event: dict[str, str]) -> None:
        raise RuntimeError("listener bug")

    client.add_listener(broken)
    client.add_listener(lambda event: seen.append(event["Event"]))
    fake.send_event({"Event": "One"})
    fake.send_event({"Event": "Two"})
    wait_for(lambda: seen[-2:] == ["One", "Two"])


def test_a_listener_may_send_actions(client: AmiClient, fake: FakeAmi) -> None:
    replies: list[str] = []
    client.add_listener(
        lambda event: replies.append(client.action("Ping")["Ping"])
        if event["Event"] == "Poke" else None)
    fake.send_event({"Event": "Poke"})
    wait_for(lambda: replies == ["Pong"])


def test_a_long_line_is_warned_about(client: AmiClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        client.action("Echo", Value="x" * 1100)
    assert "exceeds 1024" in caplog.text


def test_a_line_break_in_a_header_is_refused(client: AmiClient) -> None:
    with pytest.raises(ValueError, match="line break"):
        client.action("Echo", Value="a\r\nAction: Hangup")


def test_list_values_repeat_the_header(client: AmiClient, fake: FakeAmi) -> None:
    client.action("Echo", Value=["a", "b"])
    sent = fake.actions[-1]
    assert sent["Value"] == "b"  # the fake keeps the last; both went on the wire


def test_lost_connection_fails_waiting_actions(client: AmiClient, fake: FakeAmi) -> None:
    errors: list[Exception] = []

    def wait_long() -> None:
        try:
            client.action("Echo", Value="never", Delay=5000)
        except AmiConnectionError as exc:
            errors.append(exc)

    waiter = threading.Thread(target=wait_long)
    waiter.start()
    time.sleep(0.1)
    fake.drop_connections()
    waiter.join(timeout=2)
    assert len(errors) == 1
    wait_for(lambda: not client.connected)
    with pytest.raises(AmiConnectionError):
        client.action("Ping")


def test_close_from_a_listener_does_not_deadlock(client: AmiClient, fake: FakeAmi) -> None:
    client.add_listener(lambda event: client.close() if event["Event"] == "Bye" else None)
    fake.send_event({"Event": "Bye"})
    wait_for(lambda: not client.connected)


def test_run_forever_reconnects_after_asterisk_restarts(fake: FakeAmi) -> None:
    ami = AmiClient("127.0.0.1", fake.port, "monitor", "s3cret")
    stop = threading.Event()
    connects: list[int] = []
    ami.add_listener(lambda event: None)
    runner = threading.Thread(
        target=ami.run_forever,
        args=(lambda client: connects.append(len(connects)), stop),
        kwargs={"min_delay": 0.05, "max_delay": 0.1})
    runner.start()
    wait_for(lambda: connects == [0] and ami.connected)
    fake.drop_connections()
    wait_for(lambda: connects == [0, 1] and ami.connected)
    stop.set()
    runner.join(timeout=5)
    assert not runner.is_alive()
    assert not ami.connected


def test_run_forever_retries_while_login_fails(fake: FakeAmi) -> None:
    fake.credentials = ("monitor", "not-yet")
    ami = AmiClient("127.0.0.1", fake.port, "monitor", "s3cret")
    stop = threading.Event()
    connected = threading.Event()
    runner = threading.Thread(target=ami.run_forever,
                              args=(lambda client: connected.set(), stop),
                              kwargs={"min_delay": 0.05, "max_delay": 0.1})
    runner.start()
    wait_for(lambda: sum(a["Action"] == "Login" for a in fake.actions) >= 2)
    fake.credentials = ("monitor", "s3cret")
    assert connected.wait(5)
    stop.set()
    runner.join(timeout=5)
    assert not runner.is_alive()


def test_repeated_headers(client: AmiClient, fake: FakeAmi) -> None:
    seen: list[dict[str, str]] = []
    client.add_listener(seen.append)
    fake.send_event([("Event", "UserEvent"), ("Channel", "PJSIP/trunk-1"),
                     ("UserEvent", "PvLegAnswer"), ("Channel", "PJSIP/trunk-1")])
    fake.send_event([("Event", "Output"), ("Output", "line 1"), ("Output", "line 2")])
    # the login's FullyBooted may come before or after the listener: find ours by name
    wait_for(lambda: sum(event["Event"] in ("UserEvent", "Output") for event in seen) == 2)
    [user] = [event for event in seen if event["Event"] == "UserEvent"]
    [output] = [event for event in seen if event["Event"] == "Output"]
    assert user["Channel"] == "PJSIP/trunk-1"
    assert output["Output"] == "line 1\nline 2"


def test_event_filters_are_set_after_every_login(fake: FakeAmi) -> None:
    client = AmiClient("127.0.0.1", fake.port, "monitor", "s3cret",
                       event_filters=("^Event: UserEvent", "ActionID:"))
    try:
        client.connect()
        client.connect()  # a reconnect filters again: filters belong to the session
        filters = [action["Filter"] for action in fake.actions if action.get("Action") == "Filter"]
        assert filters == ["^Event: UserEvent", "ActionID:"] * 2
    finally:
        client.close()
