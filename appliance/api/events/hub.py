"""Fans the call monitor's event feed and the appliance's health changes out to every
connected live view.

One task reads the monitor's Unix socket (reconnecting while the monitor is down) and one
polls the health every few seconds, sending it when something other than its timestamps
changed.  Each live view has a bounded queue; one that cannot keep up is closed rather than
allowed to grow without bound."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

QUEUE_SIZE = 1000
HEALTH_EVERY_S = 5.0
RECONNECT_S = 1.0
_TIMESTAMPS = ("checked_at", "updated_at")


def _without_timestamps(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_timestamps(item) for key, item in value.items()
                if key not in _TIMESTAMPS}
    return value


class EventHub:
    def __init__(self, events_socket: Path | None,
                 health: Callable[[], dict[str, Any]]) -> None:
        self._socket = events_socket
        self._health = health
        self._views: set[asyncio.Queue[dict[str, Any] | None]] = set()
        self._last_health: dict[str, Any] | None = None
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        if self._socket is not None:
            self._tasks.append(asyncio.create_task(self._read_feed()))
        self._tasks.append(asyncio.create_task(self._watch_health()))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for view in list(self._views):
            self._close(view)

    def subscribe(self) -> asyncio.Queue[dict[str, Any] | None]:
        view: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(QUEUE_SIZE)
        self._views.add(view)
        return view

    def unsubscribe(self, view: asyncio.Queue[dict[str, Any] | None]) -> None:
        self._views.discard(view)

    async def current_health(self) -> dict[str, Any]:
        return await asyncio.get_running_loop().run_in_executor(None, self._health)

    def publish(self, message: dict[str, Any]) -> None:
        for view in list(self._views):
            try:
                view.put_nowait(message)
            except asyncio.QueueFull:
                log.warning("a live view fell %d messages behind; closing it", QUEUE_SIZE)
                self._close(view)

    def _close(self, view: asyncio.Queue[dict[str, Any] | None]) -> None:
        self._views.discard(view)
        while not view.empty():
            view.get_nowait()
        view.put_nowait(None)

    async def _read_feed(self) -> None:
        assert self._socket is not None
        while True:
            try:
                reader, writer = await asyncio.open_unix_connection(str(self._socket),
                                                                    limit=1 << 20)
            except OSError:
                await asyncio.sleep(RECONNECT_S)
                continue
            log.info("reading call events from %s", self._socket)
            try:
                while line := await reader.readline():
                    try:
                        self.publish({"kind": "call", "event": json.loads(line)})
                    except ValueError:
                        log.warning("unreadable line on the event feed: %r", line[:200])
            finally:
                writer.close()
            log.warning("the event feed closed; reconnecting")
            await asyncio.sleep(RECONNECT_S)

    async def _watch_health(self) -> None:
        while True:
            try:
                health = await self.current_health()
            except Exception:
                log.exception("health check failed")
            else:
                comparable = _without_timestamps(health)
                if comparable != self._last_health:
                    self._last_health = comparable
                    self.publish({"kind": "health", "health": health})
            await asyncio.sleep(HEALTH_EVERY_S)
