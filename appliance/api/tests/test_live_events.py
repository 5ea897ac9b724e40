"""The live view's WebSocket: admins only; health first, then the call monitor's events as
they come from its event socket, every message as the OpenAPI document declares it; a client
that does not speak the appliance's version is told so."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import json
import ssl
from collections.abc import Iterator

import pytest
import websockets
from websockets.typing import Subprotocol

from paivystys.appliance.api.context import ApiConfig
from paivystys.appliance.api.events.http import SUBPROTOCOL, TOKEN_CHECK_S, UNSUPPORTED_VERSION
from paivystys.appliance.api.events.schemas import LiveViewMessage
from paivystys.appliance.api.limits import JSON_BODY_LIMIT
from paivystys.appliance.api.tests.conftest import RunningApi, serve
from paivystys.appliance.db.database import open_database
from paivystys.appliance.directory import Directory
from paivystys.appliance.monitor.feed import EventFeed
from paivystys.appliance.ringing.bus import CallConfirmed, CallStarted, EventBus
from paivystys.appliance.users.service import ROLE_ADMIN, ROLE_PERSON, create_user, revoke

AT = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningApi, EventBus]]:
    state_dir = tmp_path_factory.mktemp("live")
    db_path = state_dir / "paivystys.db"
    database = open_database(db_path)
    create_user("omistaja", "omistajan-salasana-1", ROLE_ADMIN)  # claimed: it answers logins
    bus = EventBus()
    feed = EventFeed(bus, state_dir / "events.sock").start()
    config = ApiConfig(db_path=db_path, events_socket=state_dir / "events.sock")
    try:
        yield from ((api, bus) for api in serve(config, state_dir))
    finally:
        feed.close()
        database.close()


def connect(api: RunningApi, token: str | None,
            subprotocols: tuple[str, ...] = (SUBPROTOCOL,)):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    context = ssl.create_default_context(cafile=str(api.cert_path))
    url = api.base_url.replace("https://", "wss://") + "/api/events"
    return websockets.connect(url, ssl=context, additional_headers=headers, open_timeout=10,
                              subprotocols=[Subprotocol(name) for name in subprotocols] or None)


async def next_of_kind(socket, kind: str) -> dict:
    while True:
        message = json.loads(await asyncio.wait_for(socket.recv(), 10))
        LiveViewMessage.model_validate(message)  # as the OpenAPI document declares it
        if message["kind"] == kind:
            return message


def test_an_admin_sees_health_then_call_events(live) -> None:
    api, bus = live
    create_user("valvoja", "valvoja-salasana-1", ROLE_ADMIN)
    token = api.login("valvoja", "valvoja-salasana-1")

    async def watch() -> list[dict]:
        async with connect(api, token) as socket:
            assert socket.subprotocol == SUBPROTOCOL
            hello = await next_of_kind(socket, "hello")
            assert set(hello["health"]) >= {"asterisk", "trunk", "modem", "disk", "version"}
            await asyncio.sleep(1.5)  # the hub has connected to the feed by now
            bus.publish(CallStarted("9.1", AT, None, "+358201234567", "+358401234567"))
            bus.publish(CallConfirmed("9.1", AT, 3, 2, "Maija", "main"))
            return [await next_of_kind(socket, "call"), await next_of_kind(socket, "call")]

    events = asyncio.run(watch())
    assert [event["event"]["type"] for event in events] == ["call.started", "call.confirmed"]
    assert events[1]["event"]["person_name"] == "Maija"


@pytest.mark.parametrize("who", ["anonymous", "person", "made-up"])
def test_nobody_else_gets_the_live_view(live, who: str) -> None:
    api, _bus = live
    token = None
    if who == "person":
        person = Directory().add_person("Katsoja", "040 555 0301")
        create_user("katsoja", "katsoja-salasana-1", ROLE_PERSON, person.id)
        token = api.login("katsoja", "katsoja-salasana-1")
    elif who == "made-up":
        token = "not-a-token"

    async def attempt() -> None:
        async with connect(api, token) as socket:
            await socket.recv()

    with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
        asyncio.run(attempt())
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize("offered", [(), ("paivystys.events.v0", "paivystys.events.v2"),
                                     ("x" * 300,)])
def test_a_client_of_another_version_is_told_so_and_sent_nothing(live, offered) -> None:
    """An older console offers no version, a newer one others: both hear why they are closed
    (a console that got messages it cannot read would show nothing, as if all were quiet)."""
    api, _bus = live
    username = f"versio{len(offered)}"  # one user for each case
    create_user(username, "versio-salasana-1", ROLE_ADMIN)
    token = api.login(username, "versio-salasana-1")

    async def attempt() -> websockets.exceptions.ConnectionClosed:
        async with connect(api, token, offered) as socket:
            assert socket.subprotocol is None
            with pytest.raises(websockets.exceptions.ConnectionClosed) as ended:
                await asyncio.wait_for(socket.recv(), 10)
            return ended.value

    ended = asyncio.run(attempt())
    assert ended.rcvd is not None and ended.rcvd.code == UNSUPPORTED_VERSION
    assert SUBPROTOCOL in ended.rcvd.reason


def test_a_plain_get_is_pointed_to_the_websocket(live) -> None:
    api, _bus = live
    create_user("selain", "selain-salasana-1", ROLE_ADMIN)
    with api.client(api.login("selain", "selain-salasana-1")) as admin:
        answer = admin.get("/api/events")
    assert answer.status_code == 426 and answer.headers["upgrade"] == "websocket"
    assert SUBPROTOCOL in answer.json()["detail"]


def test_a_revoked_admin_stream_ends_with_1008(live) -> None:
    api, _bus = live
    create_user("lahtija", "lahtija-salasana-1", ROLE_ADMIN)
    token = api.login("lahtija", "lahtija-salasana-1")

    async def watch() -> websockets.exceptions.ConnectionClosed:
        async with connect(api, token) as socket:
            await next_of_kind(socket, "hello")
            revoke(token)
            with pytest.raises(websockets.exceptions.ConnectionClosed) as ended:
                while True:  # health messages may still come before the check
                    await asyncio.wait_for(socket.recv(), 3 * TOKEN_CHECK_S)
            return ended.value

    ended = asyncio.run(watch())
    assert ended.rcvd is not None and ended.rcvd.code == 1008
    assert "log in again" in ended.rcvd.reason


def test_a_large_message_from_the_client_ends_the_stream(live) -> None:
    """The client sends nothing the API reads: a message over the request body limit closes
    the connection (1009) instead of being taken in."""
    api, _bus = live
    create_user("kirjoittaja", "kirjoittaja-salasana-1", ROLE_ADMIN)
    token = api.login("kirjoittaja", "kirjoittaja-salasana-1")

    async def shout() -> websockets.exceptions.ConnectionClosed:
        async with connect(api, token) as socket:
            await next_of_kind(socket, "hello")
            await socket.send("x" * (JSON_BODY_LIMIT + 1))
            with pytest.raises(websockets.exceptions.ConnectionClosed) as ended:
                while True:
                    await asyncio.wait_for(socket.recv(), 10)
            return ended.value

    ended = asyncio.run(asyncio.wait_for(shout(), 20))
    assert ended.rcvd is not None and ended.rcvd.code == 1009


def test_the_server_stops_while_a_live_view_is_quiet(tmp_path) -> None:
    """Without listening for the close, the handler waited for an event forever and uvicorn
    waited for the handler: the API could not be stopped while anyone watched."""
    database = open_database(tmp_path / "paivystys.db")
    create_user("sulkija", "sulkija-salasana-1", ROLE_ADMIN)
    config = ApiConfig(db_path=tmp_path / "paivystys.db")
    running = serve(config, tmp_path)
    api = next(running)
    token = api.login("sulkija", "sulkija-salasana-1")
    stopping = concurrent.futures.ThreadPoolExecutor(1)

    async def watch() -> concurrent.futures.Future[None]:
        async with connect(api, token) as socket:
            await next_of_kind(socket, "hello")
            stopped = stopping.submit(running.close)  # fails if the server is still up
            with contextlib.suppress(websockets.exceptions.ConnectionClosed):
                while True:
                    await socket.recv()
        return stopped

    asyncio.run(asyncio.wait_for(watch(), 60)).result(timeout=60)
    stopping.shutdown()
    database.close()
